#include "reconcile/concurrency.h"

#include <tuple>

#include "jsonutil/lookup.h"
#include "kube/store.h"
#include "reconcile/session_status.h"

namespace droid::op {

using jsonutil::string_at;
using nlohmann::json;

bool holds_slot(const json& session) {
  return !string_at(session, {"status", "podName"}).empty() && !is_terminal(string_at(session, {"status", "phase"}));
}

bool is_waiting(const json& session) {
  return string_at(session, {"status", "podName"}).empty() && !is_terminal(string_at(session, {"status", "phase"})) &&
         string_at(session, {"metadata", "deletionTimestamp"}).empty();
}

std::size_t sessions_ahead(const std::vector<kube::ObjectPtr>& in_namespace, const json& self,
                           const std::set<std::string>& admitted) {
  const std::string self_key = kube::object_key(self);
  const auto order = [](const json& s) {
    return std::make_tuple(string_at(s, {"metadata", "creationTimestamp"}), string_at(s, {"metadata", "name"}));
  };
  const auto self_order = order(self);
  std::size_t ahead = 0;
  for (const auto& cached : in_namespace) {
    const json& s = *cached;
    const std::string key = kube::object_key(s);
    if (key == self_key) continue;
    const bool holds = holds_slot(s) || (admitted.count(key) != 0 && !is_terminal(string_at(s, {"status", "phase"})));
    const bool waits_longer = is_waiting(s) && order(s) < self_order;
    if (holds || waits_longer) ++ahead;
  }
  return ahead;
}

}  // namespace droid::op
