// A runner pod as the operator's cache keeps it: the fields the session
// controller reads (session_status, approval_channel, session_reconciler, the
// manager's event handlers), parsed once when the pod enters the cache
// (parse_cached_pod) and then shared, immutable, by every reader. A few
// hundred bytes instead of a JSON tree of several KiB; never its spec, IPs,
// images, managedFields or the conditions' timestamps.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace droid::op {

// The state of the pod's "runner" container, as the kubelet reports it.
struct RunnerContainer {
  bool ready = false;
  bool running = false;         // state.running is set
  std::string waiting_reason;   // state.waiting.reason ("" when not waiting)
  std::string waiting_message;  // state.waiting.message
  bool terminated = false;      // state.terminated is set
  std::string terminated_reason;
  std::string terminated_message;  // the runner's report (termination message)
  int exit_code = -1;
};

struct CachedPod {
  std::string name;
  std::string namespace_;
  std::string uid;
  std::string resource_version_;
  std::string creation_timestamp;  // RFC 3339, as the API server wrote it
  std::string deletion_timestamp;  // "" unless the pod is being deleted
  std::string session;             // label droid.dev/session: the session's name
  std::vector<std::string> owner_uids;
  // Annotations the operator reads.
  std::string policy_hash;        // droid.dev/policy-hash
  std::string policy_names;       // droid.dev/policies (comma-separated)
  std::string approval_decision;  // droid.dev/approval-decision
  // status
  std::string phase;
  std::string reason;
  std::string message;
  std::string start_time;
  // PodScheduled False with reason Unschedulable: the scheduler's message.
  std::optional<std::string> unschedulable;
  std::optional<RunnerContainer> runner;

  std::string key() const { return namespace_.empty() ? name : namespace_ + "/" + name; }
  const std::string& resource_version() const { return resource_version_; }
  bool owned_by(const std::string& uid) const;
  bool has_ended() const { return phase == "Succeeded" || phase == "Failed"; }
};

// From a Pod object (list item or watch event); what the cache keeps of it.
CachedPod parse_cached_pod(const nlohmann::json& pod);

}  // namespace droid::op
