// The lifecycle of a DroidSession (SPEC §3.1, §5) as a pure function: from the
// session and its runner pod as the caches show them, and the time, to the
// status the session should have and what the reconciler must do next. The
// reconciler applies the status (status subresource) and the action; because
// nothing here does I/O, every transition is unit-tested.
//
// Phases: Pending -> Running -> Succeeded | Failed | TimedOut | AwaitingApproval,
// Denied (policy), Cancelled (spec.cancel). Terminal phases never change again.
// Every phase carries a Ready condition whose reason says why the session is
// where it is; reasons are stable (the k* constants below).
//
// Admission (before the run's pod exists) ends in one of: denied() (policy
// refuses it: Denied, then TTL after finish like every terminal phase),
// waiting_for_slot() (the namespace is at its concurrency limit: Pending, looked
// at again), pod_creation_failed() (retried with backoff up to
// Timing::max_pod_attempts, then Failed with the reason), pod_created().
//
// Approval in place (issue 14, approval_channel.h): while the runner waits in
// place (its container Ready) the session is AwaitingApproval with
// status.pendingApproval {inPlace: true, id, podName, waitUntil}; a matching
// spec.rejections or spec.approvals entry is handed to the runner
// (Transition::deliver_decision; pendingApproval.decision remembers it) and the
// session is Running again; status.approvals keeps every decision. A pod lost
// while waiting (deleted, evicted, killed without a report) falls back to the
// next-run path below (PodLostWhileWaiting), as does a wait that expired (the
// runner ends AwaitingApproval, reason ApprovalWaitExpired).
//
// Approval (SPEC §6.5): a run whose runner asked for an approval ends; the
// session waits in AwaitingApproval with status.pendingApproval. When
// spec.approvals gains exactly that command, the session moves to the next
// run (status.runAttempt + 1, back to Pending with reason ApprovalReceived; the
// reconciler then creates that run's ConfigMap and pod). status.previousRuns
// keeps what each earlier run used and which command was approved after it;
// status.usage counts every run. The wait is bounded by spec.timeoutSeconds
// from status.startTime and by Timing::max_approval_rounds; spec.cancel ends it.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "reconcile/approval_channel.h"
#include "reconcile/cached_pod.h"
#include "reconcile/cached_session.h"
#include "reconcile/rfc3339.h"

