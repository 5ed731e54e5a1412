#include "policy/org_policy.h"

#include <gtest/gtest.h>

namespace droid::policy {
namespace {

using json = nlohmann::json;

OrgPolicy policy(const std::string& name, json spec) { return {name, std::move(spec)}; }

const std::vector<OrgPolicy> kPolicies = {
    policy("baseline", {{"priority", 0},
                        {"settings", {{"maxAutonomyLevel", "medium"}, {"commandBlocklist", {"dd"}}}},
                        {"runner",
                         {{"image", "runner:base"},
                          {"maxTimeoutSeconds", 7200},
                          {"maxResources", {{"limits", {{"cpu", "4"}, {"memory", "8Gi"}}}}}}},
                        {"limits", {{"maxConcurrentSessionsPerNamespace", 10}}},
                        {"gateways", {{{"name", "vllm"}, {"provider", "openai"}, {"baseURL", "http://a"}}}}}),
    policy("team-a", {{"priority", 100},
                      {"namespaceSelector", {{"matchLabels", {{"team", "a"}}}}},
                      {"settings", {{"maxAutonomyLevel", "high"}, {"commandBlocklist", {"rm -rf /"}}}},
                      {"runner",
                       {{"image", "runner:team-a"},
                        {"maxTimeoutSeconds", 1800},
                        {"maxResources", {{"limits", {{"memory", "16Gi"}, {"cpu", "2000m"}}}}}}},
                      {"network", {{"allowDNS", true}, {"egress", {{{"name", "git"}, {"cidrs", {"10.0.0.0/8"}}}}}}},
                      {"limits", {{"maxConcurrentSessionsPerNamespace", 3}, {"tokenBudgetPerSession", 100000}}},
                      {"gateways", {{{"name", "vllm"}, {"provider", "openai"}, {"baseURL", "http://team-a"}}}}}),
    policy("zeta-other", {{"namespaceSelector", {{"matchLabels", {{"team", "b"}}}}}}),
    policy("alpha", {{"priority", 0}, {"network", {{"allowDNS", false}}}}),
};

std::vector<std::string> names(const std::vector<OrgPolicy>& ps) {
  std::vector<std::string> out;
  for (const auto& p : ps) out.push_back(p.name);
  return out;
}

TEST(OrgPolicy, GoverningPoliciesByPriorityThenName) {
  EXPECT_EQ(names(governing_policies(kPolicies, {{"team", "a"}})),
            (std::vector<std::string>{"team-a", "alpha", "baseline"}));
  EXPECT_EQ(names(governing_policies(kPolicies, {{"team", "b"}})),
            (std::vector<std::string>{"alpha", "baseline", "zeta-other"}));
  EXPECT_EQ(names(governing_policies(kPolicies, {})), (std::vector<std::string>{"alpha", "baseline"}));
  EXPECT_TRUE(governing_policies({}, {}).empty());
}

TEST(OrgPolicy, ResolveMergesWithoutLoosening) {
  EffectivePolicy e = resolve(governing_policies(kPolicies, {{"team", "a"}}));
  EXPECT_EQ(e.names, (std::vector<std::string>{"team-a", "alpha", "baseline"}));
  // Settings: strict scalars tighten, lists union, provenance names the policy.
  EXPECT_EQ(e.settings.settings["maxAutonomyLevel"], "medium");
  EXPECT_EQ(e.settings.settings["commandBlocklist"], json({"rm -rf /", "dd"}));
  EXPECT_EQ(settings::provenance_json(e.settings)["maxAutonomyLevel"], "orgpolicy/baseline");
  // Runner: first image, smallest maximums.
  EXPECT_EQ(e.runner["image"], "runner:team-a");
  EXPECT_EQ(e.runner["maxTimeoutSeconds"], 1800);
  EXPECT_EQ(e.runner["maxResources"]["limits"]["cpu"], "2000m");
  EXPECT_EQ(e.runner["maxResources"]["limits"]["memory"], "8Gi");
  // Network: any policy without DNS wins; egress rules add up.
  EXPECT_EQ(e.network["allowDNS"], false);
  EXPECT_EQ(e.network["egress"].size(), 1u);
  // Gateways by name, the first definition wins; limits take the smallest.
  ASSERT_EQ(e.gateways.size(), 1u);
  EXPECT_EQ(e.gateways[0]["baseURL"], "http://team-a");
  EXPECT_EQ(e.limits["maxConcurrentSessionsPerNamespace"], 3);
  EXPECT_EQ(e.limits["tokenBudgetPerSession"], 100000);
}

TEST(OrgPolicy, ProvenanceNamesThePolicyThatSetEachField) {
  EffectivePolicy e = resolve(governing_policies(kPolicies, {{"team", "a"}}));
  auto who = [&](const std::string& path) -> std::string {
    for (const auto& [p, name] : e.provenance)
      if (p == path) return name;
    return "(none)";
  };
  EXPECT_EQ(who("runner.image"), "team-a");
  EXPECT_EQ(who("runner.maxTimeoutSeconds"), "team-a");
  EXPECT_EQ(who("runner.maxResources.limits.cpu"), "team-a");
  EXPECT_EQ(who("runner.maxResources.limits.memory"), "baseline");  // 8Gi is below team-a's 16Gi
  EXPECT_EQ(who("network.allowDNS"), "alpha");
  EXPECT_EQ(who("network.egress[0]"), "team-a");
  EXPECT_EQ(who("gateways.vllm"), "team-a");
  EXPECT_EQ(who("limits.maxConcurrentSessionsPerNamespace"), "team-a");
  EXPECT_EQ(who("limits.tokenBudgetPerSession"), "team-a");
  EXPECT_EQ(who("telemetry"), "(none)");
  std::size_t memory_claims = 0;
  for (const auto& [p, name] : e.provenance) memory_claims += p == "runner.maxResources.limits.memory" ? 1 : 0;
  EXPECT_EQ(memory_claims, 1u);  // one entry per field, the last claim kept
}

TEST(OrgPolicy, HashChangesWithAnyPolicyAndIsStable) {
  auto governing = governing_policies(kPolicies, {{"team", "a"}});
  const std::string h = resolve(governing).hash;
  EXPECT_EQ(h.rfind("sha256:", 0), 0u);
  EXPECT_EQ(h.size(), 7u + 64u);
  EXPECT_EQ(resolve(governing).hash, h);
  governing[1].spec["priority"] = 1;
  EXPECT_NE(resolve(governing).hash, h);
}

TEST(OrgPolicy, EgressDestinationsByNameTheFirstDefinitionWins) {
  const json git_a = {{"name", "git"}, {"kind", "git"}, {"hosts", {"git.a"}}, {"ports", {443}}};
  const json git_b = {{"name", "git"}, {"kind", "git"}, {"hosts", {"git.b"}}, {"ports", {443}}};
  const json pypi = {{"name", "pypi"}, {"kind", "tunnel"}, {"hosts", {"*.mirror"}}, {"ports", {443}}};
  EffectivePolicy e = resolve({policy("high", {{"egress", {{"destinations", {git_a}}}}}),
                               policy("low", {{"egress", {{"destinations", {git_b, pypi}}}}})});
  EXPECT_EQ(e.egress_destinations, json::array({git_a, pypi}));
  bool claimed = false;
  for (const auto& [path, name] : e.provenance)
    if (path == "egress.destinations.git") claimed = name == "high";
  EXPECT_TRUE(claimed);
  EXPECT_TRUE(resolve({}).egress_destinations.empty());
}

TEST(OrgPolicy, NoPolicyRestrictsNothing) {
  EffectivePolicy e = resolve({});
  EXPECT_TRUE(e.names.empty());
  EXPECT_EQ(e.settings.settings, json::object());
  EXPECT_EQ(e.network["allowDNS"], true);
  EXPECT_TRUE(e.gateways.empty());
}

}  // namespace
}  // namespace droid::policy
