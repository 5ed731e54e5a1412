#include "webhook/approver_stamp.h"

#include <gtest/gtest.h>

namespace droid::op {
namespace {

using json = nlohmann::json;

json session(json approvals, json rejections = json::array()) {
  return {{"spec", {{"prompt", "x"}, {"approvals", std::move(approvals)}, {"rejections", std::move(rejections)}}}};
}

TEST(ApproverStamp, ANewApprovalGetsTheAuthenticatedUserWhateverTheClientWrote) {
  const json old =
      session({{{"command", "make plan"}, {"approvedBy", "alice"}, {"approvedAt", "2026-12-06T10:00:00Z"}}});
  const json now = session({{{"command", "make plan"}, {"approvedBy", "alice"}, {"approvedAt", "2026-12-06T10:00:00Z"}},
                            {{"command", "make apply"}, {"approvedBy", "the-boss"}}});
  const json patch = stamp_decisions(now, old, "bob", "2026-12-06T10:02:00Z");
  EXPECT_EQ(patch, json::parse(R"([
    {"op":"add","path":"/spec/approvals/1/approvedBy","value":"bob"},
    {"op":"add","path":"/spec/approvals/1/approvedAt","value":"2026-12-06T10:02:00Z"}])"));
}

TEST(ApproverStamp, AnExistingEntryKeepsItsStampAndARejectionIsStampedToo) {
  const json old =
      session({{{"command", "make plan"}, {"approvedBy", "alice"}, {"approvedAt", "2026-12-06T10:00:00Z"}}});
  const json now = session({{{"command", "make plan"}, {"approvedBy", "mallory"}}},
                           {{{"command", "rm -rf /data"}, {"reason", "no"}}});
  const json patch = stamp_decisions(now, old, "bob", "2026-12-06T10:02:00Z");
  EXPECT_EQ(patch, json::parse(R"([
    {"op":"add","path":"/spec/approvals/0/approvedBy","value":"alice"},
    {"op":"add","path":"/spec/approvals/0/approvedAt","value":"2026-12-06T10:00:00Z"},
    {"op":"add","path":"/spec/rejections/0/rejectedBy","value":"bob"},
    {"op":"add","path":"/spec/rejections/0/rejectedAt","value":"2026-12-06T10:02:00Z"}])"));
  // An old entry without a stamp (made before the webhook stamped) cannot gain one.
  const json unstamped_old = session({{{"command", "make plan"}}});
  EXPECT_EQ(stamp_decisions(session({{{"command", "make plan"}, {"approvedBy", "bob"}}}), unstamped_old, "bob", "t"),
            json::parse(R"([{"op":"remove","path":"/spec/approvals/0/approvedBy"}])"));
  EXPECT_TRUE(stamp_decisions(old, old, "bob", "t").empty());
}

TEST(ApproverStamp, ValidationRefusesForgedOrChangedStampsAndContradictions) {
  const json old =
      session({{{"command", "make plan"}, {"approvedBy", "alice"}, {"approvedAt", "2026-12-06T10:00:00Z"}}});
  EXPECT_EQ(check_decisions(old, old, "bob"), "");
  const json stamped =
      session({{{"command", "make plan"}, {"approvedBy", "alice"}, {"approvedAt", "2026-12-06T10:00:00Z"}},
               {{"command", "make apply"}, {"approvedBy", "bob"}, {"approvedAt", "t"}}});
  EXPECT_EQ(check_decisions(stamped, old, "bob"), "");
  const json forged =
      session({{{"command", "make plan"}, {"approvedBy", "alice"}, {"approvedAt", "2026-12-06T10:00:00Z"}},
               {{"command", "make apply"}, {"approvedBy", "the-boss"}}});
  EXPECT_NE(check_decisions(forged, old, "bob").find("spec.approvals[1].approvedBy"), std::string::npos);
  const json changed =
      session({{{"command", "make plan"}, {"approvedBy", "bob"}, {"approvedAt", "2026-12-06T10:00:00Z"}}});
  EXPECT_NE(check_decisions(changed, old, "bob").find("cannot be changed"), std::string::npos);
  const json both =
      session({{{"command", "make plan"}, {"approvedBy", "alice"}, {"approvedAt", "2026-12-06T10:00:00Z"}}},
              {{{"command", "make plan"}, {"reason", "no"}, {"rejectedBy", "bob"}}});
  EXPECT_NE(check_decisions(both, old, "bob").find("spec.rejections[0].command"), std::string::npos);
}

}  // namespace
}  // namespace droid::op
