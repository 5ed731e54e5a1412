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
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

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

bool is_terminal(const std::string& phase);

struct Timing {
  // How long an image may fail to pull before the session fails.
  std::chrono::seconds image_pull_grace{120};
  // Slack on top of spec.timeoutSeconds before the operator's own clock acts
  // (the pod's activeDeadlineSeconds normally ends it first).
  std::chrono::seconds timeout_grace{30};
};

struct Transition {
  nlohmann::json status;        // the complete desired status
  bool delete_pod = false;      // the runner pod must go (cancelled, timed out)
  bool delete_session = false;  // TTL after finish has passed
  // When to look again even if nothing changes (timeouts, TTL, image pulls).
  std::optional<std::chrono::seconds> requeue_after;
};

// `session` is the DroidSession object (with its current status); `pod` its
// runner pod if it exists. `pod_expected` says whether the reconciler has
// already created the pod (a pod that vanished after that is a failure).
Transition next_status(const nlohmann::json& session, const std::optional<nlohmann::json>& pod, bool pod_expected,
                       Clock::time_point now, const Timing& timing = {});

// Sets the Ready condition in `status`, keeping lastTransitionTime when its
// status and reason are unchanged (as metav1.Condition requires).
// The same for any condition type (OrgPolicy's Valid, for example).
void set_condition(nlohmann::json& status, const std::string& type, bool value, const std::string& reason,
                   const std::string& message, std::int64_t generation, Clock::time_point now);
void set_ready_condition(nlohmann::json& status, bool ready, const std::string& reason, const std::string& message,
                         std::int64_t generation, Clock::time_point now);

}  // namespace droid::op
