#include "explain.h"

#include <gtest/gtest.h>

namespace droid::kubectl {
namespace {

using json = nlohmann::json;

const json kPolicies = json::parse(R"([
  {"metadata": {"name": "baseline"},
   "spec": {"priority": 0,
            "settings": {"maxAutonomyLevel": "medium", "commandBlocklist": ["dd"]},
            "runner": {"image": "runner:base", "maxTimeoutSeconds": 7200},
            "limits": {"maxConcurrentSessionsPerNamespace": 10}}},
  {"metadata": {"name": "team-a"},
   "spec": {"priority": 100, "namespaceSelector": {"matchLabels": {"team": "a"}},
            "settings": {"maxAutonomyLevel": "high", "commandBlocklist": ["rm -rf /"],
                         "mcpServers": {"my.server": {"type": "http", "url": "http://mcp"}}},
            "runner": {"image": "runner:team-a"},
            "gateways": [{"name": "vllm", "provider": "openai", "baseURL": "http://vllm"}]}},
  {"metadata": {"name": "team-b"},
   "spec": {"priority": 50, "namespaceSelector": {"matchLabels": {"team": "b"}}}}
])");

std::string set_by(const nlohmann::ordered_json& e, const std::string& path) {
  for (const auto& f : e["fields"])
    if (f["path"] == path) return f["setBy"].get<std::string>() + " " + f["value"].dump();
  return "(none)";
}

TEST(Explain, GoverningPoliciesAndWhoSetEachField) {
  const auto e = explain_policy("team-a-dev", {{"team", "a"}}, org_policies(kPolicies));
  ASSERT_EQ(e["governing"].size(), 2u);
  EXPECT_EQ(e["governing"][0]["name"], "team-a");
  EXPECT_EQ(e["governing"][1]["name"], "baseline");
  EXPECT_EQ(e["notGoverning"], json({"team-b"}));
  EXPECT_EQ(set_by(e, "settings.maxAutonomyLevel"), "baseline \"medium\"");  // stricter wins
  EXPECT_EQ(set_by(e, "settings.commandBlocklist[0]"), "team-a \"rm -rf /\"");
  EXPECT_EQ(set_by(e, "settings.commandBlocklist[1]"), "baseline \"dd\"");
  EXPECT_EQ(set_by(e, "runner.image"), "team-a \"runner:team-a\"");
  EXPECT_EQ(set_by(e, "runner.maxTimeoutSeconds"), "baseline 7200");
  EXPECT_EQ(set_by(e, "gateways.vllm").substr(0, 7), "team-a ");
  EXPECT_EQ(set_by(e, "limits.maxConcurrentSessionsPerNamespace"), "baseline 10");

  const std::string text = explanation_text(e);
  for (const char* part :
       {"Namespace: team-a-dev (labels team=a)\n", "  1. team-a  priority 100  selector team=a\n",
        "  2. baseline  priority 0  selector (all namespaces)\n",
        "Not governing (their namespaceSelector does not match): team-b\n", "SET BY", "Policy hash: sha256:"})
    EXPECT_NE(text.find(part), std::string::npos) << part << "\n---\n" << text;
}

TEST(Explain, NoPolicy) {
  const auto e = explain_policy("free", {}, {});
  EXPECT_TRUE(e["governing"].empty());
  EXPECT_NE(explanation_text(e).find("No OrgPolicy governs this namespace"), std::string::npos);
}

TEST(Explain, ValueAtFieldPaths) {
  const json doc = json::parse(R"({"a": {"b": [1, {"c": 2}]}, "m": {"x.y": {"u": "v"}, "q\"k": 3}})");
  EXPECT_EQ(value_at(doc, "a.b[1].c"), 2);
  EXPECT_EQ(value_at(doc, "m[\"x.y\"].u"), "v");
  EXPECT_EQ(value_at(doc, "m[\"q\\\"k\"]"), 3);
  EXPECT_TRUE(value_at(doc, "a.b[5]").is_null());
  EXPECT_TRUE(value_at(doc, "nope.x").is_null());
}

}  // namespace
}  // namespace droid::kubectl
