#include "reconcile/session_status.h"

#include <algorithm>
#include <array>

#include "contract/termination_message.h"
#include "jsonutil/lookup.h"
#include "reconcile/cached_pod.h"
#include "reconcile/cached_session.h"

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

// The timeout the session was admitted with (status.timeoutSeconds: spec, else the
// policy's default); spec.timeoutSeconds, else the built-in default, for a session
// admitted by an operator that did not record it.
seconds session_timeout(const json& status, const CachedSession& session) {
  if (const json* t = find(status, {"timeoutSeconds"}); t != nullptr && t->is_number_integer())
    return seconds(t->get<std::int64_t>());
  return seconds(session.timeout_seconds.value_or(kDefaultTimeoutSeconds));
}

constexpr std::array<const char*, 5> kUsageFields = {"inputTokens", "outputTokens", "llmRequests", "toolCalls",
                                                     "commandsBlocked"};

json zero_usage() {
  json u = json::object();
  for (const char* f : kUsageFields) u[f] = 0;
  return u;
}

// a + sign * b, field by field (missing fields count 0, results never below 0).
json add_usage(const json& a, const json& b, int sign = 1) {
  json out = zero_usage();
  for (const char* f : kUsageFields) {
    const auto get = [&](const json& u) {
      return u.is_object() && u.contains(f) && u[f].is_number_integer() ? u[f].get<std::int64_t>() : 0;
    };
    out[f] = std::max<std::int64_t>(0, get(a) + sign * get(b));
  }
  return out;
}

// What the runs before the current one used.
json earlier_usage(const json& status) {
  json sum = zero_usage();
  if (const json* runs = find(status, {"previousRuns"}); runs != nullptr && runs->is_array())
    for (const auto& r : *runs) sum = add_usage(sum, r.value("usage", json::object()));
  return sum;
}

class Machine {
 public:
  Machine(const CachedSession& session, Clock::time_point now, const Timing& timing,
          const std::optional<InPlaceRequest>& request, std::optional<json> status = std::nullopt)
      : session_(session), now_(now), timing_(timing), request_(request) {
    out_.status = status ? std::move(*status) : session.status();
    generation_ = session.generation;
    out_.status["observedGeneration"] = generation_;
  }

  // Admission outcomes (before the run's pod exists).
  Transition deny(const std::string& reason, const std::string& message) {
    finish("Denied", reason, message);
    out_.event = Note{"Warning", reason, "Deny", message};
    return out_;
  }

  Transition wait_for_slot(const std::string& reason, const std::string& message) {
    const std::string before = ready_reason();
    set("Pending", false, reason, message);
    if (before != reason) out_.event = Note{"Normal", reason, "Wait", message};
    out_.requeue_after = timing_.wait_recheck;
    return out_;
  }

  Transition creation_failed(const std::string& reason, const std::string& message, bool permanent) {
    const int attempts = out_.status.value("attempts", 0) + 1;
    out_.status["attempts"] = attempts;
    const std::string of =
        " (attempt " + std::to_string(attempts) + " of " + std::to_string(timing_.max_pod_attempts) + ")";
    out_.event = Note{"Warning", reason, "Create", message + of};
    if (permanent || attempts >= timing_.max_pod_attempts) {
      finish("Failed", reason, message + of);
      return out_;
    }
    set("Pending", false, reason, message + of + "; retrying");
    out_.requeue_after = seconds(std::int64_t{1} << std::min(attempts, 6));
    return out_;
  }

  Transition created(const std::string& pod_name, std::int64_t timeout_seconds) {
    out_.status["phase"] = "Pending";
    out_.status["podName"] = pod_name;
    out_.status["runAttempt"] = session_.run_attempt;
    set_ready_condition(out_.status, false, kReasonPodCreating, kMessageWaitingForPod, generation_, now_);
    // Without pod events (a kubelet that never reports) the operator's own clock still ends the session.
    out_.requeue_after = seconds(timeout_seconds) + timing_.timeout_grace;
    return out_;
  }

