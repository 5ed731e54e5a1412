#include "reconcile/cached_pod.h"

#include <algorithm>

#include "jsonutil/lookup.h"
#include "reconcile/approval_channel.h"
#include "resources/session_objects.h"

namespace droid::op {

using json = nlohmann::json;
using jsonutil::find;
using jsonutil::string_at;

bool CachedPod::owned_by(const std::string& owner) const {
  return std::find(owner_uids.begin(), owner_uids.end(), owner) != owner_uids.end();
}

CachedPod parse_cached_pod(const json& pod) {
  CachedPod p;
  p.name = string_at(pod, {"metadata", "name"});
  p.namespace_ = string_at(pod, {"metadata", "namespace"});
  p.uid = string_at(pod, {"metadata", "uid"});
  p.resource_version_ = string_at(pod, {"metadata", "resourceVersion"});
  p.creation_timestamp = string_at(pod, {"metadata", "creationTimestamp"});
  p.deletion_timestamp = string_at(pod, {"metadata", "deletionTimestamp"});
  p.session = string_at(pod, {"metadata", "labels", kSessionLabel});
  if (const json* owners = find(pod, {"metadata", "ownerReferences"}); owners != nullptr && owners->is_array())
    for (const json& o : *owners)
      if (const std::string uid = string_at(o, {"uid"}); !uid.empty()) p.owner_uids.push_back(uid);
  p.policy_hash = string_at(pod, {"metadata", "annotations", kPolicyHashAnnotation});
  p.policy_names = string_at(pod, {"metadata", "annotations", kPolicyNamesAnnotation});
  p.approval_decision = string_at(pod, {"metadata", "annotations", kApprovalDecisionAnnotation});
  p.phase = string_at(pod, {"status", "phase"});
  p.reason = string_at(pod, {"status", "reason"});
  p.message = string_at(pod, {"status", "message"});
  p.start_time = string_at(pod, {"status", "startTime"});
  if (const json* conditions = find(pod, {"status", "conditions"}); conditions != nullptr && conditions->is_array())
    for (const json& c : *conditions)
      if (string_at(c, {"type"}) == "PodScheduled" && string_at(c, {"status"}) == "False" &&
          string_at(c, {"reason"}) == "Unschedulable")
        p.unschedulable = string_at(c, {"message"});
  if (const json* statuses = find(pod, {"status", "containerStatuses"}); statuses != nullptr && statuses->is_array())
    for (const json& cs : *statuses) {
      if (string_at(cs, {"name"}) != "runner") continue;
      RunnerContainer r;
      const json* ready = find(cs, {"ready"});
      r.ready = ready != nullptr && ready->is_boolean() && ready->get<bool>();
      r.running = find(cs, {"state", "running"}) != nullptr;
      r.waiting_reason = string_at(cs, {"state", "waiting", "reason"});
      r.waiting_message = string_at(cs, {"state", "waiting", "message"});
      if (const json* term = find(cs, {"state", "terminated"}); term != nullptr && term->is_object()) {
        r.terminated = true;
        r.terminated_reason = string_at(*term, {"reason"});
        r.terminated_message = string_at(*term, {"message"});
        const json* code = find(*term, {"exitCode"});
        r.exit_code = code != nullptr && code->is_number_integer() ? code->get<int>() : -1;
      }
      p.runner = std::move(r);
      break;
    }
  return p;
}

}  // namespace droid::op
