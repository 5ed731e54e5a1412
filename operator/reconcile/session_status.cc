#include "reconcile/session_status.h"

#include <algorithm>
#include <array>

#include "contract/termination_message.h"
#include "jsonutil/lookup.h"

namespace droid::op {
namespace {

using json = nlohmann::json;
using jsonutil::find;
using jsonutil::string_at;
using std::chrono::seconds;

constexpr std::int64_t kDefaultTimeoutSeconds = 3600;

std::optional<Clock::time_point> time_at(const json& v, std::initializer_list<const char*> keys) {
  const std::string s = string_at(v, keys);
  return s.empty() ? std::nullopt : parse_rfc3339(s);
}

seconds until(Clock::time_point deadline, Clock::time_point now) {
  return std::max(seconds(1), std::chrono::ceil<seconds>(deadline - now));
}

// The runner container's status in the pod, if the kubelet reported one.
const json* runner_status(const json& pod) {
  const json* statuses = find(pod, {"status", "containerStatuses"});
  if (statuses == nullptr || !statuses->is_array()) return nullptr;
  for (const auto& cs : *statuses)
    if (cs.value("name", "") == "runner") return &cs;
  return nullptr;
}

class Machine {
 public:
  Machine(const json& session, Clock::time_point now, const Timing& timing)
      : session_(session), now_(now), timing_(timing) {
    out_.status = session.value("status", json::object());
    generation_ = find(session, {"metadata", "generation"}) != nullptr
                      ? session["metadata"]["generation"].get<std::int64_t>()
                      : 0;
    out_.status["observedGeneration"] = generation_;
  }

  Transition run(const std::optional<json>& pod, bool pod_expected) {
    const std::string phase = out_.status.value("phase", "");
    if (is_terminal(phase)) {
      after_finish();
      return out_;
    }
    if (find(session_, {"spec", "cancel"}) != nullptr && session_["spec"]["cancel"] == true) {
      finish("Cancelled", kReasonCancelled, "cancelled by spec.cancel");
      out_.delete_pod = pod.has_value();
      return out_;
    }
    if (!pod) {
      if (pod_expected && !phase.empty() && phase != "Pending") {
        finish("Failed", kReasonPodDisappeared, "the runner pod was deleted before the session finished");
      } else {
        set("Pending", false, kReasonPodCreating, "creating the runner pod");
      }
      return out_;
    }
    out_.status["podName"] = string_at(*pod, {"metadata", "name"});
    from_pod(*pod);
    check_own_clock(*pod);
    return out_;
  }

 private:
  void set(const std::string& phase, bool ready, const std::string& reason, const std::string& message) {
    out_.status["phase"] = phase;
    set_ready_condition(out_.status, ready, reason, message, generation_, now_);
  }

  void finish(const std::string& phase, const std::string& reason, const std::string& message) {
    set(phase, phase == "Succeeded", reason, message);
    if (!out_.status.contains("completionTime")) out_.status["completionTime"] = format_rfc3339(now_);
    after_finish();
  }

  // TTL after finish: delete the session once it has passed, else look again then.
  void after_finish() {
    const json* ttl = find(session_, {"spec", "ttlSecondsAfterFinished"});
    auto done = time_at(out_.status, {"completionTime"});
    if (ttl == nullptr || !ttl->is_number_integer() || !done) return;
    const auto deadline = *done + seconds(ttl->get<std::int64_t>());
    if (now_ >= deadline)
      out_.delete_session = true;
    else
      out_.requeue_after = until(deadline, now_);
  }

  void from_pod(const json& pod) {
    const std::string pod_phase = string_at(pod, {"status", "phase"});
    if (!out_.status.contains("startTime"))
      if (const json* started = find(pod, {"status", "startTime"})) out_.status["startTime"] = *started;
    if (pod_phase == "Succeeded" || pod_phase == "Failed") return terminated(pod);
    if (pod_phase == "Running") return set("Running", false, kReasonRunning, "the runner is working");
    pending(pod);
  }

  void pending(const json& pod) {
    if (const json* cs = runner_status(pod)) {
      const std::string waiting = string_at(*cs, {"state", "waiting", "reason"});
      const std::string message = string_at(*cs, {"state", "waiting", "message"});
      if (waiting == "InvalidImageName")
        return finish("Failed", kReasonImagePullFailed, "invalid runner image: " + message);
      if (waiting == "CreateContainerConfigError" || waiting == "CreateContainerError")
        return finish("Failed", kReasonContainerConfigError, message);
      if (waiting == "ErrImagePull" || waiting == "ImagePullBackOff") {
        auto created = time_at(pod, {"metadata", "creationTimestamp"});
        if (created && now_ >= *created + timing_.image_pull_grace)
          return finish("Failed", kReasonImagePullFailed,
                        "the runner image could not be pulled for " + std::to_string(timing_.image_pull_grace.count()) +
                            "s: " + message);
        out_.requeue_after = created ? until(*created + timing_.image_pull_grace, now_) : timing_.image_pull_grace;
        return set("Pending", false, kReasonPodCreating, "pulling the runner image: " + message);
      }
    }
    const json* conditions = find(pod, {"status", "conditions"});
    if (conditions != nullptr && conditions->is_array()) {
      for (const auto& c : *conditions) {
        if (c.value("type", "") == "PodScheduled" && c.value("status", "") == "False" &&
            c.value("reason", "") == "Unschedulable")
          return set("Pending", false, kReasonUnschedulable, c.value("message", "no node can run the runner pod"));
      }
    }
    set("Pending", false, kReasonPodCreating, "waiting for the runner pod to start");
  }

