#include "reconcile/session_status.h"

#include <gtest/gtest.h>

#include "contract/termination_message.h"

namespace droid::op {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

const Clock::time_point kT0 = *parse_rfc3339("2026-11-21T10:00:00Z");

// The tests write sessions and pods as the API server sends them; the status
// machine takes them as the caches keep them (parsed once, typed).
Transition next_status(const json& s, const std::optional<json>& p, bool pod_expected, Clock::time_point now,
                       const Timing& timing = {}, const std::optional<InPlaceRequest>& request = std::nullopt) {
  const CachedSession session = parse_cached_session(s);
  std::optional<CachedPod> pod;
  if (p) pod = parse_cached_pod(*p);
  return droid::op::next_status(session, pod ? &*pod : nullptr, pod_expected, now, timing, request);
}
bool needs_request_from_log(const json& s, const json& p) {
  return droid::op::needs_request_from_log(parse_cached_session(s), parse_cached_pod(p));
}
bool is_approved(const json& s, const std::string& command) {
  return droid::op::is_approved(parse_cached_session(s), command);
}
int run_attempt(const json& s) { return parse_cached_session(s).run_attempt; }

json session(json spec = json::object(), json status = json::object()) {
  json s = {{"metadata", {{"name", "s"}, {"generation", 2}}}, {"spec", std::move(spec)}};
  if (!status.empty()) s["status"] = std::move(status);
  return s;
}

json pod(const std::string& phase, json extra_status = json::object()) {
  json p = {{"metadata", {{"name", "s-runner"}, {"creationTimestamp", "2026-11-21T10:00:00Z"}}},
            {"status", {{"phase", phase}}}};
  for (auto& [k, v] : extra_status.items()) p["status"][k] = v;
  return p;
}

json terminated_with(const std::string& message, int exit_code = 0, const std::string& reason = "Completed") {
  return {{"containerStatuses",
           {{{"name", "runner"},
             {"state", {{"terminated", {{"exitCode", exit_code}, {"reason", reason}, {"message", message}}}}}}}}};
}

const json& ready(const Transition& t) { return t.status["conditions"][0]; }

TEST(SessionStatus, PendingUntilThePodExists) {
  Transition t = next_status(session(), std::nullopt, false, kT0);
  EXPECT_EQ(t.status["phase"], "Pending");
  EXPECT_EQ(ready(t)["reason"], kReasonPodCreating);
  EXPECT_EQ(ready(t)["status"], "False");
  EXPECT_EQ(t.status["observedGeneration"], 2);
}

TEST(SessionStatus, RunningWithStartTime) {
  Transition t = next_status(session(), pod("Running", {{"startTime", "2026-11-21T10:00:05Z"}}), true, kT0 + 10s);
  EXPECT_EQ(t.status["phase"], "Running");
  EXPECT_EQ(t.status["startTime"], "2026-11-21T10:00:05Z");
  EXPECT_EQ(t.status["podName"], "s-runner");
  ASSERT_TRUE(t.requeue_after);  // the operator's own timeout clock
  EXPECT_EQ(*t.requeue_after, 3600s + 30s - 5s);
}

TEST(SessionStatus, SucceededFromTheTerminationMessage) {
  contract::TerminationMessage m;
  m.outcome = contract::Outcome::Succeeded;
  m.message = "all tests pass";
  m.result = {"fixed", 2, "droid/fix", "abc123"};
  m.usage = {10, 20, 3, 4, 1};
  m.trace_id = "trace-1";
  Transition t = next_status(session(), pod("Succeeded", terminated_with(contract::encode(m))), true, kT0 + 60s);
  EXPECT_EQ(t.status["phase"], "Succeeded");
  EXPECT_EQ(ready(t)["status"], "True");
  EXPECT_EQ(ready(t)["reason"], kReasonCompleted);
  EXPECT_EQ(t.status["result"]["branch"], "droid/fix");
  EXPECT_EQ(t.status["usage"]["toolCalls"], 4);
  EXPECT_EQ(t.status["traceId"], "trace-1");
  EXPECT_EQ(t.status["completionTime"], "2026-11-21T10:01:00Z");
}

TEST(SessionStatus, FailuresHaveClearReasons) {
  contract::TerminationMessage m;
  m.outcome = contract::Outcome::Failed;
  m.reason = "TurnLimitReached";
  m.message = "stopped after 20 turns";
  Transition reported = next_status(session(), pod("Failed", terminated_with(contract::encode(m), 1)), true, kT0);
  EXPECT_EQ(reported.status["phase"], "Failed");
  EXPECT_EQ(ready(reported)["reason"], "TurnLimitReached");

  Transition garbage = next_status(session(), pod("Failed", terminated_with("segfault in main", 139)), true, kT0);
  EXPECT_EQ(ready(garbage)["reason"], kReasonRunnerError);
  EXPECT_NE(ready(garbage)["message"].get<std::string>().find("exited with code 139"), std::string::npos);
  EXPECT_NE(ready(garbage)["message"].get<std::string>().find("segfault in main"), std::string::npos);

  Transition oom = next_status(session(), pod("Failed", terminated_with("", 137, "OOMKilled")), true, kT0);
  EXPECT_EQ(ready(oom)["reason"], kReasonOOMKilled);

  Transition deadline = next_status(session(), pod("Failed", {{"reason", "DeadlineExceeded"}}), true, kT0);
  EXPECT_EQ(deadline.status["phase"], "TimedOut");
}

TEST(SessionStatus, ImagePullsFailAfterTheGrace) {
  json waiting = {
      {"containerStatuses",
       {{{"name", "runner"}, {"state", {{"waiting", {{"reason", "ImagePullBackOff"}, {"message", "not found"}}}}}}}}};
  Transition early = next_status(session(), pod("Pending", waiting), true, kT0 + 30s);
  EXPECT_EQ(early.status["phase"], "Pending");
  EXPECT_EQ(*early.requeue_after, 90s);
  Transition late = next_status(session(), pod("Pending", waiting), true, kT0 + 121s);
  EXPECT_EQ(late.status["phase"], "Failed");
  EXPECT_EQ(ready(late)["reason"], kReasonImagePullFailed);
}

TEST(SessionStatus, UnschedulableStaysPendingWithTheSchedulersWord) {
  json status = {{"conditions",
                  {{{"type", "PodScheduled"},
                    {"status", "False"},
                    {"reason", "Unschedulable"},
                    {"message", "0/0 nodes are available"}}}}};
  Transition t = next_status(session(), pod("Pending", status), true, kT0);
  EXPECT_EQ(t.status["phase"], "Pending");
  EXPECT_EQ(ready(t)["reason"], kReasonUnschedulable);
  EXPECT_EQ(ready(t)["message"], "0/0 nodes are available");
}

TEST(SessionStatus, TheOperatorsOwnClockTimesOut) {
  json spec = {{"timeoutSeconds", 60}};
  Transition before =
      next_status(session(spec), pod("Running", {{"startTime", "2026-11-21T10:00:00Z"}}), true, kT0 + 80s);
  EXPECT_EQ(before.status["phase"], "Running");
  Transition after =
      next_status(session(spec), pod("Running", {{"startTime", "2026-11-21T10:00:00Z"}}), true, kT0 + 91s);
  EXPECT_EQ(after.status["phase"], "TimedOut");
  EXPECT_TRUE(after.delete_pod);
}

TEST(SessionStatus, TheClockIsTheTimeoutTheSessionWasAdmittedWith) {
  // No spec.timeoutSeconds: the policy's default the reconciler recorded at admission (120 s) counts,
  // not the built-in 3600 s.
  const json running = pod("Running", {{"startTime", "2026-11-21T10:00:00Z"}});
  const json admitted = session({}, {{"phase", "Running"}, {"timeoutSeconds", 120}});
  EXPECT_EQ(next_status(admitted, running, true, kT0 + 140s).status["phase"], "Running");
  Transition after = next_status(admitted, running, true, kT0 + 151s);
  EXPECT_EQ(after.status["phase"], "TimedOut");
  EXPECT_NE(ready(after)["message"].get<std::string>().find("(120s)"), std::string::npos) << ready(after);
  // Without the record (admitted by an older operator): spec, then the built-in default.
  EXPECT_EQ(next_status(session({}, {{"phase", "Running"}}), running, true, kT0 + 151s).status["phase"], "Running");
  EXPECT_EQ(
      next_status(session({{"timeoutSeconds", 60}}, {{"phase", "Running"}}), running, true, kT0 + 91s).status["phase"],
      "TimedOut");
}

TEST(SessionStatus, CancelDeletesThePod) {
  Transition t = next_status(session({{"cancel", true}}), pod("Running"), true, kT0);
  EXPECT_EQ(t.status["phase"], "Cancelled");
  EXPECT_TRUE(t.delete_pod);
  EXPECT_EQ(ready(t)["reason"], kReasonCancelled);
}

TEST(SessionStatus, APodThatVanishesFailsTheSession) {
  Transition t = next_status(session({}, {{"phase", "Running"}}), std::nullopt, true, kT0);
  EXPECT_EQ(t.status["phase"], "Failed");
  EXPECT_EQ(ready(t)["reason"], kReasonPodDisappeared);
}

contract::TerminationMessage asks_for(const std::string& command, contract::Usage usage = {}) {
  contract::TerminationMessage m;
  m.outcome = contract::Outcome::AwaitingApproval;
  m.reason = "ApprovalRequired";
  m.pending_approval = contract::PendingApproval{command, "high", {"pushes"}};
  m.usage = usage;
  return m;
}

// A session whose first run ended asking for `command`, as the operator wrote it.
json awaiting(const std::string& command, json approvals = json::array(), json spec = json::object()) {
  spec["approvals"] = std::move(approvals);
  return session(spec, {{"phase", "AwaitingApproval"},
                        {"observedGeneration", 2},
                        {"podName", "s-runner"},
                        {"runAttempt", 1},
                        {"attempts", 1},
                        {"startTime", "2026-11-21T10:00:00Z"},
                        {"usage", {{"inputTokens", 100}, {"outputTokens", 10}, {"llmRequests", 2}, {"toolCalls", 1}}},
                        {"result", {{"summary", "asked"}, {"filesChanged", 1}}},
                        {"pendingApproval", {{"command", command}, {"risk", "high"}}}});
}

TEST(SessionStatus, AwaitingApprovalShowsTheCommand) {
  Transition t = next_status(
      session({{"timeoutSeconds", 600}}, {{"phase", "Running"}, {"startTime", "2026-11-21T10:00:00Z"}}),
      pod("Succeeded", terminated_with(contract::encode(asks_for("git push origin HEAD")))), true, kT0 + 60s);
  EXPECT_EQ(t.status["phase"], "AwaitingApproval");
  EXPECT_EQ(t.status["pendingApproval"]["command"], "git push origin HEAD");
  EXPECT_EQ(t.status["pendingApproval"]["risk"], "high");
  EXPECT_EQ(t.status["pendingApproval"]["requestedAt"], "2026-11-21T10:01:00Z");
  EXPECT_EQ(ready(t)["reason"], kReasonWaitingForApproval);
  EXPECT_FALSE(t.approved_command);
  // The session's clock still runs while it waits: look again at its deadline.
  ASSERT_TRUE(t.requeue_after);
  EXPECT_EQ(*t.requeue_after, 540s);
}

TEST(SessionStatus, OnlyAnApprovalOfThePendingCommandStartsTheNextRun) {
  const std::string cmd = "git push origin droid/fix";
  for (const json& unrelated : {json::array(), json({{{"command", "make deploy"}}}),
                                json({{{"command", cmd + " --force"}}, {{"command", "git push origin droid/fix "}}})}) {
    Transition t = next_status(awaiting(cmd, unrelated), std::nullopt, true, kT0 + 60s);
    EXPECT_EQ(t.status["phase"], "AwaitingApproval") << unrelated.dump();
    EXPECT_FALSE(t.approved_command) << unrelated.dump();
    EXPECT_FALSE(t.status.contains("previousRuns"));
    EXPECT_EQ(t.status, awaiting(cmd, unrelated)["status"]) << "nothing to write while nothing changed";
  }

  Transition t = next_status(awaiting(cmd, {{{"command", "make deploy"}}, {{"command", cmd}, {"approvedBy", "bob"}}}),
                             pod("Succeeded", terminated_with(contract::encode(asks_for(cmd)))), true, kT0 + 60s);
  ASSERT_TRUE(t.approved_command);
  EXPECT_EQ(*t.approved_command, cmd);
  EXPECT_EQ(t.status["phase"], "Pending");
  EXPECT_EQ(ready(t)["reason"], kReasonApprovalReceived);
  EXPECT_NE(ready(t)["message"].get<std::string>().find(cmd), std::string::npos);
  EXPECT_EQ(t.status["runAttempt"], 2);
  EXPECT_FALSE(t.status.contains("pendingApproval"));
  EXPECT_FALSE(t.status.contains("attempts")) << "pod creation retries count per run";
  EXPECT_FALSE(t.status.contains("result")) << "the next run reports its own result";
  EXPECT_FALSE(t.delete_pod) << "the asking run's pod stays for its logs";
  // The previous pod stays the session's pod until the next run's exists (the reconciler keeps its slot).
  EXPECT_EQ(t.status["podName"], "s-runner");
  ASSERT_EQ(t.status["previousRuns"].size(), 1u);
  const json& prev = t.status["previousRuns"][0];
  EXPECT_EQ(prev["runAttempt"], 1);
  EXPECT_EQ(prev["podName"], "s-runner");
  EXPECT_EQ(prev["approvedCommand"], cmd);
  EXPECT_EQ(prev["approvedAt"], "2026-11-21T10:01:00Z");
  EXPECT_EQ(prev["usage"]["inputTokens"], 100);
  EXPECT_EQ(prev["usage"]["llmRequests"], 2);
}

TEST(SessionStatus, AnApprovalThatArrivedWhileTheRunRanResumesAsSoonAsItAsks) {
  json s = session({{"approvals", {{{"command", "make deploy"}}}}}, {{"phase", "Running"}, {"podName", "s-runner"}});
  Transition t =
      next_status(s, pod("Succeeded", terminated_with(contract::encode(asks_for("make deploy")))), true, kT0);
  EXPECT_EQ(t.status["phase"], "Pending");
  EXPECT_EQ(t.status["runAttempt"], 2);
  EXPECT_TRUE(t.approved_command);
}

TEST(SessionStatus, TheNextRunReportsAndUsageCountsEveryRun) {
  json status = {{"phase", "Running"},
                 {"podName", "s-runner-2"},
                 {"runAttempt", 2},
                 {"startTime", "2026-11-21T10:00:00Z"},
                 {"previousRuns",
                  {{{"runAttempt", 1},
                    {"podName", "s-runner"},
                    {"approvedCommand", "make deploy"},
                    {"usage", {{"inputTokens", 100}, {"outputTokens", 10}, {"llmRequests", 2}, {"toolCalls", 1}}}}}}};
  contract::TerminationMessage m;
  m.outcome = contract::Outcome::Succeeded;
  m.result = {"deployed", 1, "", ""};
  m.usage = {50, 5, 1, 3, 0};
  json p = pod("Succeeded", terminated_with(contract::encode(m)));
  p["metadata"]["name"] = "s-runner-2";
  Transition t = next_status(session({{"approvals", {{{"command", "make deploy"}}}}}, status), p, true, kT0 + 60s);
  EXPECT_EQ(t.status["phase"], "Succeeded");
  EXPECT_EQ(t.status["result"]["summary"], "deployed");
  EXPECT_EQ(t.status["usage"]["inputTokens"], 150);
  EXPECT_EQ(t.status["usage"]["outputTokens"], 15);
  EXPECT_EQ(t.status["usage"]["llmRequests"], 3);
  EXPECT_EQ(t.status["usage"]["toolCalls"], 4);
  EXPECT_EQ(t.status["usage"]["commandsBlocked"], 0);
  EXPECT_EQ(t.status["runAttempt"], 2);
  EXPECT_EQ(tokens_used(t.status), 165);

  // A second approval round: what the second run used alone goes to previousRuns.
  m = asks_for("make release", {50, 5, 1, 3, 0});
  p["status"] = pod("Succeeded", terminated_with(contract::encode(m)))["status"];
  t = next_status(session({{"approvals", {{{"command", "make deploy"}}, {{"command", "make release"}}}}}, status), p,
                  true, kT0 + 60s);
  EXPECT_EQ(t.status["runAttempt"], 3);
  ASSERT_EQ(t.status["previousRuns"].size(), 2u);
  EXPECT_EQ(t.status["previousRuns"][1]["podName"], "s-runner-2");
  EXPECT_EQ(t.status["previousRuns"][1]["usage"]["inputTokens"], 50);
  EXPECT_EQ(t.status["usage"]["inputTokens"], 150);
}

TEST(SessionStatus, ApprovalRoundsAreBounded) {
  Timing timing;
  timing.max_approval_rounds = 2;
  const auto asking_run = [&](int run) {
    json s = session({}, {{"phase", "Running"}, {"runAttempt", run}});
    return next_status(s, pod("Succeeded", terminated_with(contract::encode(asks_for("make it")))), true, kT0, timing);
  };
  EXPECT_EQ(asking_run(1).status["phase"], "AwaitingApproval");
  EXPECT_EQ(asking_run(2).status["phase"], "AwaitingApproval");
  Transition third = asking_run(3);
  EXPECT_EQ(third.status["phase"], "Failed");
  EXPECT_EQ(ready(third)["reason"], kReasonApprovalRoundsExceeded);
  EXPECT_NE(ready(third)["message"].get<std::string>().find("make it"), std::string::npos);
  EXPECT_FALSE(third.status.contains("pendingApproval"));
  EXPECT_TRUE(third.status.contains("completionTime"));

  timing.max_approval_rounds = 0;  // no approvals at all
  EXPECT_EQ(asking_run(1).status["phase"], "Failed");
}

TEST(SessionStatus, AnAskWithoutACommandIsARunnerError) {
  contract::TerminationMessage m;
  m.outcome = contract::Outcome::AwaitingApproval;
  m.message = "needs approval";
  Transition t = next_status(session(), pod("Succeeded", terminated_with(contract::encode(m))), true, kT0);
  EXPECT_EQ(t.status["phase"], "Failed");
  EXPECT_EQ(ready(t)["reason"], kReasonRunnerError);
}

TEST(SessionStatus, AwaitingApprovalTimesOutFromTheSessionsStart) {
  json spec = {{"timeoutSeconds", 600}};
  Transition before = next_status(awaiting("make deploy", json::array(), spec), std::nullopt, true, kT0 + 599s);
  EXPECT_EQ(before.status["phase"], "AwaitingApproval") << "a deleted pod of a run that ended is no failure";
  EXPECT_EQ(*before.requeue_after, 1s);
  Transition after = next_status(awaiting("make deploy", json::array(), spec), std::nullopt, true, kT0 + 600s);
  EXPECT_EQ(after.status["phase"], "TimedOut");
  EXPECT_EQ(ready(after)["reason"], kReasonApprovalTimedOut);
  EXPECT_FALSE(after.delete_pod);
  // Too late is too late, even with the approval there.
  Transition late =
      next_status(awaiting("make deploy", {{{"command", "make deploy"}}}, spec), std::nullopt, true, kT0 + 601s);
  EXPECT_EQ(late.status["phase"], "TimedOut");
  EXPECT_FALSE(late.approved_command);
}

TEST(SessionStatus, CancelEndsTheWaitWithoutANewRun) {
  json s = awaiting("make deploy", {{{"command", "make deploy"}}}, {{"cancel", true}});
  Transition t =
      next_status(s, pod("Succeeded", terminated_with(contract::encode(asks_for("make deploy")))), true, kT0);
  EXPECT_EQ(t.status["phase"], "Cancelled");
  EXPECT_FALSE(t.approved_command);
  EXPECT_FALSE(t.delete_pod) << "the pod already ended; it stays for its logs";
  EXPECT_FALSE(t.status.contains("previousRuns"));
}

// --- waiting in place (issue 14) ---

// The runner pod running with its container Ready (waiting in place) or not.
json waiting_pod(bool ready, json annotations = json::object()) {
  json p = pod("Running", {{"startTime", "2026-11-21T10:00:00Z"},
                           {"containerStatuses",
                            {{{"name", "runner"}, {"ready", ready}, {"state", {{"running", {{"startedAt", "t"}}}}}}}}});
  if (!annotations.empty()) p["metadata"]["annotations"] = std::move(annotations);
  return p;
}

InPlaceRequest request(const std::string& id, const std::string& command) {
  return {.id = id, .command = command, .risk = "high", .reasons = {"denylist"}, .wait_seconds = 900};
}

// A session whose runner waits in place for `command` (request id "1"), as the operator wrote it.
json waiting_in_place(const std::string& command, json spec = json::object()) {
  return session(std::move(spec), {{"phase", "AwaitingApproval"},
                                   {"podName", "s-runner"},
                                   {"startTime", "2026-11-21T10:00:00Z"},
                                   {"pendingApproval",
                                    {{"command", command},
                                     {"risk", "high"},
                                     {"inPlace", true},
                                     {"id", "1"},
                                     {"podName", "s-runner"},
                                     {"requestedAt", "2026-11-21T10:01:00Z"},
                                     {"waitUntil", "2026-11-21T10:16:00Z"}}}});
}

TEST(SessionStatus, ARunnerWaitingInPlaceShowsItsRequest) {
  json s = session({}, {{"phase", "Running"}, {"podName", "s-runner"}, {"startTime", "2026-11-21T10:00:00Z"}});
  EXPECT_TRUE(needs_request_from_log(s, waiting_pod(true)));
  EXPECT_FALSE(needs_request_from_log(s, waiting_pod(false)));
  Transition t = next_status(s, waiting_pod(true), true, kT0 + 60s, {}, request("1", "terraform plan"));
  EXPECT_EQ(t.status["phase"], "AwaitingApproval");
  EXPECT_EQ(ready(t)["reason"], kReasonWaitingForApproval);
  const json& p = t.status["pendingApproval"];
  EXPECT_EQ(p["command"], "terraform plan");
  EXPECT_EQ(p["inPlace"], true);
  EXPECT_EQ(p["id"], "1");
  EXPECT_EQ(p["podName"], "s-runner");
  EXPECT_EQ(p["requestedAt"], "2026-11-21T10:01:00Z");
  EXPECT_EQ(p["waitUntil"], "2026-11-21T10:16:00Z");
  EXPECT_FALSE(t.deliver_decision);
  EXPECT_FALSE(t.approved_command);
  EXPECT_FALSE(needs_request_from_log(waiting_in_place("terraform plan"), waiting_pod(true)))
      << "an undecided request is not read again";
  // Ready, its request not read yet: Running until it is.
  Transition unknown = next_status(s, waiting_pod(true), true, kT0 + 60s);
  EXPECT_EQ(unknown.status["phase"], "Running");
}

TEST(SessionStatus, AnApprovalIsHandedToTheRunnerWaitingInPlaceWithoutANewRun) {
  const json spec = {{"approvals", {{{"command", "terraform plan"}, {"approvedBy", "alice"}}}}};
  Transition t = next_status(waiting_in_place("terraform plan", spec), waiting_pod(true), true, kT0 + 120s);
  EXPECT_EQ(t.status["phase"], "Running");
  EXPECT_EQ(ready(t)["reason"], kReasonApprovalReceived);
  EXPECT_FALSE(t.approved_command) << "no new run";
  EXPECT_FALSE(t.status.contains("runAttempt"));
  ASSERT_TRUE(t.deliver_decision);
  EXPECT_EQ(json::parse(*t.deliver_decision), json({{"id", "1"},
                                                    {"decision", "approved"},
                                                    {"command", "terraform plan"},
                                                    {"by", "alice"},
                                                    {"at", "2026-11-21T10:02:00Z"},
                                                    {"reason", ""}}));
  ASSERT_EQ(t.status["approvals"].size(), 1u);
  EXPECT_EQ(t.status["approvals"][0], json({{"command", "terraform plan"},
                                            {"decision", "Approved"},
                                            {"by", "alice"},
                                            {"at", "2026-11-21T10:02:00Z"},
                                            {"runAttempt", 1},
                                            {"inPlace", true}}));
  ASSERT_TRUE(t.approval_event);
  EXPECT_EQ(t.approval_event->first, kReasonApprovalReceived);
  EXPECT_NE(t.approval_event->second.find("by alice"), std::string::npos);
  ASSERT_TRUE(t.requeue_after);
  EXPECT_EQ(*t.requeue_after, 2s);

  // Next look: the pod has the annotation and is still Ready: nothing to hand again, nothing recorded twice.
  json decided = waiting_in_place("terraform plan", spec);
  decided["status"] = t.status;
  json annotated = waiting_pod(true, {{kApprovalDecisionAnnotation, *t.deliver_decision}});
  EXPECT_TRUE(needs_request_from_log(decided, annotated)) << "its next request may follow at once";
  Transition again = next_status(decided, annotated, true, kT0 + 121s);
  EXPECT_FALSE(again.deliver_decision);
  EXPECT_FALSE(again.approval_event);
  EXPECT_EQ(again.status["approvals"].size(), 1u);
  // A pod that lost the annotation (a failed patch) gets it again.
  EXPECT_TRUE(next_status(decided, waiting_pod(true), true, kT0 + 121s).deliver_decision);
  // Then the runner goes on: not Ready; the request is done.
  Transition on = next_status(decided, waiting_pod(false), true, kT0 + 123s);
  EXPECT_EQ(on.status["phase"], "Running");
  EXPECT_FALSE(on.status.contains("pendingApproval"));
  // Its next request (id 2) while still Ready replaces the decided one.
  Transition next = next_status(decided, annotated, true, kT0 + 124s, {}, request("2", "terraform apply"));
  EXPECT_EQ(next.status["phase"], "AwaitingApproval");
  EXPECT_EQ(next.status["pendingApproval"]["id"], "2");
  EXPECT_FALSE(next.status["pendingApproval"].contains("decision"));
}

TEST(SessionStatus, ARejectionIsHandedToTheRunnerWaitingInPlaceWithItsReason) {
  const json spec = {{"rejections", {{{"command", "rm -rf /data"}, {"rejectedBy", "bob"}, {"reason", "never"}}}}};
  Transition t = next_status(waiting_in_place("rm -rf /data", spec), waiting_pod(true), true, kT0 + 120s);
  EXPECT_EQ(t.status["phase"], "Running");
  EXPECT_EQ(ready(t)["reason"], kReasonApprovalRejected);
  ASSERT_TRUE(t.deliver_decision);
  const json d = json::parse(*t.deliver_decision);
  EXPECT_EQ(d["decision"], "rejected");
  EXPECT_EQ(d["reason"], "never");
  EXPECT_EQ(d["by"], "bob");
  EXPECT_EQ(t.status["approvals"][0]["decision"], "Rejected");
  EXPECT_EQ(t.approval_event->first, kReasonApprovalRejected);
}

TEST(SessionStatus, APodLostWhileWaitingInPlaceFallsBackToANewRun) {
  for (const bool deleting : {false, true}) {
    std::optional<json> gone;
    if (deleting) {
      gone = waiting_pod(true);
      (*gone)["metadata"]["deletionTimestamp"] = "2026-11-21T10:02:00Z";
    }
    Transition t = next_status(waiting_in_place("terraform plan"), gone, true, kT0 + 120s);
    EXPECT_EQ(t.status["phase"], "AwaitingApproval") << deleting;
    EXPECT_EQ(t.status["pendingApproval"]["inPlace"], false);
    EXPECT_EQ(t.status["pendingApproval"]["endReason"], kReasonPodLostWhileWaiting);
    EXPECT_NE(ready(t)["message"].get<std::string>().find("starts a new run"), std::string::npos);
    EXPECT_FALSE(t.approved_command);
  }
  // Already approved: the next run starts at once, and remembers why the first ended.
  const json spec = {{"approvals", {{{"command", "terraform plan"}, {"approvedBy", "alice"}}}}};
  Transition t = next_status(waiting_in_place("terraform plan", spec), std::nullopt, true, kT0 + 120s);
  ASSERT_TRUE(t.approved_command);
  EXPECT_EQ(t.status["runAttempt"], 2);
  EXPECT_EQ(t.status["previousRuns"][0]["endReason"], kReasonPodLostWhileWaiting);
  EXPECT_EQ(t.status["approvals"][0]["inPlace"], false);
  // Killed without a report while it waited: the same fallback, not a failure.
  Transition killed = next_status(waiting_in_place("terraform plan"), pod("Failed", terminated_with("", 137, "Error")),
                                  true, kT0 + 120s);
  EXPECT_EQ(killed.status["phase"], "AwaitingApproval");
  EXPECT_EQ(killed.status["pendingApproval"]["endReason"], kReasonPodLostWhileWaiting);
}

TEST(SessionStatus, AWaitThatExpiredFallsBackAndTheNextRunGetsTheSummary) {
  contract::TerminationMessage m = asks_for("terraform plan");
  m.reason = "ApprovalWaitExpired";
  m.result.summary = "Stopped waiting for an approval of `terraform plan`. Tool calls so far:\n- shell `ls`";
  json s = waiting_in_place("terraform plan");
  Transition t = next_status(s, pod("Succeeded", terminated_with(contract::encode(m))), true, kT0 + 960s);
  EXPECT_EQ(t.status["phase"], "AwaitingApproval");
  EXPECT_EQ(t.status["pendingApproval"]["inPlace"], false);
  EXPECT_EQ(t.status["pendingApproval"]["endReason"], "ApprovalWaitExpired");

  s["status"] = t.status;
  s["spec"]["approvals"] = {{{"command", "terraform plan"}, {"approvedBy", "alice"}}};
  Transition resumed = next_status(s, std::nullopt, true, kT0 + 1000s);
  ASSERT_TRUE(resumed.approved_command);
  const json& prev = resumed.status["previousRuns"][0];
  EXPECT_EQ(prev["endReason"], "ApprovalWaitExpired");
  EXPECT_EQ(prev["summary"], m.result.summary);
  EXPECT_EQ(resumed.status["approvals"][0]["by"], "alice");
}

TEST(SessionStatus, ARejectionOfAnEndedRunsRequestEndsTheSession) {
  json s = awaiting("make deploy");
  s["spec"]["rejections"] = {{{"command", "make deploy"}, {"rejectedBy", "bob"}, {"reason", "freeze"}}};
  Transition t = next_status(s, std::nullopt, true, kT0 + 60s);
  EXPECT_EQ(t.status["phase"], "Failed");
  EXPECT_EQ(ready(t)["reason"], kReasonApprovalRejected);
  EXPECT_NE(ready(t)["message"].get<std::string>().find("by bob"), std::string::npos);
  EXPECT_FALSE(t.approved_command);
  EXPECT_EQ(t.status["approvals"][0]["decision"], "Rejected");
}

TEST(SessionStatus, CancelEndsAWaitInPlaceAtOnce) {
  json s = waiting_in_place("terraform plan", {{"cancel", true}});
  Transition t = next_status(s, waiting_pod(true), true, kT0 + 120s);
  EXPECT_EQ(t.status["phase"], "Cancelled");
  EXPECT_TRUE(t.delete_pod);
  EXPECT_FALSE(t.deliver_decision);
}

TEST(SessionStatus, RunAttemptAndApprovalLookups) {
  EXPECT_EQ(run_attempt(session()), 1);
  EXPECT_EQ(run_attempt(session({}, {{"runAttempt", 4}})), 4);
  EXPECT_TRUE(is_approved(session({{"approvals", {{{"command", "a b"}}}}}), "a b"));
  EXPECT_FALSE(is_approved(session({{"approvals", {{{"command", "a b"}}}}}), "a  b"));
  EXPECT_FALSE(is_approved(session(), "a b"));
  EXPECT_EQ(tokens_used(json::object()), 0);
}

TEST(SessionStatus, TerminalPhasesNeverChangeAndTtlDeletes) {
  json done = {{"phase", "Succeeded"}, {"completionTime", "2026-11-21T10:00:00Z"}};
  Transition t = next_status(session({{"ttlSecondsAfterFinished", 300}, {"cancel", true}}, done), pod("Running"), true,
                             kT0 + 100s);
  EXPECT_EQ(t.status["phase"], "Succeeded");
  EXPECT_FALSE(t.delete_pod);
  EXPECT_FALSE(t.delete_session);
  EXPECT_EQ(*t.requeue_after, 200s);
  Transition later = next_status(session({{"ttlSecondsAfterFinished", 300}}, done), std::nullopt, true, kT0 + 300s);
  EXPECT_TRUE(later.delete_session);
}

TEST(SessionStatus, ConditionKeepsItsTransitionTimeWhileUnchanged) {
  json status;
  set_ready_condition(status, false, kReasonRunning, "a", 1, kT0);
  set_ready_condition(status, false, kReasonRunning, "b", 1, kT0 + 60s);
  ASSERT_EQ(status["conditions"].size(), 1u);
  EXPECT_EQ(status["conditions"][0]["lastTransitionTime"], "2026-11-21T10:00:00Z");
  EXPECT_EQ(status["conditions"][0]["message"], "b");
  set_ready_condition(status, true, kReasonCompleted, "c", 1, kT0 + 120s);
  EXPECT_EQ(status["conditions"][0]["lastTransitionTime"], "2026-11-21T10:02:00Z");
}

// Admission outcomes: decided here like every other phase, applied by the reconciler.
TEST(SessionAdmission, DeniedEndsTheSessionWithAWarningAndItsTtlStillCounts) {
  const CachedSession s = parse_cached_session(session({{"ttlSecondsAfterFinished", 60}}));
  Transition t = denied(s, {{"policy", {{"hash", "h"}}}}, "ModelNotAllowed", "model gpt-huge is not allowed", kT0);
  EXPECT_EQ(t.status["phase"], "Denied");
  EXPECT_EQ(ready(t)["reason"], "ModelNotAllowed");
  EXPECT_EQ(ready(t)["message"], "model gpt-huge is not allowed");
  EXPECT_EQ(t.status["completionTime"], "2026-11-21T10:00:00Z");
  EXPECT_EQ(t.status["policy"]["hash"], "h") << "what the reconciler set is kept";
  EXPECT_EQ(t.status["observedGeneration"], 2);
  ASSERT_TRUE(t.event);
  EXPECT_EQ(t.event->type, "Warning");
  EXPECT_EQ(t.event->reason, "ModelNotAllowed");
  EXPECT_EQ(t.event->action, "Deny");
  ASSERT_TRUE(t.requeue_after);
  EXPECT_EQ(*t.requeue_after, 60s) << "TTL after Denied, as after any end";
  EXPECT_FALSE(t.delete_session);

  const CachedSession at_once = parse_cached_session(session({{"ttlSecondsAfterFinished", 0}}));
  EXPECT_TRUE(denied(at_once, json::object(), "ModelNotAllowed", "m", kT0).delete_session);
  EXPECT_FALSE(denied(parse_cached_session(session()), json::object(), "R", "m", kT0).requeue_after);
}

TEST(SessionAdmission, WaitingForASlotLooksAgainAndTellsOnlyWhenTheReasonIsNew) {
  Timing timing;
  timing.wait_recheck = 7s;
  const CachedSession fresh = parse_cached_session(session());
  Transition t = waiting_for_slot(fresh, fresh.status(), "ConcurrencyLimit", "2 of 2 slots held", kT0, timing);
  EXPECT_EQ(t.status["phase"], "Pending");
  EXPECT_EQ(ready(t)["reason"], "ConcurrencyLimit");
  ASSERT_TRUE(t.event);
  EXPECT_EQ(t.event->action, "Wait");
  EXPECT_EQ(*t.requeue_after, 7s);
  const CachedSession waiting = parse_cached_session(session({}, t.status));
  Transition again =
      waiting_for_slot(waiting, waiting.status(), "ConcurrencyLimit", "2 of 2 slots held", kT0 + 30s, timing);
  EXPECT_FALSE(again.event) << "the same wait is not announced twice";
  EXPECT_EQ(again.status, t.status) << "nothing to write";
}

TEST(SessionAdmission, PodCreationFailuresBackOffThenFailAndAPermanentOneFailsAtOnce) {
  Timing timing;
  timing.max_pod_attempts = 3;
  json status = json::object();
  for (int attempt = 1; attempt <= 2; ++attempt) {
    const CachedSession s = parse_cached_session(session({}, status));
    Transition t = pod_creation_failed(s, s.status(), "PodCreateFailed", "etcd timed out", false, kT0, timing);
    EXPECT_EQ(t.status["phase"], "Pending");
    EXPECT_EQ(t.status["attempts"], attempt);
    EXPECT_EQ(*t.requeue_after, std::chrono::seconds(1 << attempt));
    EXPECT_EQ(ready(t)["message"], "etcd timed out (attempt " + std::to_string(attempt) + " of 3); retrying");
    ASSERT_TRUE(t.event);
    EXPECT_EQ(t.event->type, "Warning");
    status = t.status;
  }
  const CachedSession last = parse_cached_session(session({}, status));
  Transition t = pod_creation_failed(last, last.status(), "PodCreateFailed", "etcd timed out", false, kT0, timing);
  EXPECT_EQ(t.status["phase"], "Failed");
  EXPECT_EQ(ready(t)["message"], "etcd timed out (attempt 3 of 3)");
  EXPECT_EQ(t.status["completionTime"], "2026-11-21T10:00:00Z");

  const CachedSession fresh = parse_cached_session(session());
  Transition invalid = pod_creation_failed(fresh, fresh.status(), "PodCreateFailed", "422 Invalid", true, kT0, timing);
  EXPECT_EQ(invalid.status["phase"], "Failed");
  EXPECT_EQ(invalid.status["attempts"], 1);
}

TEST(SessionAdmission, ACreatedPodIsRecordedSoThatItsFirstWatchEventWritesNothing) {
  const CachedSession s = parse_cached_session(session());
  Transition t = pod_created(s, s.status(), "s-runner", 600, kT0);
  EXPECT_EQ(t.status["phase"], "Pending");
  EXPECT_EQ(t.status["podName"], "s-runner");
  EXPECT_EQ(t.status["runAttempt"], 1);
  EXPECT_EQ(ready(t)["reason"], kReasonPodCreating);
  EXPECT_EQ(*t.requeue_after, 630s) << "the operator's own clock: timeout + grace";
  // The pod's ADDED event (Pending, nothing from a kubelet yet) finds nothing to change.
  Transition next = next_status(session({}, t.status), pod("Pending"), true, kT0 + 1s);
  EXPECT_EQ(next.status, t.status);
}

}  // namespace
}  // namespace droid::op
