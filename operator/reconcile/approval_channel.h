// The operator's side of waiting in place for an approval (issue 14), as pure
// functions; the runner's side is runner/agent/approval_wait.h.
//
// The runner pod holds no Kubernetes credentials and accepts no ingress, so:
//   runner -> operator: while the runner waits, its container is Ready (its
//     readiness probe `droid-runner approval-probe` succeeds only then; the
//     operator watches pods anyway), and its audit log on stdout holds the
//     request, an "approval_requested" line {id, command, risk, reasons,
//     wait_seconds}. find_approval_request() takes it from the log's tail,
//     which the reconciler reads (pods/log) only while the container is Ready.
//   operator -> runner: the decision is the pod annotation
//     droid.dev/approval-decision (decision_annotation(), signed with the
//     session's approval key by signed_decision()), projected into the
//     pod by a downward-API volume (`/var/run/droid/approval/decision`) that the
//     kubelet refreshes when the pod changes; the runner polls that file.
// Which decision: spec.rejections before spec.approvals, by exact command.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "reconcile/cached_pod.h"
#include "reconcile/cached_session.h"

namespace droid::op {

inline constexpr const char* kApprovalDecisionAnnotation = "droid.dev/approval-decision";
inline constexpr const char* kApprovalMountPath = "/var/run/droid/approval";
// The default of OrgPolicy spec.limits.maxApprovalWaitSeconds.
inline constexpr std::int64_t kDefaultApprovalWaitSeconds = 900;

// A request read from the runner's log.
struct InPlaceRequest {
  std::string id;
  std::string command;
  std::string risk;
  std::vector<std::string> reasons;
  std::int64_t wait_seconds = 0;
};

// The latest "approval_requested" audit record in `log` (the runner's stdout),
// if any. Lines that are not the runner's JSON audit records are skipped; the
// fields are bounded (command 8192 bytes, 32 reasons) as the CRD bounds them.
std::optional<InPlaceRequest> find_approval_request(std::string_view log);

// The runner container of `pod` reports Ready (it waits in place), the pod runs
// and is not being deleted.
bool runner_waits_in_place(const CachedPod& pod);

struct Decision {
  bool approved = false;
  std::string by;
  std::string reason;  // rejection reason or approval comment
};
// The decision on `command` in the session's spec, if any.
std::optional<Decision> decision_for(const CachedSession& session, const std::string& command);

// The annotation value handing status.pendingApproval's decision to the runner,
// unsigned: the reconciler signs it (signed_decision) as it patches the pod.
std::string decision_annotation(const nlohmann::json& pending);
// `annotation` signed with the session's approval key for `run_attempt`
// (contract/approval_decision.h): what the runner accepts.
std::string signed_decision(const std::string& annotation, const std::string& session_key, int run_attempt);

// One status.approvals entry.
nlohmann::json history_entry(const std::string& command, const Decision& d, const std::string& at, int run_attempt,
                             bool in_place);

}  // namespace droid::op
