#include "reconcile/concurrency.h"

#include <tuple>

#include "reconcile/session_status.h"

namespace droid::op {

bool holds_slot(const CachedSession& session) { return !session.pod_name.empty() && !is_terminal(session.phase); }

bool is_waiting(const CachedSession& session) {
  return session.pod_name.empty() && !is_terminal(session.phase) && session.deletion_timestamp.empty();
}

std::size_t sessions_ahead(const std::vector<std::shared_ptr<const CachedSession>>& in_namespace,
                           const CachedSession& self, const std::set<std::string>& admitted) {
  const std::string self_key = self.key();
  const auto order = [](const CachedSession& s) { return std::tie(s.creation_timestamp, s.name); };
  std::size_t ahead = 0;
  for (const auto& cached : in_namespace) {
    const CachedSession& s = *cached;
    const std::string key = s.key();
    if (key == self_key) continue;
    const bool holds = holds_slot(s) || (admitted.count(key) != 0 && !is_terminal(s.phase));
    const bool waits_longer = is_waiting(s) && order(s) < order(self);
    if (holds || waits_longer) ++ahead;
  }
  return ahead;
}

bool SessionSlots::admit_if(const CachedSession& self,
                            const std::vector<std::shared_ptr<const CachedSession>>& in_namespace,
                            const std::function<bool(std::size_t ahead)>& decide) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::size_t ahead = in_namespace.empty() ? 0 : sessions_ahead(in_namespace, self, keys_);
  if (!decide(ahead)) return false;
  keys_.insert(self.key());
  return true;
}

void SessionSlots::release(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  keys_.erase(key);
}

std::size_t SessionSlots::admitted() const {
  std::lock_guard<std::mutex> lock(mu_);
  return keys_.size();
}

}  // namespace droid::op
