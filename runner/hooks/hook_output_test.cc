#include "hooks/hook_output.h"

#include <gtest/gtest.h>

namespace droid::runner::hooks {
namespace {

using nlohmann::json;

TEST(HookOutput, ExitZeroWithoutOutputIsNoOpinion) {
  HookResult r = parse_command_result(Event::PreToolUse, 0, "", "some log on stderr");
  EXPECT_FALSE(r.failed);
  EXPECT_FALSE(r.block);
  EXPECT_FALSE(r.permission.has_value());
  EXPECT_TRUE(r.error.empty());
}

TEST(HookOutput, ExitTwoBlocksWithStderrAsTheReason) {
  HookResult r = parse_command_result(Event::PreToolUse, 2, "{\"ignored\": true}", "  no rm -rf here\n");
  EXPECT_TRUE(r.block);
  EXPECT_EQ(r.reason, "no rm -rf here");
  EXPECT_EQ(r.permission, "deny");
  r = parse_command_result(Event::UserPromptSubmit, 2, "", "prompt mentions a customer name");
  EXPECT_TRUE(r.block);
  EXPECT_FALSE(r.permission.has_value());
}

TEST(HookOutput, OtherExitCodesAreNonBlockingErrors) {
  HookResult r = parse_command_result(Event::PreToolUse, 1, "", "jq: parse error\n");
  EXPECT_FALSE(r.failed);
  EXPECT_FALSE(r.block);
  EXPECT_EQ(r.error, "exit 1: jq: parse error");
}

TEST(HookOutput, CouldNotRunOrKilledIsAFailure) {
  HookResult r = parse_command_result(Event::PreToolUse, 127, "", "sh: 1: ./check.sh: not found\n");
  EXPECT_TRUE(r.failed);
  EXPECT_EQ(r.error, "could not run (exit 127): sh: 1: ./check.sh: not found");
  r = parse_command_result(Event::PreToolUse, 128 + 9, "", "");
  EXPECT_TRUE(r.failed);
  EXPECT_EQ(r.error, "killed by signal 9");
}

TEST(HookOutput, PermissionDecisions) {
  HookResult deny = parse_hook_output(Event::PreToolUse, R"({"hookSpecificOutput": {"hookEventName": "PreToolUse",
      "permissionDecision": "deny", "permissionDecisionReason": "writes to prod"}})");
  EXPECT_TRUE(deny.block);
  EXPECT_EQ(deny.permission, "deny");
  EXPECT_EQ(deny.reason, "writes to prod");

  HookResult ask = parse_hook_output(
      Event::PreToolUse,
      R"({"hookSpecificOutput": {"permissionDecision": "ask", "permissionDecisionReason": "check"}})");
  EXPECT_FALSE(ask.block);
  EXPECT_EQ(ask.permission, "ask");
  EXPECT_EQ(ask.reason, "check");

  HookResult allow = parse_hook_output(Event::PreToolUse, R"({"hookSpecificOutput": {"permissionDecision": "allow"}})");
  EXPECT_FALSE(allow.block);
  EXPECT_EQ(allow.permission, "allow");
}

TEST(HookOutput, UpdatedInputAndAdditionalContext) {
  HookResult r = parse_hook_output(Event::PreToolUse, R"({"hookSpecificOutput": {"permissionDecision": "allow",
      "updatedInput": {"command": "ls -la"}, "additionalContext": "listing instead"}})");
  ASSERT_TRUE(r.updated_input.has_value());
  EXPECT_EQ(*r.updated_input, json({{"command", "ls -la"}}));
  EXPECT_EQ(r.additional_context, "listing instead");
  // updatedInput and permission decisions are PreToolUse's only.
  r = parse_hook_output(Event::PostToolUse, R"({"hookSpecificOutput": {"permissionDecision": "deny",
      "updatedInput": {"x": 1}, "additionalContext": "lint: 3 warnings"}})");
  EXPECT_FALSE(r.block);
  EXPECT_FALSE(r.updated_input.has_value());
  EXPECT_EQ(r.additional_context, "lint: 3 warnings");
}

TEST(HookOutput, ContinueFalseStops) {
  HookResult r = parse_hook_output(Event::PostToolUse, R"({"continue": false, "stopReason": "budget spent"})");
  EXPECT_TRUE(r.stop);
  EXPECT_EQ(r.stop_reason, "budget spent");
  r = parse_hook_output(Event::PostToolUse, R"({"continue": true, "stopReason": "unused"})");
  EXPECT_FALSE(r.stop);
  EXPECT_TRUE(r.stop_reason.empty());
}

TEST(HookOutput, DecisionBlockAndTheOlderApprove) {
  HookResult r = parse_hook_output(Event::Stop, R"({"decision": "block", "reason": "tests still fail"})");
  EXPECT_TRUE(r.block);
  EXPECT_EQ(r.reason, "tests still fail");
  r = parse_hook_output(Event::PreToolUse, R"({"decision": "block", "reason": "no"})");
  EXPECT_EQ(r.permission, "deny");
  r = parse_hook_output(Event::PreToolUse, R"({"decision": "approve"})");
  EXPECT_FALSE(r.block);
  EXPECT_EQ(r.permission, "allow");
}

TEST(HookOutput, PlainTextIsContextForPromptsAndSessionStart) {
  EXPECT_EQ(parse_hook_output(Event::UserPromptSubmit, "Today is a release freeze.\n").additional_context,
            "Today is a release freeze.");
  EXPECT_EQ(parse_hook_output(Event::SessionStart, "branch: main").additional_context, "branch: main");
  HookResult r = parse_hook_output(Event::PreToolUse, "checked ok\n");
  EXPECT_FALSE(r.failed);
  EXPECT_TRUE(r.additional_context.empty());
}

TEST(HookOutput, MalformedJsonIsAFailure) {
  for (const char* out : {R"({"hookSpecificOutput": )", R"({"continue": "no"})", R"({"decision": "maybe"})",
                          R"({"hookSpecificOutput": {"permissionDecision": "yes"}})",
                          R"({"hookSpecificOutput": {"hookEventName": "PostToolUse"}})",
                          R"({"hookSpecificOutput": {"updatedInput": "rm -rf /"}})", R"({"reason": 3})",
                          R"({"hookSpecificOutput": []})"}) {
    HookResult r = parse_hook_output(Event::PreToolUse, out);
    EXPECT_TRUE(r.failed) << out;
    EXPECT_FALSE(r.block) << out;  // whether a failure blocks is the caller's decision
    EXPECT_EQ(r.error.rfind("malformed output: ", 0), 0U) << r.error;
  }
  EXPECT_EQ(parse_hook_output(Event::PreToolUse, R"({"decision": "maybe"})").error,
            "malformed output: \"decision\" must be \"block\" or \"approve\", not \"maybe\"");
}

TEST(HookOutput, HttpStatus) {
  EXPECT_EQ(parse_http_result(Event::PreToolUse, 200, R"({"decision": "block", "reason": "PII"})").reason, "PII");
  EXPECT_FALSE(parse_http_result(Event::PreToolUse, 204, "").failed);
  HookResult r = parse_http_result(Event::PreToolUse, 500, "internal error");
  EXPECT_TRUE(r.failed);
  EXPECT_EQ(r.error, "HTTP 500: internal error");
  EXPECT_TRUE(parse_http_result(Event::PreToolUse, 302, "").failed);
}

}  // namespace
}  // namespace droid::runner::hooks
