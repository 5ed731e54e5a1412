#include "settings/merge.h"

#include <gtest/gtest.h>

#include "settings/effective.h"

namespace droid::settings {
namespace {

using json = nlohmann::json;

Merged merge4(json org, json project, json folder, json user) {
  return merge({std::move(org), std::move(project), std::move(folder), std::move(user)});
}

std::string provenance_of(const Merged& m, const std::string& path) {
  for (const auto& [p, level] : m.provenance)
    if (p == path) return m.level_names.at(level);
  return "(none)";
}

const json kEmpty = json::object();

TEST(Merge, AllEmptyIsEmpty) {
  Merged m = merge4(kEmpty, kEmpty, kEmpty, kEmpty);
  EXPECT_EQ(m.settings, json::object());
  EXPECT_TRUE(m.provenance.empty());
  EXPECT_TRUE(m.ok());
}

TEST(Merge, ScalarFirstLevelThatSetsItWins) {
  Merged m = merge4(kEmpty, {{"sessionDefaults", {{"model", "a"}}}}, kEmpty,
                    {{"sessionDefaults", {{"model", "b"}, {"reasoningEffort", "high"}}}});
  EXPECT_EQ(m.settings["sessionDefaults"]["model"], "a");
  EXPECT_EQ(m.settings["sessionDefaults"]["reasoningEffort"], "high");
  EXPECT_EQ(provenance_of(m, "sessionDefaults.model"), "project");
  EXPECT_EQ(provenance_of(m, "sessionDefaults.reasoningEffort"), "user");
  ASSERT_EQ(m.notes.size(), 1u);
  EXPECT_EQ(m.notes[0], "user sets sessionDefaults.model to \"b\", but project already set it to \"a\", which wins");
}

TEST(Merge, StrictScalarsOnlyTighten) {
  Merged looser = merge4({{"maxAutonomyLevel", "medium"}}, kEmpty, kEmpty, {{"maxAutonomyLevel", "high"}});
  EXPECT_EQ(looser.settings["maxAutonomyLevel"], "medium");
  EXPECT_EQ(provenance_of(looser, "maxAutonomyLevel"), "org");
  ASSERT_EQ(looser.notes.size(), 1u);
  EXPECT_EQ(looser.notes[0],
            "user sets maxAutonomyLevel to \"high\", looser than \"medium\" from org; a lower level may only make "
            "it stricter");

  Merged stricter =
      merge4({{"maxAutonomyLevel", "medium"}}, {{"maxAutonomyLevel", "low"}}, kEmpty, {{"maxAutonomyLevel", "off"}});
  EXPECT_EQ(stricter.settings["maxAutonomyLevel"], "off");
  EXPECT_EQ(provenance_of(stricter, "maxAutonomyLevel"), "user");
  EXPECT_TRUE(stricter.notes.empty());
}

TEST(Merge, StrictBooleansAndShieldMode) {
  Merged m = merge4({{"byokAllowed", false}, {"shield", {{"enabled", true}, {"mode", "redact"}}}},
                    {{"byokAllowed", true}, {"shield", {{"mode", "block"}}}}, kEmpty,
                    {{"shield", {{"enabled", false}, {"mode", "redact"}}}});
  EXPECT_EQ(m.settings["byokAllowed"], false);
  EXPECT_EQ(m.settings["shield"]["enabled"], true);
  EXPECT_EQ(m.settings["shield"]["mode"], "block");
  EXPECT_EQ(provenance_of(m, "shield.mode"), "project");
  EXPECT_EQ(provenance_of(m, "shield.enabled"), "org");

  // A lower level may turn BYOK off, and telemetry on, where a higher level allowed otherwise.
  Merged off = merge4({{"byokAllowed", true}, {"telemetry", {{"enabled", false}}}}, kEmpty, kEmpty,
                      {{"byokAllowed", false}, {"telemetry", {{"enabled", true}}}});
  EXPECT_EQ(off.settings["byokAllowed"], false);
  EXPECT_EQ(off.settings["telemetry"]["enabled"], true);
}

TEST(Merge, ListsAreUnionedHigherLevelsFirst) {
  Merged m = merge4({{"commandBlocklist", {"rm -rf /", "dd"}}}, {{"commandBlocklist", {"dd", "mkfs"}}}, kEmpty,
                    {{"commandBlocklist", json::array()}});
  EXPECT_EQ(m.settings["commandBlocklist"], json({"rm -rf /", "dd", "mkfs"}));
  EXPECT_EQ(provenance_of(m, "commandBlocklist[0]"), "org");
  EXPECT_EQ(provenance_of(m, "commandBlocklist[1]"), "org");
  EXPECT_EQ(provenance_of(m, "commandBlocklist[2]"), "project");
}

TEST(Merge, AllowedModelsOnlyNarrow) {
  Merged m =
      merge4({{"models", {{"allowed", {"a", "b", "c"}}}}}, kEmpty, kEmpty, {{"models", {{"allowed", {"b", "d"}}}}});
  EXPECT_TRUE(m.ok());
  EXPECT_EQ(m.settings["models"]["allowed"], json({"b"}));
  EXPECT_EQ(provenance_of(m, "models.allowed[0]"), "org");
  ASSERT_EQ(m.notes.size(), 1u);
  EXPECT_EQ(m.notes[0], "user lists \"d\" in models.allowed, which a higher level does not allow; ignored");
}

TEST(Merge, DisjointAllowListsAreAnError) {
  Merged m = merge4({{"models", {{"allowed", {"a"}}}}}, {{"models", {{"allowed", {"b"}}}}}, kEmpty, kEmpty);
  ASSERT_EQ(m.errors.size(), 1u);
  EXPECT_EQ(m.errors[0].path, "models.allowed");
  EXPECT_NE(m.errors[0].message.find("org and project have no entry in common"), std::string::npos)
      << m.errors[0].message;
}

TEST(Merge, DeniedModelCannotBeReenabledBelow) {
  Merged m = merge4({{"models", {{"denied", {"gpt-4o"}}}}}, kEmpty, kEmpty,
                    {{"models", {{"allowed", {"gpt-4o", "claude"}}, {"denied", json::array()}}}});
  EXPECT_EQ(m.settings["models"]["denied"], json({"gpt-4o"}));
  EXPECT_TRUE(model_refusal(m.settings, "gpt-4o").has_value());
  EXPECT_FALSE(model_refusal(m.settings, "claude").has_value());
}

TEST(Merge, MapKeysSetHigherAreLocked) {
  json org_server = {{"command", "mcp-git"}, {"args", {"--read-only"}}};
  Merged m = merge4({{"mcpServers", {{"git", org_server}}}}, kEmpty, kEmpty,
                    {{"mcpServers", {{"git", {{"command", "evil"}}}, {"mine", {{"command", "mcp-mine"}}}}}});
  EXPECT_EQ(m.settings["mcpServers"]["git"], org_server);
  EXPECT_EQ(m.settings["mcpServers"]["mine"]["command"], "mcp-mine");
  EXPECT_EQ(provenance_of(m, "mcpServers.git"), "org");
  EXPECT_EQ(provenance_of(m, "mcpServers.mine"), "user");
  ASSERT_EQ(m.notes.size(), 1u);
  EXPECT_EQ(m.notes[0], "user sets mcpServers.git, which org set first and so locked; ignored");
}

TEST(Merge, HooksAreUnionedPerEvent) {
  json org_hook = {{"matcher", "Bash"}, {"hooks", {{{"type", "command"}, {"command", "/org/check"}}}}};
  json user_hook = {{"hooks", {{{"type", "command"}, {"command", "./mine"}}}}};
  Merged m = merge4({{"hooks", {{"PreToolUse", {org_hook}}}}}, kEmpty, kEmpty,
                    {{"hooks", {{"PreToolUse", {user_hook}}, {"Stop", {user_hook}}}}});
  EXPECT_EQ(m.settings["hooks"]["PreToolUse"], json({org_hook, user_hook}));
  EXPECT_EQ(m.settings["hooks"]["Stop"], json({user_hook}));
  EXPECT_EQ(provenance_of(m, "hooks.PreToolUse[0]"), "org");
  EXPECT_EQ(provenance_of(m, "hooks.PreToolUse[1]"), "user");
}

TEST(Merge, ProvenanceJsonFollowsSchemaOrder) {
  Merged m = merge4({{"rules", {"r1"}}, {"maxAutonomyLevel", "low"}}, kEmpty, {{"rules", {"r2"}}}, kEmpty);
  EXPECT_EQ(provenance_json(m).dump(), R"({"maxAutonomyLevel":"org","rules[0]":"org","rules[1]":"folder"})");
}

}  // namespace
}  // namespace droid::settings

namespace droid::settings {
namespace {

TEST(MergeLevels, NamesAnyNumberOfLevels) {
  Merged m = merge_levels({{{"maxAutonomyLevel", "high"}, {"rules", {"a"}}},
                           {{"maxAutonomyLevel", "low"}, {"rules", {"b"}}},
                           {{"rules", {"c"}}}},
                          {"org:team", "org:baseline", "org:other"});
  EXPECT_EQ(m.settings["maxAutonomyLevel"], "low");
  EXPECT_EQ(
      provenance_json(m).dump(),
      R"({"maxAutonomyLevel":"org:baseline","rules[0]":"org:team","rules[1]":"org:baseline","rules[2]":"org:other"})");
}

}  // namespace
}  // namespace droid::settings
