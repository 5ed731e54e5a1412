#include "approval.h"

#include <gtest/gtest.h>

#include "exit_codes.h"

namespace droid::kubectl {
namespace {

using json = nlohmann::json;

json session(const std::string& phase, const std::string& pending, json approvals = nullptr) {
  json s = {{"metadata", {{"name", "s1"}, {"resourceVersion", "42"}}}, {"spec", {{"prompt", "p"}}}};
  if (!phase.empty()) s["status"]["phase"] = phase;
  if (!pending.empty()) s["status"]["pendingApproval"]["command"] = pending;
  if (!approvals.is_null()) s["spec"]["approvals"] = approvals;
  return s;
}

std::string error_of(const json& s, const std::string& requested) {
  try {
    command_to_approve(s, requested);
  } catch (const CommandError& e) {
    EXPECT_EQ(e.code(), kExitError);
    return e.what();
  }
  return "no error";
}

TEST(Approval, ThePendingCommandOrTheGivenOne) {
  EXPECT_EQ(command_to_approve(session("AwaitingApproval", "make deploy"), ""), "make deploy");
  EXPECT_EQ(command_to_approve(session("AwaitingApproval", "make deploy"), "make test"), "make test");
  EXPECT_EQ(command_to_approve(session("Running", ""), "git push"), "git push");  // approved up front
}

TEST(Approval, RefusesWhenNothingIsPendingOrTheSessionEnded) {
  EXPECT_EQ(error_of(session("Running", ""), ""),
            "session s1 has no command waiting for an approval (phase Running); to approve a command before it is "
            "asked for, give --command 'CMD'");
  EXPECT_NE(error_of(session("", ""), "").find("(phase Pending)"), std::string::npos);
  EXPECT_EQ(error_of(session("Succeeded", ""), "x"),
            "session s1 already finished (phase Succeeded); there is nothing to approve");
}

TEST(Approval, PatchKeepsTheExistingApprovalsAndGuardsTheVersion) {
  const json existing = json::array({{{"command", "make deps-update"}, {"approvedBy", "alice"}}});
  const auto patch = approval_patch(session("AwaitingApproval", "make deploy", existing),
                                    {"make deploy", "bob", "2026-11-22T10:00:00Z", "ticket 7"});
  ASSERT_TRUE(patch);
  EXPECT_EQ((*patch)["metadata"]["resourceVersion"], "42");
  EXPECT_EQ((*patch)["spec"]["approvals"], json::parse(R"([{"command":"make deps-update","approvedBy":"alice"},
                            {"command":"make deploy","approvedBy":"bob","approvedAt":"2026-11-22T10:00:00Z",
                             "comment":"ticket 7"}])"));
  // Unknown user: no approvedBy rather than a guess.
  const auto anonymous = approval_patch(session("AwaitingApproval", "x"), {"x", "", "2026-11-22T10:00:00Z", ""});
  ASSERT_TRUE(anonymous);
  EXPECT_EQ((*anonymous)["spec"]["approvals"], json::parse(R"([{"command":"x","approvedAt":"2026-11-22T10:00:00Z"}])"));
  // Already approved: nothing to do.
  EXPECT_FALSE(
      approval_patch(session("AwaitingApproval", "make deps-update", existing), {"make deps-update", "", "", ""}));
}

}  // namespace
}  // namespace droid::kubectl
