#include "hooks/hook_config.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace droid::runner::hooks {
namespace {

using nlohmann::json;

std::string error_of(const json& settings) {
  try {
    parse_hook_config(settings);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(HookConfig, NullOrEmptyIsNoHooks) {
  EXPECT_TRUE(parse_hook_config(json()).empty());
  EXPECT_TRUE(parse_hook_config(json::object()).empty());
  EXPECT_TRUE(parse_hook_config(json{{"Stop", json::array()}}).empty());
}

TEST(HookConfig, ParsesCommandAndHttpHooks) {
  const json settings = json::parse(R"({
    "PreToolUse": [{"matcher": "Bash|Write", "hooks": [
      {"type": "command", "command": "./check.sh", "timeout": 30},
      {"type": "http", "url": "https://dlp.corp:8443/hook", "timeout": 0.5, "headers": {"Authorization": "Bearer x"}}]}],
    "UserPromptSubmit": [{"hooks": [{"type": "command", "command": "true", "statusMessage": "checking"}]}]
  })");
  const HookConfig config = parse_hook_config(settings);
  EXPECT_FALSE(config.empty());
  const auto& pre = config.groups(Event::PreToolUse);
  ASSERT_EQ(pre.size(), 1U);
  EXPECT_EQ(pre[0].matcher, "Bash|Write");
  ASSERT_EQ(pre[0].hooks.size(), 2U);
  EXPECT_EQ(pre[0].hooks[0].type, HookType::Command);
  EXPECT_EQ(pre[0].hooks[0].command, "./check.sh");
  EXPECT_EQ(pre[0].hooks[0].timeout, std::chrono::seconds(30));
  EXPECT_EQ(pre[0].hooks[0].path, "hooks.PreToolUse[0].hooks[0]");
  EXPECT_EQ(pre[0].hooks[1].type, HookType::Http);
  EXPECT_EQ(pre[0].hooks[1].url, "https://dlp.corp:8443/hook");
  EXPECT_EQ(pre[0].hooks[1].timeout, std::chrono::milliseconds(500));
  EXPECT_EQ(pre[0].hooks[1].headers.at("Authorization"), "Bearer x");
  EXPECT_EQ(pre[0].hooks[1].describe(), "hooks.PreToolUse[0].hooks[1] (http https://dlp.corp:8443/hook)");
  const auto& prompt = config.groups(Event::UserPromptSubmit);
  ASSERT_EQ(prompt.size(), 1U);
  EXPECT_FALSE(prompt[0].hooks[0].timeout.has_value());
  EXPECT_TRUE(config.groups(Event::PostToolUse).empty());
}

TEST(HookConfig, MatcherIsAFullMatchOnTheToolOrItsAliases) {
  const HookConfig config = parse_hook_config(json::parse(R"({"PreToolUse": [
    {"matcher": "Bash", "hooks": []}, {"matcher": "Edit|Write", "hooks": []}, {"matcher": "*", "hooks": []},
    {"matcher": "", "hooks": []}, {"hooks": []}, {"matcher": "mcp__.*", "hooks": []}]})"));
  const auto& g = config.groups(Event::PreToolUse);
  EXPECT_TRUE(g[0].matches("shell"));
  EXPECT_TRUE(g[0].matches("Bash"));
  EXPECT_TRUE(g[0].matches("Execute"));
  EXPECT_FALSE(g[0].matches("read"));
  EXPECT_FALSE(g[0].matches("Bashful"));  // whole name only
  EXPECT_TRUE(g[1].matches("edit"));
  EXPECT_TRUE(g[1].matches("write"));
  EXPECT_FALSE(g[1].matches("grep"));
  for (int i : {2, 3, 4}) EXPECT_TRUE(g[i].matches("anything")) << i;
  EXPECT_TRUE(g[5].matches("mcp__github__search"));
  EXPECT_FALSE(g[5].matches("shell"));
}

TEST(HookConfig, UnknownEventIsRejectedWithTheValidOnes) {
  EXPECT_EQ(error_of(json{{"PreToolCall", json::array()}}),
            "hooks.PreToolCall: unknown hook event; valid events are SessionStart, UserPromptSubmit, PreToolUse, "
            "PostToolUse, Stop, SessionEnd");
}

TEST(HookConfig, ErrorsNameThePath) {
  const auto with_hook = [](const json& hook) {
    return json{{"PreToolUse", {{{"matcher", "Bash"}, {"hooks", {hook}}}}}};
  };
  EXPECT_EQ(error_of(json::array()), "hooks: must be an object, not array");
  EXPECT_EQ(error_of(json{{"Stop", json::object()}}), "hooks.Stop: must be an array, not object");
  EXPECT_EQ(error_of(json{{"Stop", {1}}}), "hooks.Stop[0]: must be an object, not number");
  EXPECT_EQ(error_of(json{{"Stop", {json::object()}}}), "hooks.Stop[0].hooks: is required");
  EXPECT_EQ(error_of(json{{"PreToolUse", {{{"matcher", "("}, {"hooks", json::array()}}}}}),
            "hooks.PreToolUse[0].matcher: is not a valid regular expression: missing ): (");
  EXPECT_EQ(error_of(json{{"PreToolUse", {{{"matcher", 3}, {"hooks", json::array()}}}}}),
            "hooks.PreToolUse[0].matcher: must be a string, not number");
  EXPECT_EQ(error_of(with_hook({{"command", "x"}})), "hooks.PreToolUse[0].hooks[0].type: is required");
  EXPECT_EQ(error_of(with_hook({{"type", "prompt"}})),
            "hooks.PreToolUse[0].hooks[0].type: must be \"command\" or \"http\", not \"prompt\"");
  EXPECT_EQ(error_of(with_hook({{"type", "command"}})), "hooks.PreToolUse[0].hooks[0].command: is required");
  EXPECT_EQ(error_of(with_hook({{"type", "command"}, {"command", ""}})),
            "hooks.PreToolUse[0].hooks[0].command: must not be empty");
  EXPECT_EQ(error_of(with_hook({{"type", "http"}, {"url", "ftp://x/"}})),
            "hooks.PreToolUse[0].hooks[0].url: must be an http:// or https:// URL");
  EXPECT_EQ(error_of(with_hook({{"type", "http"}, {"url", "https:///x"}})),
            "hooks.PreToolUse[0].hooks[0].url: has no host");
  EXPECT_EQ(error_of(with_hook({{"type", "http"}, {"url", "http://h/"}, {"headers", {{"X-A", 1}}}})),
            "hooks.PreToolUse[0].hooks[0].headers.X-A: must be a string");
  EXPECT_EQ(error_of(with_hook({{"type", "http"}, {"url", "http://h/"}, {"headers", {{"X-A", "a\r\nX-B: b"}}}})),
            "hooks.PreToolUse[0].hooks[0].headers.X-A: must not contain line breaks");
  EXPECT_EQ(error_of(with_hook({{"type", "command"}, {"command", "x"}, {"headers", json::object()}})),
            "hooks.PreToolUse[0].hooks[0].headers: is only for http hooks");
  EXPECT_EQ(error_of(with_hook({{"type", "command"}, {"command", "x"}, {"url", "http://h/"}})),
            "hooks.PreToolUse[0].hooks[0].url: is only for http hooks");
}

TEST(HookConfig, TimeoutMustBeAPositiveNumberOfSeconds) {
  const auto timeout_error = [](const json& timeout) {
    return error_of(json{{"Stop",
                          {{{"hooks",
                             {{{"type", "command"}, {"command", "true"}},
                              {{"type", "command"}, {"command", "true"}, {"timeout", timeout}}}}}}}});
  };
  const std::string expected = "hooks.Stop[0].hooks[1].timeout: must be a positive number of seconds";
  EXPECT_EQ(timeout_error(0), expected);
  EXPECT_EQ(timeout_error(-3), expected);
  EXPECT_EQ(timeout_error("30"), expected);
  EXPECT_EQ(timeout_error(nullptr), expected);
  EXPECT_EQ(timeout_error(1e9), "hooks.Stop[0].hooks[1].timeout: must be at most a day (86400 seconds)");
  EXPECT_EQ(timeout_error(0.001), "(no error)");
}

TEST(HookConfig, MatcherOnSessionEventsIsCompiledElsewhereIgnored) {
  const HookConfig config = parse_hook_config(json::parse(R"({
    "SessionStart": [{"matcher": "startup|resume", "hooks": []}],
    "Stop": [{"matcher": "(", "hooks": []}]})"));
  EXPECT_TRUE(config.groups(Event::SessionStart)[0].matches("startup"));
  EXPECT_FALSE(config.groups(Event::SessionStart)[0].matches("clear"));
  EXPECT_TRUE(config.groups(Event::Stop)[0].matches("anything"));
}

}  // namespace
}  // namespace droid::runner::hooks