  Transition run(const CachedPod* pod, bool pod_expected) {
    const std::string phase = out_.status.value("phase", "");
    if (is_terminal(phase)) {
      after_finish();
      return out_;
    }
    if (session_.cancel) {
      finish("Cancelled", kReasonCancelled, "cancelled by spec.cancel");
      out_.delete_pod = pod != nullptr && !pod->has_ended();  // an ended pod stays for its logs
      return out_;
    }
    // The run ended asking for an approval: its report is in the status already
    // (its pod stays for its logs, but the session no longer needs it).
    if (phase == "AwaitingApproval" && !waiting_in_place()) {
      awaiting();
      return out_;
    }
    if (pod == nullptr || (waiting_in_place() && !pod->deletion_timestamp.empty())) {
      if (waiting_in_place()) {
        lost_while_waiting("the runner pod was deleted while it waited in place");
        return out_;
      }
    }
    if (pod == nullptr) {
      if (pod_expected && !phase.empty() && phase != "Pending") {
        finish("Failed", kReasonPodDisappeared, "the runner pod was deleted before the session finished");
      } else {
        set("Pending", false, kReasonPodCreating, "creating the runner pod");
      }
      return out_;
    }
    out_.status["podName"] = pod->name;
    const bool was_in_place = waiting_in_place();
    from_pod(*pod);
    const std::string now_phase = out_.status.value("phase", "");
    if (was_in_place && now_phase == "Failed" && pod->has_ended() && ready_reason() == kReasonRunnerError) {
      // Killed while it waited, without a report: the wait falls back like a lost pod.
      lost_while_waiting("the runner pod ended without a report while it waited in place");
    } else if (now_phase == "AwaitingApproval") {
      awaiting();  // an approval may have arrived while the run still ran
    } else {
      if (now_phase == "Running") in_place(*pod);
      check_own_clock(*pod);
    }
    return out_;
  }

 private:
  bool waiting_in_place() const {
    const json* p = find(out_.status, {"pendingApproval", "inPlace"});
    return p != nullptr && p->is_boolean() && p->get<bool>();
  }

  std::string ready_reason() const {
    for (const auto& c : out_.status.value("conditions", json::array()))
      if (c.value("type", "") == "Ready") return c.value("reason", "");
    return "";
  }

  void record(const std::string& command, const Decision& d, bool in_place) {
    json& history = out_.status["approvals"];
    if (!history.is_array()) history = json::array();
    history.push_back(history_entry(command, d, format_rfc3339(now_), session_.run_attempt, in_place));
    const std::string who = d.by.empty() ? "" : " by " + d.by;
    out_.approval_event = {d.approved ? kReasonApprovalReceived : kReasonApprovalRejected,
                           std::string(d.approved ? "approved" : "rejected") + who + ": " + command +
                               (d.reason.empty() ? "" : " (" + d.reason + ")") +
                               (in_place     ? "; handed to the runner waiting in place"
                                : d.approved ? "; starting run " + std::to_string(session_.run_attempt + 1)
                                             : "")};
  }

  // The run's pod runs (phase Running from the pod): is its runner waiting in place?
  void in_place(const CachedPod& pod) {
    const std::string& pod_name = pod.name;
    if (!runner_waits_in_place(pod)) {
      // The runner went on after a decision (or its wait ended and it is finishing).
      if (waiting_in_place()) out_.status.erase("pendingApproval");
      return;
    }
    if (request_ && (!waiting_in_place() || string_at(out_.status, {"pendingApproval", "id"}) != request_->id ||
                     string_at(out_.status, {"pendingApproval", "podName"}) != pod_name)) {
      out_.status["pendingApproval"] = {{"command", request_->command},
                                        {"risk", request_->risk},
                                        {"reasons", request_->reasons},
                                        {"requestedAt", format_rfc3339(now_)},
                                        {"inPlace", true},
                                        {"id", request_->id},
                                        {"podName", pod_name},
                                        {"waitUntil", format_rfc3339(now_ + seconds(request_->wait_seconds))}};
    }
    if (!waiting_in_place() || string_at(out_.status, {"pendingApproval", "podName"}) != pod_name)
      return;  // Ready, but its request is not known yet: the reconciler reads it
    json& pending = out_.status["pendingApproval"];
    const std::string command = pending.value("command", "");
    if (!pending.contains("decision")) {
      if (auto d = decision_for(session_, command)) {
        pending["decision"] = d->approved ? "Approved" : "Rejected";
        if (!d->by.empty()) pending["decidedBy"] = d->by;
        if (!d->reason.empty()) pending["reason"] = d->reason;
        pending["decidedAt"] = format_rfc3339(now_);
        record(command, *d, true);
      }
    }
    if (pending.contains("decision")) {
      const bool approved = pending.value("decision", "") == "Approved";
      const std::string value = decision_annotation(pending);
      // The pod's annotation carries the reconciler's signature besides (approval_channel.h).
      json on_pod = json::parse(pod.approval_decision, nullptr, /*allow_exceptions=*/false);
      if (on_pod.is_object()) on_pod.erase("sig");
      if (!on_pod.is_object() || on_pod != json::parse(value)) out_.deliver_decision = value;
      set("Running", false, approved ? kReasonApprovalReceived : kReasonApprovalRejected,
          std::string(approved ? "approved" : "rejected") + ": " + command + "; the runner waiting in place goes on");
      out_.requeue_after = timing_.decided_recheck;
      return;
    }
    const std::string until = pending.value("waitUntil", "");
    set("AwaitingApproval", false, kReasonWaitingForApproval,
        "waiting in place for an approval of: " + command +
            " (kubectl droid approve, or add it to spec.approvals; kubectl droid reject --reason to refuse it)" +
            (until.empty() ? "" : "; the runner waits until " + until + ", then an approval starts a new run"));
    if (auto deadline = parse_rfc3339(until)) out_.requeue_after = until_time(*deadline + seconds(30));
  }

