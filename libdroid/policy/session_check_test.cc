#include "policy/session_check.h"

#include <gtest/gtest.h>

namespace droid::policy {
namespace {

using json = nlohmann::json;

EffectivePolicy team_policy() {
  return resolve({{"team",
                   {{"settings",
                     {{"sessionDefaults", {{"model", "qwen-coder"}, {"autonomyLevel", "low"}}},
                      {"maxAutonomyLevel", "medium"},
                      {"models", {{"allowed", {"qwen-coder", "llama", "gpt-4o"}}, {"denied", {"gpt-4o"}}}},
                      {"byokAllowed", false}}},
                    {"runner",
                     {{"maxTimeoutSeconds", 1800},
                      {"defaultTimeoutSeconds", 600},
                      {"maxResources", {{"limits", {{"cpu", "2"}, {"memory", "4Gi"}}}}}}},
                    {"limits", {{"maxConcurrentSessionsPerNamespace", 2}}},
                    {"gateways",
                     {{{"name", "big"}, {"provider", "openai"}, {"baseURL", "http://big"}, {"models", {"llama"}}},
                      {{"name", "default"}, {"provider", "openai"}, {"baseURL", "http://default"}}}}}}});
}

std::vector<std::string> reasons(const SessionPlan& p) {
  std::vector<std::string> out;
  for (const auto& r : p.refusals) out.push_back(r.reason);
  return out;
}

TEST(SessionCheck, DefaultsComeFromPolicy) {
  SessionPlan p = plan_session({{"prompt", "x"}}, team_policy(), 0);
  ASSERT_TRUE(p.ok()) << p.refusals[0].str();
  EXPECT_EQ(p.model, "qwen-coder");
  EXPECT_EQ(p.autonomy, settings::Autonomy::Low);
  EXPECT_EQ(p.timeout_seconds, 600);
  EXPECT_EQ(p.gateway["name"], "default");
}

TEST(SessionCheck, RoutesAModelToTheGatewayThatListsIt) {
  SessionPlan p = plan_session({{"model", "llama"}}, team_policy(), 0);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.gateway["name"], "big");
}

TEST(SessionCheck, DeniedModelNamesThePolicy) {
  SessionPlan p = plan_session({{"model", "gpt-4o"}}, team_policy(), 0);
  ASSERT_EQ(reasons(p), std::vector<std::string>{kModelNotAllowed});
  EXPECT_EQ(p.refusals[0].str(),
            "spec.model: model \"gpt-4o\" is denied by models.denied (set by orgpolicy/team); choose another model "
            "or ask the platform team");
}

TEST(SessionCheck, ModelOutsideTheAllowList) {
  SessionPlan p = plan_session({{"model", "claude"}}, team_policy(), 0);
  EXPECT_EQ(reasons(p), std::vector<std::string>{kModelNotAllowed});
}

TEST(SessionCheck, SessionSettingsCannotReenableADeniedModel) {
  json spec = {{"model", "gpt-4o"}, {"settings", {{"models", {{"allowed", {"gpt-4o"}}, {"denied", json::array()}}}}}};
  EXPECT_EQ(reasons(plan_session(spec, team_policy(), 0)), std::vector<std::string>{kModelNotAllowed});
}

TEST(SessionCheck, AutonomyAboveTheMaximum) {
  SessionPlan p = plan_session({{"autonomyLevel", "high"}}, team_policy(), 0);
  ASSERT_EQ(reasons(p), std::vector<std::string>{kAutonomyAboveMaximum});
  EXPECT_EQ(p.refusals[0].field, "spec.autonomyLevel");
  EXPECT_NE(p.refusals[0].message.find("exceeds maxAutonomyLevel \"medium\" of OrgPolicy team"), std::string::npos)
      << p.refusals[0].message;
  // A session may not raise the ceiling through its own settings either.
  json spec = {{"autonomyLevel", "high"}, {"settings", {{"maxAutonomyLevel", "high"}}}};
  EXPECT_EQ(reasons(plan_session(spec, team_policy(), 0)), std::vector<std::string>{kAutonomyAboveMaximum});
}

TEST(SessionCheck, TimeoutAndResources) {
  json spec = {{"timeoutSeconds", 3600}, {"resources", {{"limits", {{"cpu", "2500m"}, {"memory", "4Gi"}}}}}};
  SessionPlan p = plan_session(spec, team_policy(), 0);
  EXPECT_EQ(reasons(p), (std::vector<std::string>{kTimeoutAboveMaximum, kResourcesAboveMaximum}));
  EXPECT_EQ(p.refusals[1].str(), "spec.resources.limits.cpu: cpu 2500m exceeds the maximum of 2 set by OrgPolicy team");
  // Requests are held to the limit maximum when no request maximum is set.
  json requests = {{"resources", {{"requests", {{"memory", "5Gi"}}}}}};
  EXPECT_EQ(reasons(plan_session(requests, team_policy(), 0)), std::vector<std::string>{kResourcesAboveMaximum});
}

TEST(SessionCheck, ByokAndInvalidSettings) {
  json byok = {
      {"settings", {{"customModels", {{"mine", {{"provider", "openai"}, {"baseUrl", "http://x"}, {"model", "m"}}}}}}}};
  EXPECT_EQ(reasons(plan_session(byok, team_policy(), 0)), std::vector<std::string>{kBYOKNotAllowed});
  json bad = {{"settings", {{"shield", {{"customPatterns", {{{"name", "p"}, {"regex", "(x"}}}}}}}}};
  SessionPlan p = plan_session(bad, team_policy(), 0);
  ASSERT_EQ(reasons(p), std::vector<std::string>{kInvalidSettings});
  EXPECT_EQ(p.refusals[0].field, "spec.settings.shield.customPatterns[0].regex");
}

TEST(SessionCheck, DisjointAllowListsConflict) {
  json spec = {{"model", "qwen-coder"}, {"settings", {{"models", {{"allowed", {"mistral"}}}}}}};
  SessionPlan p = plan_session(spec, team_policy(), 0);
  ASSERT_EQ(reasons(p), std::vector<std::string>{kSettingsConflict});
  EXPECT_EQ(p.refusals[0].field, "spec.settings.models.allowed");
}

TEST(SessionCheck, ConcurrencyLimit) {
  EXPECT_TRUE(plan_session({}, team_policy(), 1).ok());
  EXPECT_FALSE(plan_session({}, team_policy(), 1).wait.has_value());
  const SessionPlan full = plan_session({}, team_policy(), 2);
  EXPECT_TRUE(full.ok()) << "a full namespace makes a session wait, it does not refuse it";
  ASSERT_TRUE(full.wait.has_value());
  EXPECT_EQ(full.wait->reason, kConcurrencyLimitReached);
  EXPECT_NE(full.wait->message.find("already has 2 running session(s)"), std::string::npos) << full.wait->message;
}

TEST(SessionCheck, NoModelAnywhere) {
  SessionPlan p = plan_session({{"prompt", "x"}}, resolve({}), 0);
  EXPECT_EQ(reasons(p), std::vector<std::string>{kModelNotSet});
  EXPECT_TRUE(plan_session({{"model", "any"}}, resolve({}), 0).ok());
}

}  // namespace
}  // namespace droid::policy
