#include "reconcile/orgpolicy_reconciler.h"

#include <gtest/gtest.h>

namespace droid::op {
namespace {

using json = nlohmann::json;

const Clock::time_point kNow = *parse_rfc3339("2026-11-22T03:00:00Z");

json valid_condition(const json& status) {
  for (const auto& c : status["conditions"])
    if (c["type"] == "Valid") return c;
  return nullptr;
}

TEST(OrgPolicyStatus, ValidPolicyListsItsNamespaces) {
  json p = {{"metadata", {{"name", "baseline"}, {"generation", 3}}},
            {"spec", {{"settings", {{"commandBlocklist", {"dd"}}}}}}};
  json s = org_policy_status(p, {"team-a", "team-b"}, kNow);
  EXPECT_EQ(s["observedGeneration"], 3);
  EXPECT_EQ(s["governedNamespaces"], json({"team-a", "team-b"}));
  json c = valid_condition(s);
  EXPECT_EQ(c["status"], "True");
  EXPECT_EQ(c["reason"], kReasonValid);
  EXPECT_EQ(c["observedGeneration"], 3);
}

TEST(OrgPolicyStatus, InvalidSettingsNameTheField) {
  json p = {{"metadata", {{"generation", 1}}},
            {"spec", {{"settings", {{"shield", {{"customPatterns", {{{"name", "p"}, {"regex", "(a"}}}}}}}}}}};
  json c = valid_condition(org_policy_status(p, {}, kNow));
  EXPECT_EQ(c["status"], "False");
  EXPECT_EQ(c["reason"], kReasonInvalidSettings);
  EXPECT_NE(c["message"].get<std::string>().find("spec.settings.shield.customPatterns[0].regex"), std::string::npos)
      << c.dump();
}

TEST(OrgPolicyStatus, MalformedSelectorIsReportedNotSilentlyIgnored) {
  json p = {{"metadata", {{"generation", 1}}},
            {"spec",
             {{"namespaceSelector",
               {{"matchExpressions", {{{"key", "team"}, {"operator", "Exists"}, {"values", {"a"}}}}}}}}}};
  json c = valid_condition(org_policy_status(p, {}, kNow));
  EXPECT_EQ(c["status"], "False");
  EXPECT_EQ(c["reason"], kReasonInvalidSelector);
  EXPECT_NE(c["message"].get<std::string>().find("matchExpressions[0].values"), std::string::npos) << c.dump();
}

TEST(OrgPolicyStatus, WithTheEgressGatewayASecretElsewhereIsInvalid) {
  json p = {{"metadata", {{"generation", 2}}},
            {"spec",
             {{"gateways",
               {{{"name", "llm"},
                 {"provider", "openai"},
                 {"baseURL", "http://llm"},
                 {"credentialsSecretRef", {{"name", "k"}, {"namespace", "llm"}}}}}}}}};
  json c = valid_condition(org_policy_status(p, {}, kNow, "droid-system"));
  EXPECT_EQ(c["status"], "False");
  EXPECT_EQ(c["reason"], kReasonInvalidEgressReference);
  EXPECT_NE(c["message"].get<std::string>().find("spec.gateways[0].credentialsSecretRef.namespace"), std::string::npos)
      << c.dump();
  EXPECT_EQ(valid_condition(org_policy_status(p, {}, kNow))["status"], "True") << "direct mode copies it";
  p["spec"]["gateways"][0]["credentialsSecretRef"]["namespace"] = "droid-system";
  EXPECT_EQ(valid_condition(org_policy_status(p, {}, kNow, "droid-system"))["status"], "True");
}

TEST(OrgPolicyStatus, TransitionTimeKeptWhileTheConditionHolds) {
  json p = {{"metadata", {{"generation", 1}}}, {"spec", json::object()}};
  p["status"] = org_policy_status(p, {}, kNow);
  json later = org_policy_status(p, {"new-ns"}, kNow + std::chrono::hours(1));
  EXPECT_EQ(valid_condition(later)["lastTransitionTime"], "2026-11-22T03:00:00Z");
  EXPECT_EQ(later["governedNamespaces"], json({"new-ns"}));
}

}  // namespace
}  // namespace droid::op