  // The runner waiting in place is gone: the session waits on, and an approval
  // starts a new run (the path of a run that ended asking).
  void lost_while_waiting(const std::string& why) {
    json& pending = out_.status["pendingApproval"];
    pending["inPlace"] = false;
    pending["endReason"] = kReasonPodLostWhileWaiting;
    for (const char* key : {"decision", "decidedBy", "decidedAt", "reason", "waitUntil", "id"}) pending.erase(key);
    set("AwaitingApproval", false, kReasonWaitingForApproval,
        why + "; waiting for an approval of: " + pending.value("command", "") + ", which starts a new run");
    awaiting();
  }

  seconds until_time(Clock::time_point deadline) const { return until(deadline, now_); }

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
    auto done = time_at(out_.status, {"completionTime"});
    if (!session_.ttl_seconds_after_finished || !done) return;
    const auto deadline = *done + seconds(*session_.ttl_seconds_after_finished);
    if (now_ >= deadline)
      out_.delete_session = true;
    else
      out_.requeue_after = until(deadline, now_);
  }

  void from_pod(const CachedPod& pod) {
    const std::string& pod_phase = pod.phase;
    if (!out_.status.contains("startTime") && !pod.start_time.empty()) out_.status["startTime"] = pod.start_time;
    if (pod_phase == "Succeeded" || pod_phase == "Failed") return terminated(pod);
    if (pod_phase == "Running") return set("Running", false, kReasonRunning, "the runner is working");
    pending(pod);
  }

  void pending(const CachedPod& pod) {
    if (pod.runner) {
      const std::string& waiting = pod.runner->waiting_reason;
      const std::string& message = pod.runner->waiting_message;
      if (waiting == "InvalidImageName")
        return finish("Failed", kReasonImagePullFailed, "invalid runner image: " + message);
      if (waiting == "CreateContainerConfigError" || waiting == "CreateContainerError")
        return finish("Failed", kReasonContainerConfigError, message);
      if (waiting == "ErrImagePull" || waiting == "ImagePullBackOff") {
        auto created = parse_rfc3339(pod.creation_timestamp);
        if (created && now_ >= *created + timing_.image_pull_grace)
          return finish("Failed", kReasonImagePullFailed,
                        "the runner image could not be pulled for " + std::to_string(timing_.image_pull_grace.count()) +
                            "s: " + message);
        out_.requeue_after = created ? until(*created + timing_.image_pull_grace, now_) : timing_.image_pull_grace;
        return set("Pending", false, kReasonPodCreating, "pulling the runner image: " + message);
      }
    }
    if (pod.unschedulable)
      return set("Pending", false, kReasonUnschedulable,
                 pod.unschedulable->empty() ? "no node can run the runner pod" : *pod.unschedulable);
    set("Pending", false, kReasonPodCreating, kMessageWaitingForPod);
  }

  void terminated(const CachedPod& pod) {
    if (pod.reason == "DeadlineExceeded")
      return finish("TimedOut", kReasonDeadlineExceeded,
                    "the session ran past its timeout (the pod's activeDeadlineSeconds)");
    if (!pod.runner || !pod.runner->terminated)
      return finish("Failed", kReasonRunnerError, "the runner pod ended without reporting its container's state");
    const RunnerContainer& term = *pod.runner;
    if (term.terminated_reason == "OOMKilled")
      return finish("Failed", kReasonOOMKilled, "the runner ran out of memory; raise spec.resources.limits.memory");
    const contract::Decoded d = contract::decode(term.terminated_message);
    if (!d.message) {
      const std::string& tail = term.terminated_message;
      return finish("Failed", kReasonRunnerError,
                    "the runner exited with code " + std::to_string(term.exit_code) + " without a report (" + d.error +
                        ")" + (tail.empty() ? "" : ": " + tail.substr(0, 512)));
    }
    report(*d.message);
  }

  void report(const contract::TerminationMessage& m) {
    // Every run counts: the earlier ones (status.previousRuns) plus this one.
    out_.status["usage"] = add_usage(earlier_usage(out_.status), {{"inputTokens", m.usage.input_tokens},
                                                                  {"outputTokens", m.usage.output_tokens},
                                                                  {"llmRequests", m.usage.llm_requests},
                                                                  {"toolCalls", m.usage.tool_calls},
                                                                  {"commandsBlocked", m.usage.commands_blocked}});
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
      case contract::Outcome::AwaitingApproval: return ask(m);
    }
  }

  void ask(const contract::TerminationMessage& m) {
    if (!m.pending_approval || m.pending_approval->command.empty())
      return finish("Failed", kReasonRunnerError,
                    "the runner asked for an approval without naming the command: " + m.message);
    const std::string& command = m.pending_approval->command;
    const int run = session_.run_attempt;
    if (run > timing_.max_approval_rounds)
      return finish("Failed", kReasonApprovalRoundsExceeded,
                    "run " + std::to_string(run) + " asked for an approval again (of: " + command +
                        "); a session may ask at most " + std::to_string(timing_.max_approval_rounds) +
                        " times (--max-approval-rounds)");
    out_.status["pendingApproval"] = {{"command", command},
                                      {"risk", m.pending_approval->risk},
                                      {"reasons", m.pending_approval->reasons},
                                      {"requestedAt", format_rfc3339(now_)},
                                      {"inPlace", false},
                                      {"endReason", m.reason.empty() ? "ApprovalRequired" : m.reason}};
    set("AwaitingApproval", false, kReasonWaitingForApproval,
        "waiting for an approval of: " + command + " (add it to spec.approvals)");
  }

  // AwaitingApproval: the session's clock still runs (spec.timeoutSeconds from
  // startTime, the wait included); an approval of exactly the pending command
  // starts the next run.
  void awaiting() {
    const std::string command = string_at(out_.status, {"pendingApproval", "command"});
    auto started = time_at(out_.status, {"startTime"});
    if (!started) started = parse_rfc3339(session_.creation_timestamp);
    if (started) {
      const seconds timeout = session_timeout(out_.status, session_);
      const auto deadline = *started + timeout;
      if (now_ >= deadline)
        return finish("TimedOut", kReasonApprovalTimedOut,
                      "no approval of '" + command + "' arrived within the session's timeout (" +
                          std::to_string(timeout.count()) + "s)");
      out_.requeue_after = until(deadline, now_);
    }
    if (command.empty()) return;
    if (auto d = decision_for(session_, command)) {
      record(command, *d, false);
      if (d->approved) return resume(command);
      return finish("Failed", kReasonApprovalRejected,
                    "rejected" + (d->by.empty() ? "" : " by " + d->by) + ": " + command +
                        (d->reason.empty() ? "" : " (" + d->reason + ")") +
                        "; the run that asked had ended, so the session ends");
    }
  }

  void resume(const std::string& command) {
    const int run = session_.run_attempt;
    json& previous = out_.status["previousRuns"];
    if (!previous.is_array()) previous = json::array();
    const json this_run = add_usage(out_.status.value("usage", json::object()), earlier_usage(out_.status), -1);
    json entry = {{"runAttempt", run},
                  {"podName", out_.status.value("podName", "")},
                  {"approvedCommand", command},
                  {"approvedAt", format_rfc3339(now_)},
                  {"usage", this_run}};
    if (const std::string why = string_at(out_.status, {"pendingApproval", "endReason"}); !why.empty())
      entry["endReason"] = why;
    if (const std::string summary = string_at(out_.status, {"result", "summary"}); !summary.empty())
      entry["summary"] = summary.substr(0, 4096);
    previous.push_back(entry);
    out_.status["runAttempt"] = run + 1;
    // The next run starts afresh: pod creation retries and the result are its own.
    for (const char* key : {"pendingApproval", "attempts", "result"}) out_.status.erase(key);
    set("Pending", false, kReasonApprovalReceived,
        "approved: " + command + "; starting run " + std::to_string(run + 1));
    out_.approved_command = command;
  }

  // The pod's activeDeadlineSeconds normally ends a session in time; this is the
  // operator's own clock, for a pod the kubelet does not stop (or no kubelet).
  void check_own_clock(const CachedPod& pod) {
    if (is_terminal(out_.status.value("phase", ""))) return;
    if (out_.status.value("phase", "") == "AwaitingApproval" && !waiting_in_place()) return;
    auto started = time_at(out_.status, {"startTime"});
    if (!started) started = parse_rfc3339(pod.creation_timestamp);
    if (!started) return;
    const seconds timeout = session_timeout(out_.status, session_);
    const auto deadline = *started + timeout + timing_.timeout_grace;
    if (now_ >= deadline) {
      finish("TimedOut", kReasonDeadlineExceeded,
             "the session ran past its timeout (" + std::to_string(timeout.count()) + "s)");
      out_.delete_pod = true;
    } else if (!out_.requeue_after || *out_.requeue_after > until(deadline, now_)) {
      out_.requeue_after = until(deadline, now_);
    }
  }

  const CachedSession& session_;
  Clock::time_point now_;
  const Timing& timing_;
  const std::optional<InPlaceRequest>& request_;
  std::int64_t generation_ = 0;
  Transition out_;
};

}  // namespace

