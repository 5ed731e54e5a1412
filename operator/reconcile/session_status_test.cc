#include "reconcile/session_status.h"

#include <gtest/gtest.h>

#include "contract/termination_message.h"

namespace droid::op {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

const Clock::time_point kT0 = *parse_rfc3339("2026-11-21T10:00:00Z");

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

TEST(SessionStatus, AwaitingApprovalShowsTheCommand) {
  contract::TerminationMessage m;
  m.outcome = contract::Outcome::AwaitingApproval;
  m.pending_approval = contract::PendingApproval{"git push origin HEAD", "high", {"pushes"}};
  Transition t = next_status(session(), pod("Succeeded", terminated_with(contract::encode(m))), true, kT0);
  EXPECT_EQ(t.status["phase"], "AwaitingApproval");
  EXPECT_EQ(t.status["pendingApproval"]["command"], "git push origin HEAD");
  EXPECT_EQ(ready(t)["reason"], kReasonWaitingForApproval);
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

}  // namespace
}  // namespace droid::op
