#include "reconcile/approval_channel.h"

#include <gtest/gtest.h>

namespace droid::op {
namespace {

using json = nlohmann::json;

TEST(ApprovalChannel, FindsTheLatestRequestInTheRunnersLog) {
  const std::string log =
      R"({"ts":"t","type":"audit","session":"ns/s","event":"approval_requested","id":"1","command":"make plan","risk":"medium","reasons":["make"],"wait_seconds":900,"seq":4})"
      "\n"
      R"({"ts":"t","type":"audit","session":"ns/s","event":"approval_received","id":"1","command":"make plan","seq":5})"
      "\n"
      "a stray line from the runtime mentioning \"approval_requested\"\n"
      R"({"ts":"t","type":"audit","session":"ns/s","event":"approval_requested","id":"2","command":"make apply","risk":"high","reasons":["denylist","writes"],"wait_seconds":840,"seq":9})"
      "\n"
      R"({"ts":"t","type":"audit","session":"ns/s","event":"tool_call","tool":"shell","action":"await-approval","seq":8})";
  auto r = find_approval_request(log);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->id, "2");
  EXPECT_EQ(r->command, "make apply");
  EXPECT_EQ(r->risk, "high");
  EXPECT_EQ(r->reasons, (std::vector<std::string>{"denylist", "writes"}));
  EXPECT_EQ(r->wait_seconds, 840);
}

TEST(ApprovalChannel, IgnoresWhatIsNotARunnerAuditRecordAndBoundsWhatIs) {
  EXPECT_FALSE(find_approval_request(""));
  EXPECT_FALSE(find_approval_request("approval_requested\n"));
  // Not an audit record, no id, a command too long: skipped.
  EXPECT_FALSE(find_approval_request(R"({"type":"log","event":"approval_requested","id":"1","command":"x"})"));
  EXPECT_FALSE(find_approval_request(R"({"type":"audit","event":"approval_requested","command":"x"})"));
  EXPECT_FALSE(find_approval_request(R"({"type":"audit","event":"approval_requested","id":"1","command":")" +
                                     std::string(9000, 'a') + "\"}"));
  // An unknown risk counts as high; negative waits as none.
  auto r = find_approval_request(
      R"({"type":"audit","event":"approval_requested","id":"1","command":"x","risk":"weird","wait_seconds":-5})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->risk, "high");
  EXPECT_EQ(r->wait_seconds, 0);
}

json pod_json(bool ready, const std::string& phase = "Running") {
  return {{"metadata", {{"name", "s-runner"}}},
          {"status",
           {{"phase", phase},
            {"containerStatuses",
             {{{"name", "runner"}, {"ready", ready}, {"state", {{"running", {{"startedAt", "t"}}}}}}}}}}};
}

CachedPod pod(bool ready, const std::string& phase = "Running") { return parse_cached_pod(pod_json(ready, phase)); }

TEST(ApprovalChannel, ARunnerWaitsInPlaceWhileItsContainerIsReadyInARunningPod) {
  EXPECT_TRUE(runner_waits_in_place(pod(true)));
  EXPECT_FALSE(runner_waits_in_place(pod(false)));
  EXPECT_FALSE(runner_waits_in_place(pod(true, "Pending")));
  json deleting = pod_json(true);
  deleting["metadata"]["deletionTimestamp"] = "2026-12-06T10:00:00Z";
  EXPECT_FALSE(runner_waits_in_place(parse_cached_pod(deleting)));
  json waiting = pod_json(true);
  waiting["status"]["containerStatuses"][0]["state"] = {{"waiting", {{"reason", "ContainerCreating"}}}};
  EXPECT_FALSE(runner_waits_in_place(parse_cached_pod(waiting))) << "ready but not running";
}

TEST(ApprovalChannel, ARejectionWinsOverAnApprovalAndBothCarryWhoDecided) {
  const CachedSession session = parse_cached_session(
      {{"spec",
        {{"approvals",
          {{{"command", "make plan"}, {"approvedBy", "alice"}, {"comment", "fine"}}, {{"command", "make apply"}}}},
         {"rejections", {{{"command", "make apply"}, {"rejectedBy", "bob"}, {"reason", "freeze"}}}}}}});
  auto plan = decision_for(session, "make plan");
  ASSERT_TRUE(plan);
  EXPECT_TRUE(plan->approved);
  EXPECT_EQ(plan->by, "alice");
  EXPECT_EQ(plan->reason, "fine");
  auto apply = decision_for(session, "make apply");
  ASSERT_TRUE(apply);
  EXPECT_FALSE(apply->approved);
  EXPECT_EQ(apply->by, "bob");
  EXPECT_FALSE(decision_for(session, "make  plan"));
}

TEST(ApprovalChannel, TheAnnotationNamesTheRequestAndTheCommand) {
  const json pending = {{"id", "2"},          {"command", "make apply"}, {"decision", "Rejected"},
                        {"decidedBy", "bob"}, {"decidedAt", "t"},        {"reason", "freeze"}};
  EXPECT_EQ(json::parse(decision_annotation(pending)), json({{"id", "2"},
                                                             {"decision", "rejected"},
                                                             {"command", "make apply"},
                                                             {"by", "bob"},
                                                             {"at", "t"},
                                                             {"reason", "freeze"}}));
}

}  // namespace
}  // namespace droid::op