bool is_terminal(const std::string& phase) {
  static const std::array<const char*, 5> kTerminal = {"Denied", "Succeeded", "Failed", "TimedOut", "Cancelled"};
  return std::any_of(kTerminal.begin(), kTerminal.end(), [&](const char* p) { return phase == p; });
}

bool is_approved(const CachedSession& session, const std::string& command) {
  return session.approval_of(command) != nullptr;
}

std::int64_t tokens_used(const json& status) {
  const json u = add_usage(status.value("usage", json::object()), json::object());
  return u["inputTokens"].get<std::int64_t>() + u["outputTokens"].get<std::int64_t>();
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

Transition next_status(const CachedSession& session, const CachedPod* pod, bool pod_expected, Clock::time_point now,
                       const Timing& timing, const std::optional<InPlaceRequest>& request) {
  return Machine(session, now, timing, request).run(pod, pod_expected);
}

Transition denied(const CachedSession& session, json status, const std::string& reason, const std::string& message,
                  Clock::time_point now, const Timing& timing) {
  return Machine(session, now, timing, std::nullopt, std::move(status)).deny(reason, message);
}

Transition waiting_for_slot(const CachedSession& session, json status, const std::string& reason,
                            const std::string& message, Clock::time_point now, const Timing& timing) {
  return Machine(session, now, timing, std::nullopt, std::move(status)).wait_for_slot(reason, message);
}

Transition pod_creation_failed(const CachedSession& session, json status, const std::string& reason,
                               const std::string& message, bool permanent, Clock::time_point now,
                               const Timing& timing) {
  return Machine(session, now, timing, std::nullopt, std::move(status)).creation_failed(reason, message, permanent);
}

Transition pod_created(const CachedSession& session, json status, const std::string& pod_name,
                       std::int64_t timeout_seconds, Clock::time_point now, const Timing& timing) {
  return Machine(session, now, timing, std::nullopt, std::move(status)).created(pod_name, timeout_seconds);
}

bool needs_request_from_log(const CachedSession& session, const CachedPod& pod) {
  if (!runner_waits_in_place(pod)) return false;
  const json status = session.status();
  const json* pending = find(status, {"pendingApproval"});
  if (pending == nullptr || !pending->value("inPlace", false)) return true;
  if (pending->value("podName", "") != pod.name) return true;
  // Decided: the runner's next request may already be in its log.
  return pending->contains("decision");
}

}  // namespace droid::op