namespace droid::op {

// Stable reasons of the Ready condition (besides policy::k* refusal reasons).
inline constexpr const char* kReasonPodCreating = "PodCreating";
inline constexpr const char* kReasonUnschedulable = "Unschedulable";
inline constexpr const char* kReasonRunning = "Running";
inline constexpr const char* kReasonCompleted = "Completed";
inline constexpr const char* kReasonImagePullFailed = "ImagePullFailed";
inline constexpr const char* kReasonContainerConfigError = "ContainerConfigError";
inline constexpr const char* kReasonDeadlineExceeded = "DeadlineExceeded";
inline constexpr const char* kReasonOOMKilled = "OOMKilled";
inline constexpr const char* kReasonRunnerError = "RunnerError";
inline constexpr const char* kReasonPodDisappeared = "PodDisappeared";
inline constexpr const char* kReasonCancelled = "Cancelled";
inline constexpr const char* kReasonWaitingForApproval = "WaitingForApproval";
inline constexpr const char* kReasonApprovalReceived = "ApprovalReceived";
inline constexpr const char* kReasonApprovalRoundsExceeded = "ApprovalRoundsExceeded";
inline constexpr const char* kReasonApprovalTimedOut = "ApprovalTimedOut";
inline constexpr const char* kReasonApprovalRejected = "ApprovalRejected";
// The run's pod went away (deleted, evicted) while its runner waited in place.
inline constexpr const char* kReasonPodLostWhileWaiting = "PodLostWhileWaiting";
// Event reason when a later run's pod is running.
inline constexpr const char* kReasonResumed = "Resumed";
// The Ready message from the pod's creation until the kubelet reports on it: the
// reconciler writes it with podName, so the pod's first watch event changes nothing.
inline constexpr const char* kMessageWaitingForPod = "waiting for the runner pod to start";

bool is_terminal(const std::string& phase);

// spec.approvals holds `command` exactly (the list is keyed by command).
bool is_approved(const CachedSession& session, const std::string& command);
// Input plus output tokens in status.usage (every run so far).
std::int64_t tokens_used(const nlohmann::json& status);

struct Timing {
  // How long an image may fail to pull before the session fails.
  std::chrono::seconds image_pull_grace{120};
  // Slack on top of spec.timeoutSeconds before the operator's own clock acts
  // (the pod's activeDeadlineSeconds normally ends it first).
  std::chrono::seconds timeout_grace{30};
  // How many times a session may ask for an approval; asking once more fails it
  // (ApprovalRoundsExceeded), so a model that wants a new command every run
  // cannot keep a session going forever.
  int max_approval_rounds = 10;
  // After handing a decision to a runner waiting in place, look again this soon
  // (the runner's next request may follow before its container turns unready).
  std::chrono::seconds decided_recheck{2};
  // Attempts at creating a run's objects before the session fails (PodCreateFailed).
  int max_pod_attempts = 5;
  // A session waiting for a concurrency slot looks again this often even without an event.
  std::chrono::seconds wait_recheck{30};
};

// An event the transition calls for (the reconciler records it after the status write).
struct Note {
  std::string type;  // Normal | Warning
  std::string reason;
  std::string action;
  std::string message;
};

struct Transition {
  nlohmann::json status;        // the complete desired status
  bool delete_pod = false;      // the runner pod must go (cancelled, timed out)
  bool delete_session = false;  // TTL after finish has passed
  // When to look again even if nothing changes (timeouts, TTL, image pulls).
  std::optional<std::chrono::seconds> requeue_after;
  // Set when this transition starts the next run: the command that was approved.
  std::optional<std::string> approved_command;
  // Hand status.pendingApproval's decision to the runner waiting in place: the
  // value of the pod's kApprovalDecisionAnnotation (the pod is podName).
  std::optional<std::string> deliver_decision;
  // An approval or rejection to record as an event: {reason, note}.
  std::optional<std::pair<std::string, std::string>> approval_event;
  // Admission outcomes: the event to record (denied, waiting, creation failed).
  std::optional<Note> event;
};

// `session` is the DroidSession as cached (with its current status); `pod` the
// runner pod of its current run (session.run_attempt), nullptr if there is none. `pod_expected`
// says whether the reconciler has already created the pod (a pod that vanished
// after that is a failure, except once its run has ended in AwaitingApproval).
// `request`: what the runner waiting in place asked for, read from its log by
// the reconciler (only while runner_waits_in_place(pod)).
Transition next_status(const CachedSession& session, const CachedPod* pod, bool pod_expected, Clock::time_point now,
                       const Timing& timing = {}, const std::optional<InPlaceRequest>& request = std::nullopt);
// Admission outcomes. `status` is the status being built (the reconciler has set
// requester, policy and the admitted timeout in it); each returns it complete.
// Denied by policy: Denied with `reason`, completionTime, a Warning; then the TTL.
Transition denied(const CachedSession& session, nlohmann::json status, const std::string& reason,
                  const std::string& message, Clock::time_point now, const Timing& timing = {});
// No concurrency slot yet: Pending with `reason`; an event only when the reason is new.
Transition waiting_for_slot(const CachedSession& session, nlohmann::json status, const std::string& reason,
                            const std::string& message, Clock::time_point now, const Timing& timing = {});
// Creating the run's objects failed: status.attempts + 1; Failed when `permanent`
// or out of attempts, else Pending and a retry after 2^attempts seconds (at most 64).
Transition pod_creation_failed(const CachedSession& session, nlohmann::json status, const std::string& reason,
                               const std::string& message, bool permanent, Clock::time_point now,
                               const Timing& timing = {});
// The run's pod was created: Pending (PodCreating) with podName and runAttempt;
// looked at again at the run's timeout if no pod event comes first.
Transition pod_created(const CachedSession& session, nlohmann::json status, const std::string& pod_name,
                       std::int64_t timeout_seconds, Clock::time_point now, const Timing& timing = {});

// Whether the reconciler should read the runner's log for a request: the pod
// waits in place and the status does not already hold its undecided request.
bool needs_request_from_log(const CachedSession& session, const CachedPod& pod);

// Sets the Ready condition in `status`, keeping lastTransitionTime when its
// status and reason are unchanged (as metav1.Condition requires).
// The same for any condition type (OrgPolicy's Valid, for example).
void set_condition(nlohmann::json& status, const std::string& type, bool value, const std::string& reason,
                   const std::string& message, std::int64_t generation, Clock::time_point now);
void set_ready_condition(nlohmann::json& status, bool ready, const std::string& reason, const std::string& message,
                         std::int64_t generation, Clock::time_point now);

}  // namespace droid::op
