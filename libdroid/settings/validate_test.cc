#include "settings/validate.h"

#include <gtest/gtest.h>

namespace droid::settings {
namespace {

using json = nlohmann::json;

// The single error validate() reports for `settings`, as "path: message".
std::string only_error(const json& settings) {
  Validation v = validate(settings);
  EXPECT_EQ(v.errors.size(), 1u) << settings.dump();
  return v.errors.empty() ? "" : v.errors.front().str();
}

TEST(Validate, EmptyObjectIsValid) {
  Validation v = validate(json::object());
  EXPECT_TRUE(v.ok());
  EXPECT_TRUE(v.warnings.empty());
}

TEST(Validate, FullExampleIsValid) {
  json s = json::parse(R"({
    "sessionDefaults": {"model": "claude-sonnet-4", "autonomyLevel": "low", "reasoningEffort": "medium"},
    "maxAutonomyLevel": "medium",
    "models": {"allowed": ["claude-sonnet-4", "gpt-5"], "denied": ["gpt-4o"]},
    "customModels": {"local.llama": {"provider": "generic-chat-completion-api",
                                     "baseUrl": "http://vllm:8000/v1", "model": "llama-3", "maxOutputTokens": 4096}},
    "byokAllowed": false,
    "commandAllowlist": ["ls", "git status"], "commandDenylist": ["git push"], "commandBlocklist": ["rm -rf /"],
    "shield": {"enabled": true, "mode": "redact",
               "customPatterns": [{"name": "acme-token", "regex": "acme_[A-Za-z0-9]{32}", "keywords": ["acme_"]}]},
    "hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "./check.sh", "timeout": 30}]}],
              "Stop": [{"hooks": [{"type": "http", "url": "https://dlp.internal/scan"}]}]},
    "mcpServers": {"git": {"command": "mcp-git", "args": ["--ro"]}, "docs": {"type": "http", "url": "http://docs/mcp"}},
    "rules": ["Never push to main."],
    "telemetry": {"enabled": true, "endpoint": "http://otel:4318", "resourceAttributes": {"team": "payments"}}
  })");
  Validation v = validate(s);
  for (const auto& e : v.errors) ADD_FAILURE() << e.str();
  EXPECT_TRUE(v.warnings.empty());
}

TEST(Validate, RootMustBeAnObject) { EXPECT_EQ(only_error(json::array()), "must be an object (got a list)"); }

TEST(Validate, EnumNamesTheFieldAndTheChoices) {
  EXPECT_EQ(only_error({{"shield", {{"mode", "blok"}}}}),
            "shield.mode: must be one of \"block\", \"redact\" (got \"blok\")");
  EXPECT_EQ(only_error({{"maxAutonomyLevel", "full"}}),
            "maxAutonomyLevel: must be one of \"off\", \"low\", \"medium\", \"high\" (got \"full\")");
}

TEST(Validate, WrongTypes) {
  EXPECT_EQ(only_error({{"commandAllowlist", "ls"}}), "commandAllowlist: must be a list (got a string)");
  EXPECT_EQ(only_error({{"byokAllowed", "yes"}}), "byokAllowed: must be a boolean (true or false) (got a string)");
  EXPECT_EQ(
      only_error({{"customModels",
                   {{"m", {{"provider", "openai"}, {"baseUrl", "u"}, {"model", "m"}, {"maxOutputTokens", 1.5}}}}}}),
      "customModels.m.maxOutputTokens: must be an integer (got a number with a fraction)");
}

TEST(Validate, ListItemsAreNamedByIndex) {
  EXPECT_EQ(only_error({{"commandBlocklist", {"rm -rf /", ""}}}), "commandBlocklist[1]: must not be empty");
}

TEST(Validate, RequiredFieldsOfMapEntries) {
  EXPECT_EQ(only_error({{"customModels", {{"gpt.5", {{"provider", "openai"}, {"model", "gpt-5"}}}}}}),
            "customModels[\"gpt.5\"].baseUrl: is required");
}

