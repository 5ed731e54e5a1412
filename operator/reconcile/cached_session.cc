#include "reconcile/cached_session.h"

#include <functional>

#include "jsonutil/lookup.h"

namespace droid::op {
namespace {

using json = nlohmann::json;
using jsonutil::find;
using jsonutil::string_at;

std::optional<std::int64_t> integer_at(const json& v, std::initializer_list<const char*> keys) {
  const json* i = find(v, keys);
  if (i == nullptr || !i->is_number_integer()) return std::nullopt;
  return i->get<std::int64_t>();
}

std::vector<Verdict> verdicts(const json& spec, const char* list, const char* by, const char* reason) {
  std::vector<Verdict> out;
  const json* items = find(spec, {list});
  if (items == nullptr || !items->is_array()) return out;
  for (const json& e : *items) {
    const json* command = find(e, {"command"});
    if (command == nullptr || !command->is_string()) continue;
    out.push_back({command->get<std::string>(), string_at(e, {by}), string_at(e, {reason})});
  }
  return out;
}

const Verdict* verdict_for(const std::vector<Verdict>& list, const std::string& command) {
  for (const Verdict& v : list)
    if (v.command == command) return &v;
  return nullptr;
}

}  // namespace

json CachedSession::reference() const {
  return {
      {"apiVersion", kDroidSessionApiVersion},
      {"kind", kDroidSessionKind},
      {"metadata", {{"name", name}, {"namespace", namespace_}, {"uid", uid}, {"resourceVersion", resource_version_}}}};
}

const Verdict* CachedSession::rejection_of(const std::string& command) const {
  return verdict_for(rejections, command);
}

const Verdict* CachedSession::approval_of(const std::string& command) const { return verdict_for(approvals, command); }

std::optional<contract::Requester> parse_requester_annotation(const std::string& raw) {
  if (raw.empty()) return std::nullopt;
  const json r = json::parse(raw, nullptr, /*allow_exceptions=*/false);
  const json* username = find(r, {"username"});
  if (username == nullptr || !username->is_string()) return std::nullopt;
  contract::Requester out{username->get<std::string>(), string_at(r, {"uid"}), {}};
  if (const json* groups = find(r, {"groups"}); groups != nullptr && groups->is_array())
    for (const json& g : *groups)
      if (g.is_string()) out.groups.push_back(g.get<std::string>());
  return out;
}

json requester_json(const contract::Requester& r) {
  json out = {{"username", r.username}};
  if (!r.uid.empty()) out["uid"] = r.uid;
  out["groups"] = r.groups;
  return out;
}

CachedSession parse_cached_session(const json& session) {
  CachedSession s;
  s.name = string_at(session, {"metadata", "name"});
  s.namespace_ = string_at(session, {"metadata", "namespace"});
  s.uid = string_at(session, {"metadata", "uid"});
  s.resource_version_ = string_at(session, {"metadata", "resourceVersion"});
  s.generation = integer_at(session, {"metadata", "generation"}).value_or(0);
  s.creation_timestamp = string_at(session, {"metadata", "creationTimestamp"});
  s.deletion_timestamp = string_at(session, {"metadata", "deletionTimestamp"});
  if (const json* annotations = find(session, {"metadata", "annotations"}); annotations != nullptr) {
    s.annotations_digest = std::hash<std::string>{}(annotations->dump());
    s.requester = parse_requester_annotation(string_at(*annotations, {contract::kRequesterAnnotation}));
  }
  if (const json* spec = find(session, {"spec"}); spec != nullptr && spec->is_object()) {
    const json* cancel = find(*spec, {"cancel"});
    s.cancel = cancel != nullptr && cancel->is_boolean() && cancel->get<bool>();
    s.ttl_seconds_after_finished = integer_at(*spec, {"ttlSecondsAfterFinished"});
    s.timeout_seconds = integer_at(*spec, {"timeoutSeconds"});
    s.approvals = verdicts(*spec, "approvals", "approvedBy", "comment");
    s.rejections = verdicts(*spec, "rejections", "rejectedBy", "reason");
    s.spec_json = spec->dump();
  }
  if (const json* status = find(session, {"status"}); status != nullptr && status->is_object()) {
    s.phase = string_at(*status, {"phase"});
    s.pod_name = string_at(*status, {"podName"});
    s.run_attempt = static_cast<int>(std::max<std::int64_t>(1, integer_at(*status, {"runAttempt"}).value_or(1)));
    s.status_json = status->dump();
  }
  return s;
}

}  // namespace droid::op