  void terminated(const json& pod) {
    if (string_at(pod, {"status", "reason"}) == "DeadlineExceeded")
      return finish("TimedOut", kReasonDeadlineExceeded, "the session ran past spec.timeoutSeconds");
    const json* cs = runner_status(pod);
    const json* term = cs != nullptr ? find(*cs, {"state", "terminated"}) : nullptr;
    if (term == nullptr)
      return finish("Failed", kReasonRunnerError, "the runner pod ended without reporting its container's state");
    if (term->value("reason", "") == "OOMKilled")
      return finish("Failed", kReasonOOMKilled, "the runner ran out of memory; raise spec.resources.limits.memory");
    const contract::Decoded d = contract::decode(term->value("message", ""));
    if (!d.message) {
      const std::string tail = term->value("message", "");
      return finish("Failed", kReasonRunnerError,
                    "the runner exited with code " + std::to_string(term->value("exitCode", -1)) +
                        " without a report (" + d.error + ")" + (tail.empty() ? "" : ": " + tail.substr(0, 512)));
    }
    report(*d.message);
  }

  void report(const contract::TerminationMessage& m) {
    out_.status["usage"] = {{"inputTokens", m.usage.input_tokens},
                            {"outputTokens", m.usage.output_tokens},
                            {"llmRequests", m.usage.llm_requests},
                            {"toolCalls", m.usage.tool_calls},
                            {"commandsBlocked", m.usage.commands_blocked}};
    json result = {{"summary", m.result.summary}, {"filesChanged", m.result.files_changed}};
    if (!m.result.branch.empty()) result["branch"] = m.result.branch;
    if (!m.result.commit.empty()) result["commit"] = m.result.commit;
    out_.status["result"] = result;
    if (!m.trace_id.empty()) out_.status["traceId"] = m.trace_id;
    const std::string reason = m.reason.empty() ? std::string(kReasonRunnerError) : m.reason;
    switch (m.outcome) {
      case contract::Outcome::Succeeded:
        return finish("Succeeded", m.reason.empty() ? kReasonCompleted : m.reason, m.message);
      case contract::Outcome::Failed: return finish("Failed", reason, m.message);
      case contract::Outcome::TimedOut: return finish("TimedOut", reason, m.message);
      case contract::Outcome::AwaitingApproval:
        if (m.pending_approval) {
          out_.status["pendingApproval"] = {{"command", m.pending_approval->command},
                                            {"risk", m.pending_approval->risk},
                                            {"reasons", m.pending_approval->reasons},
                                            {"requestedAt", format_rfc3339(now_)}};
        }
        return set("AwaitingApproval", false, kReasonWaitingForApproval,
                   m.pending_approval ? "waiting for an approval of: " + m.pending_approval->command : m.message);
    }
  }

  // The pod's activeDeadlineSeconds normally ends a session in time; this is the
  // operator's own clock, for a pod the kubelet does not stop (or no kubelet).
  void check_own_clock(const json& pod) {
    if (is_terminal(out_.status.value("phase", "")) || out_.status.value("phase", "") == "AwaitingApproval") return;
    auto started = time_at(out_.status, {"startTime"});
    if (!started) started = time_at(pod, {"metadata", "creationTimestamp"});
    if (!started) return;
    const json* t = find(session_, {"spec", "timeoutSeconds"});
    const seconds timeout(t != nullptr && t->is_number_integer() ? t->get<std::int64_t>() : kDefaultTimeoutSeconds);
    const auto deadline = *started + timeout + timing_.timeout_grace;
    if (now_ >= deadline) {
      finish("TimedOut", kReasonDeadlineExceeded,
             "the session ran past spec.timeoutSeconds (" + std::to_string(timeout.count()) + "s)");
      out_.delete_pod = true;
    } else if (!out_.requeue_after || *out_.requeue_after > until(deadline, now_)) {
      out_.requeue_after = until(deadline, now_);
    }
  }

  const json& session_;
  Clock::time_point now_;
  const Timing& timing_;
  std::int64_t generation_ = 0;
  Transition out_;
};

}  // namespace

bool is_terminal(const std::string& phase) {
  static const std::array<const char*, 5> kTerminal = {"Denied", "Succeeded", "Failed", "TimedOut", "Cancelled"};
  return std::any_of(kTerminal.begin(), kTerminal.end(), [&](const char* p) { return phase == p; });
}

void set_condition(json& status, const std::string& type, bool value, const std::string& reason,
                   const std::string& message, std::int64_t generation, Clock::time_point now) {
  json& conditions = status["conditions"];
  if (!conditions.is_array()) conditions = json::array();
  json condition = {
      {"type", type},       {"status", value ? "True" : "False"}, {"reason", reason},
      {"message", message}, {"observedGeneration", generation},   {"lastTransitionTime", format_rfc3339(now)}};
  for (auto& c : conditions) {
    if (c.value("type", "") != type) continue;
    if (c.value("status", "") == condition["status"] && c.value("reason", "") == reason)
      condition["lastTransitionTime"] = c.value("lastTransitionTime", format_rfc3339(now));
    c = condition;
    return;
  }
  conditions.push_back(condition);
}

void set_ready_condition(json& status, bool ready, const std::string& reason, const std::string& message,
                         std::int64_t generation, Clock::time_point now) {
  set_condition(status, "Ready", ready, reason, message, generation, now);
}

Transition next_status(const json& session, const std::optional<json>& pod, bool pod_expected, Clock::time_point now,
                       const Timing& timing) {
  return Machine(session, now, timing).run(pod, pod_expected);
}

}  // namespace droid::op