TEST(Validate, EmptyAllowListIsRefusedWithTheFix) {
  EXPECT_EQ(only_error({{"models", {{"allowed", json::array()}}}}),
            "models.allowed: must have at least 1 entry; omit models.allowed to allow every model that is not "
            "denied");
}

TEST(Validate, HookRules) {
  EXPECT_EQ(only_error({{"hooks", {{"PreToolUse", {{{"hooks", {{{"type", "command"}}}}}}}}}}),
            "hooks.PreToolUse[0].hooks[0].command: is required when type is \"command\"");
  EXPECT_EQ(only_error({{"hooks", {{"Stop", {{{"hooks", {{{"type", "http"}, {"command", "x"}}}}}}}}}}),
            "hooks.Stop[0].hooks[0].url: is required when type is \"http\"");
  EXPECT_EQ(
      only_error({{"hooks", {{"Stop", {{{"hooks", {{{"type", "command"}, {"command", "x"}, {"timeout", 0}}}}}}}}}}),
      "hooks.Stop[0].hooks[0].timeout: must be at least 1 (got 0)");
  EXPECT_EQ(only_error({{"hooks", {{"Stop", {{{"matcher", "*"}}}}}}}), "hooks.Stop[0].hooks: is required");
  EXPECT_EQ(only_error({{"hooks", {{"Stop", {{{"hooks", {{{"type", "exec"}, {"command", "x"}}}}}}}}}}),
            "hooks.Stop[0].hooks[0].type: must be one of \"command\", \"http\" (got \"exec\")");
}

TEST(Validate, McpServerRules) {
  EXPECT_EQ(only_error({{"mcpServers", {{"git", {{"args", {"x"}}}}}}}),
            "mcpServers.git.command: is required when type is \"stdio\" (the default)");
  EXPECT_EQ(only_error({{"mcpServers", {{"docs", {{"type", "sse"}}}}}}),
            "mcpServers.docs.url: is required when type is \"sse\"");
}

TEST(Validate, CustomPatternsNeedAGoodNameAndACompilingRegex) {
  EXPECT_EQ(only_error({{"shield", {{"customPatterns", {{{"name", "Bad Name"}, {"regex", "x"}}}}}}}),
            "shield.customPatterns[0].name: must contain only lower-case letters, digits, '-' and '_', starting "
            "with a letter or digit (got \"Bad Name\")");
  std::string e = only_error({{"shield", {{"customPatterns", {{{"name", "p"}, {"regex", "(unclosed"}}}}}}});
  EXPECT_EQ(e.rfind("shield.customPatterns[0].regex: is not a valid regular expression (RE2 syntax): ", 0), 0u) << e;
}

TEST(Validate, ReportsEveryProblemNotJustTheFirst) {
  Validation v = validate({{"maxAutonomyLevel", 3}, {"rules", {1}}, {"shield", {{"enabled", "on"}}}});
  EXPECT_EQ(v.errors.size(), 3u);
}

TEST(Validate, UnknownFieldsWarnWithASuggestion) {
  Validation v = validate({{"commandBlockList", {"rm"}}, {"shield", {{"mdoe", "block"}}}, {"theme", "dark"}});
  EXPECT_TRUE(v.ok());
  ASSERT_EQ(v.warnings.size(), 3u);
  EXPECT_EQ(v.warnings[0].str(), "commandBlockList: unknown field; it is ignored (did you mean \"commandBlocklist\"?)");
  EXPECT_EQ(v.warnings[1].str(), "shield.mdoe: unknown field; it is ignored (did you mean \"mode\"?)");
  EXPECT_EQ(v.warnings[2].str(), "theme: unknown field; it is ignored");
}

TEST(Validate, WithoutUnknownFieldsKeepsEverythingKnown) {
  json s = {{"theme", "dark"},
            {"shield", {{"mode", "block"}, {"x", 1}}},
            {"mcpServers", {{"any-name", {{"command", "c"}, {"extra", true}}}}}};
  EXPECT_EQ(without_unknown_fields(s),
            json({{"shield", {{"mode", "block"}}}, {"mcpServers", {{"any-name", {{"command", "c"}}}}}}));
}

}  // namespace
}  // namespace droid::settings
