// Hooks end to end with real command hooks in the sandbox: matching, the
// protocol's answers, how several hooks combine, and failing closed.
#include "hooks/hooks.h"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace droid::runner::hooks {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class HooksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = fs::temp_directory_path().string() + "/droid-hooks-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    workspace_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(workspace_, ec);
  }

  // A hook script in the workspace; returns the command that runs it.
  std::string script(const std::string& name, const std::string& body) const {
    const std::string path = workspace_ + "/" + name;
    std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
    chmod(path.c_str(), 0755);
    return "./" + name;
  }

  Hooks hooks(const json& settings) const {
    Options options;
    options.workspace = workspace_;
    options.session_id = "session-1";
    options.default_timeout = std::chrono::seconds(30);
    return Hooks(settings, options);
  }

  static json one(const char* event, const std::string& matcher, const std::vector<json>& hook_list) {
    json group = {{"hooks", json(hook_list)}};
    if (!matcher.empty()) group["matcher"] = matcher;
    return json{{event, json::array({group})}};
  }
  static json command(const std::string& cmd) { return {{"type", "command"}, {"command", cmd}}; }
  static json command(const std::string& cmd, double timeout) {
    return {{"type", "command"}, {"command", cmd}, {"timeout", timeout}};
  }

  static json shell_call(const std::string& cmd) {
    return {{"tool_name", "shell"}, {"tool_input", {{"command", cmd}}}};
  }

  std::string workspace_;
};

TEST_F(HooksTest, NoHooksIsEmptyAndDecidesNothing) {
  Hooks h = hooks(json());
  EXPECT_TRUE(h.empty());
  Outcome o = h.run(Event::PreToolUse, shell_call("ls"));
  EXPECT_FALSE(o.block);
  EXPECT_EQ(o.hooks_run, 0);
}

TEST_F(HooksTest, InputCarriesTheEventAndSessionFields) {
  Hooks h = hooks(one("PreToolUse", "", {command(script("record.sh", "cat > input.json"))}));
  EXPECT_FALSE(h.empty());
  Outcome o = h.run(Event::PreToolUse, shell_call("git status"));
  EXPECT_EQ(o.hooks_run, 1);
  EXPECT_TRUE(o.errors.empty()) << o.errors.front();
  const json input = json::parse(slurp(workspace_ + "/input.json"));
  EXPECT_EQ(input["session_id"], "session-1");
  EXPECT_EQ(input["cwd"], workspace_);
  EXPECT_EQ(input["hook_event_name"], "PreToolUse");
  // Claude Code's name for the tool (tool_input.h).
  EXPECT_EQ(input["tool_name"], "Bash");
  EXPECT_EQ(input["tool_input"]["command"], "git status");
}

// A hook as written for Claude Code: matcher "Bash" or "Write|Edit", reading
// .tool_input.command and .tool_input.file_path with jq, answering in its JSON.
TEST_F(HooksTest, AHookWrittenForClaudeCodeWorksUnchanged) {
  json settings = json::parse(R"({"PreToolUse": [
    {"matcher": "Bash", "hooks": [{"type": "command", "command":
      "cmd=$(jq -r '.tool_input.command'); case \"$cmd\" in *'rm -rf'*) echo \"Blocked: $cmd\" >&2; exit 2;; esac"}]},
    {"matcher": "Write|Edit", "hooks": [{"type": "command", "command":
      "jq -c '{hookSpecificOutput: {hookEventName: \"PreToolUse\", permissionDecision: \"allow\", updatedInput: (.tool_input + {file_path: (.tool_input.file_path + \".new\")})}}'"}]}]})");
  Hooks h = hooks(settings);
  Outcome blocked = h.run(Event::PreToolUse, shell_call("rm -rf build"));
  EXPECT_TRUE(blocked.block);
  EXPECT_EQ(blocked.reason, "Blocked: rm -rf build");
  Outcome fine = h.run(Event::PreToolUse, shell_call("ls"));
  EXPECT_FALSE(fine.block) << fine.reason;
  EXPECT_EQ(fine.hooks_run, 1) << "the Write|Edit hook does not match a shell call";

  // The hook saw an absolute file_path and changed it; the gate gets our arguments back.
  Outcome rewritten = h.run(Event::PreToolUse,
                            {{"tool_name", "write"}, {"tool_input", {{"path", "src/a.c"}, {"content", "int a;\n"}}}});
  EXPECT_FALSE(rewritten.block) << rewritten.reason;
  ASSERT_TRUE(rewritten.updated_input.has_value()) << (rewritten.errors.empty() ? "" : rewritten.errors.front());
  EXPECT_EQ(*rewritten.updated_input, json({{"path", "src/a.c.new"}, {"content", "int a;\n"}}));
}

TEST_F(HooksTest, ExitTwoBlocksWithStderrAsTheReason) {
  Hooks h = hooks(one("PreToolUse", "shell", {command(script("deny.sh", "echo 'no network tools' >&2; exit 2"))}));
  Outcome o = h.run(Event::PreToolUse, shell_call("curl example.com"));
  EXPECT_TRUE(o.block);
  EXPECT_EQ(o.reason, "no network tools");
  EXPECT_EQ(o.permission, "deny");
}

TEST_F(HooksTest, JsonDeny) {
  Hooks h = hooks(one("PreToolUse", "", {command(script("deny.sh", R"(cat >/dev/null
echo '{"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": "deny", "permissionDecisionReason": "touches .env"}}')"))}));
  Outcome o = h.run(Event::PreToolUse, shell_call("cat .env"));
  EXPECT_TRUE(o.block);
  EXPECT_EQ(o.permission, "deny");
  EXPECT_EQ(o.reason, "touches .env");
}

TEST_F(HooksTest, JsonAsk) {
  Hooks h = hooks(one(
      "PreToolUse", "",
      {command(script(
          "ask.sh",
          R"(echo '{"hookSpecificOutput": {"permissionDecision": "ask", "permissionDecisionReason": "deploys"}}')"))}));
  Outcome o = h.run(Event::PreToolUse, shell_call("make deploy"));
  EXPECT_FALSE(o.block);
  EXPECT_EQ(o.permission, "ask");
  EXPECT_EQ(o.reason, "deploys");
}

TEST_F(HooksTest, JsonAllowWithUpdatedInputAndContext) {
  Hooks h = hooks(one("PreToolUse", "", {command(script("rewrite.sh", R"(cat >/dev/null
echo '{"hookSpecificOutput": {"permissionDecision": "allow", "updatedInput": {"command": "ls -la"}, "additionalContext": "ls is aliased"}}')"))}));
  Outcome o = h.run(Event::PreToolUse, shell_call("ls"));
  EXPECT_FALSE(o.block);
  EXPECT_EQ(o.permission, "allow");
  ASSERT_TRUE(o.updated_input.has_value());
  EXPECT_EQ(*o.updated_input, json({{"command", "ls -la"}}));
  EXPECT_EQ(o.additional_context, "ls is aliased");
}

TEST_F(HooksTest, AdditionalContextFromPostToolUseAndPromptText) {
  Hooks h = hooks(
      json{{"PostToolUse",
            {{{"hooks", {command(R"(echo '{"hookSpecificOutput": {"additionalContext": "lint: 2 warnings"}}')")}}}}},
           {"UserPromptSubmit", {{{"hooks", {command("echo 'Release freeze today.'")}}}}}});
  Outcome post = h.run(Event::PostToolUse, {{"tool_name", "edit"}, {"tool_response", {{"ok", true}}}});
  EXPECT_EQ(post.additional_context, "lint: 2 warnings");
  Outcome prompt = h.run(Event::UserPromptSubmit, {{"prompt", "fix the bug"}});
  EXPECT_FALSE(prompt.block);
  EXPECT_EQ(prompt.additional_context, "Release freeze today.");
}

TEST_F(HooksTest, ContinueFalseStopsTheSession) {
  Hooks h =
      hooks(one("PostToolUse", "", {command(R"(echo '{"continue": false, "stopReason": "token budget spent"}')")}));
  Outcome o = h.run(Event::PostToolUse, {{"tool_name", "shell"}});
  EXPECT_TRUE(o.stop);
  EXPECT_EQ(o.stop_reason, "token budget spent");
  EXPECT_FALSE(o.block);
}

TEST_F(HooksTest, MalformedJsonOnAGateBlocksNamingTheHook) {
  Hooks h = hooks(one("PreToolUse", "", {command("echo '{\"hookSpecificOutput\": {'")}));
  Outcome o = h.run(Event::PreToolUse, shell_call("ls"));
  EXPECT_TRUE(o.block);
  EXPECT_EQ(o.reason.rfind("hook hooks.PreToolUse[0].hooks[0] (command \"echo", 0), 0U) << o.reason;
  EXPECT_NE(o.reason.find("failed: malformed output: not valid JSON"), std::string::npos) << o.reason;
}

TEST_F(HooksTest, MalformedJsonElsewhereIsOnlyAnError) {
  Hooks h = hooks(one("Stop", "", {command("echo '{oops'")}));
  Outcome o = h.run(Event::Stop, json::object());
  EXPECT_FALSE(o.block);
  ASSERT_EQ(o.errors.size(), 1U);
  EXPECT_NE(o.errors[0].find("malformed output"), std::string::npos) << o.errors[0];
}

TEST_F(HooksTest, TimeoutOnAGateBlocks) {
  Hooks h = hooks(one("PreToolUse", "", {command("sleep 5", 0.2)}));
  const auto started = std::chrono::steady_clock::now();
  Outcome o = h.run(Event::PreToolUse, shell_call("ls"));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  EXPECT_TRUE(o.block);
  EXPECT_EQ(o.reason, "hook hooks.PreToolUse[0].hooks[0] (command \"sleep 5\") failed: timed out after 0.2 s");
}

TEST_F(HooksTest, TimeoutOnUserPromptSubmitBlocks) {
  Hooks h = hooks(one("UserPromptSubmit", "", {command("sleep 5", 0.2)}));
  EXPECT_TRUE(h.run(Event::UserPromptSubmit, {{"prompt", "hi"}}).block);
}

TEST_F(HooksTest, TimeoutOnPostToolUseIsOnlyAnError) {
  Hooks h = hooks(one("PostToolUse", "", {command("sleep 5", 0.2)}));
  Outcome o = h.run(Event::PostToolUse, {{"tool_name", "shell"}});
  EXPECT_FALSE(o.block);
  EXPECT_EQ(o.hooks_run, 1);
  ASSERT_EQ(o.errors.size(), 1U);
  EXPECT_EQ(o.errors[0], "hook hooks.PostToolUse[0].hooks[0] (command \"sleep 5\") failed: timed out after 0.2 s");
}

TEST_F(HooksTest, MissingScriptOnAGateBlocks) {
  Hooks h = hooks(one("PreToolUse", "", {command("./not-there.sh")}));
  Outcome o = h.run(Event::PreToolUse, shell_call("ls"));
  EXPECT_TRUE(o.block);
  EXPECT_NE(o.reason.find("could not run (exit 127)"), std::string::npos) << o.reason;
}

TEST_F(HooksTest, NonBlockingExitCodeIsAnError) {
  Hooks h = hooks(one("PreToolUse", "", {command("echo oops >&2; exit 1")}));
  Outcome o = h.run(Event::PreToolUse, shell_call("ls"));
  EXPECT_FALSE(o.block);
  ASSERT_EQ(o.errors.size(), 1U);
  EXPECT_EQ(o.errors[0], "hook hooks.PreToolUse[0].hooks[0] (command \"echo oops >&2; exit 1\"): exit 1: oops");
}

TEST_F(HooksTest, NonMatchingMatcherIsNotRun) {
  Hooks h = hooks(one("PreToolUse", "Write|Edit", {command("touch ran; exit 2")}));
  Outcome o = h.run(Event::PreToolUse, shell_call("ls"));
  EXPECT_FALSE(o.block);
  EXPECT_EQ(o.hooks_run, 0);
  EXPECT_FALSE(fs::exists(workspace_ + "/ran"));
  // Control: the same group runs for an edit.
  EXPECT_TRUE(h.run(Event::PreToolUse, {{"tool_name", "edit"}}).block);
  EXPECT_TRUE(fs::exists(workspace_ + "/ran"));
}

TEST_F(HooksTest, ClaudeAndFactoryToolNamesMatchOurTools) {
  for (const char* matcher : {"Bash", "Execute", "shell"}) {
    Hooks h = hooks(one("PreToolUse", matcher, {command("exit 2")}));
    EXPECT_TRUE(h.run(Event::PreToolUse, shell_call("ls")).block) << matcher;
    EXPECT_FALSE(h.run(Event::PreToolUse, {{"tool_name", "read"}}).block) << matcher;
  }
  Hooks h = hooks(one("PostToolUse", "Create", {command("exit 2")}));
  EXPECT_TRUE(h.run(Event::PostToolUse, {{"tool_name", "write"}}).block);
}

TEST_F(HooksTest, DenyBeatsAskBeatsAllowAndAllHooksRun) {
  const std::string allow = R"(echo '{"hookSpecificOutput": {"permissionDecision": "allow"}}')";
  const std::string ask =
      R"(echo '{"hookSpecificOutput": {"permissionDecision": "ask", "permissionDecisionReason": "why"}}')";
  const std::string deny =
      R"(echo '{"hookSpecificOutput": {"permissionDecision": "deny", "permissionDecisionReason": "no"}}')";
  json settings = {{"PreToolUse",
                    {{{"matcher", "Bash"}, {"hooks", {command(allow), command(ask)}}},
                     {{"matcher", "*"}, {"hooks", {command(deny), command(allow)}}}}}};
  Outcome o = hooks(settings).run(Event::PreToolUse, shell_call("ls"));
  EXPECT_EQ(o.hooks_run, 4);
  EXPECT_TRUE(o.block);
  EXPECT_EQ(o.permission, "deny");
  EXPECT_EQ(o.reason, "no");

  Outcome asked = hooks(one("PreToolUse", "", {command(allow), command(ask), command(allow)}))
                      .run(Event::PreToolUse, shell_call("ls"));
  EXPECT_FALSE(asked.block);
  EXPECT_EQ(asked.permission, "ask");
  EXPECT_EQ(asked.reason, "why");
}

TEST_F(HooksTest, FirstUpdatedInputWinsAndAConflictIsReported) {
  Outcome o = hooks(one("PreToolUse", "",
                        {command(R"(echo '{"hookSpecificOutput": {"updatedInput": {"command": "a"}}}')"),
                         command(R"(echo '{"hookSpecificOutput": {"updatedInput": {"command": "b"}}}')")}))
                  .run(Event::PreToolUse, shell_call("x"));
  ASSERT_TRUE(o.updated_input.has_value());
  EXPECT_EQ((*o.updated_input)["command"], "a");
  ASSERT_EQ(o.errors.size(), 1U);
  EXPECT_NE(o.errors[0].find("hooks[1]"), std::string::npos) << o.errors[0];
}

TEST_F(HooksTest, SessionEventsCannotBeBlocked) {
  Hooks h = hooks(one("SessionStart", "", {command("echo 'no' >&2; exit 2")}));
  Outcome o = h.run(Event::SessionStart, json::object());
  EXPECT_FALSE(o.block);
  ASSERT_EQ(o.errors.size(), 1U);
  EXPECT_NE(o.errors[0].find("cannot be blocked: no"), std::string::npos) << o.errors[0];
}

TEST_F(HooksTest, SessionStartMatcherSeesTheSource) {
  Hooks h = hooks(one("SessionStart", "resume", {command("echo resumed")}));
  EXPECT_EQ(h.run(Event::SessionStart, json::object()).hooks_run, 0);  // "startup" by default
  EXPECT_EQ(h.run(Event::SessionStart, {{"source", "resume"}}).additional_context, "resumed");
}

TEST_F(HooksTest, ACommandHookCannotWriteOutsideTheWorkspace) {
  const fs::path outside = fs::path(workspace_).parent_path() / ("droid-hooks-escape-" + std::to_string(getpid()));
  const auto write_then_mark = [](const std::string& target) {
    return "if echo pwned > " + target + " 2>/dev/null; then touch wrote; else touch refused; fi";
  };
  Outcome o = hooks(one("PostToolUse", "", {command(write_then_mark(outside.string()))}))
                  .run(Event::PostToolUse, {{"tool_name", "shell"}});
  EXPECT_EQ(o.hooks_run, 1);
  EXPECT_FALSE(fs::exists(outside));
  EXPECT_TRUE(fs::exists(workspace_ + "/refused"));
  EXPECT_FALSE(fs::exists(workspace_ + "/wrote"));
  std::error_code ec;
  fs::remove(outside, ec);
  // Control: the same hook writes inside the workspace.
  hooks(one("PostToolUse", "", {command(write_then_mark(workspace_ + "/inside"))}))
      .run(Event::PostToolUse, {{"tool_name", "shell"}});
  EXPECT_TRUE(fs::exists(workspace_ + "/wrote"));
  EXPECT_EQ(slurp(workspace_ + "/inside"), "pwned\n");
}

TEST_F(HooksTest, ConfigurationErrorsThrow) {
  EXPECT_THROW(hooks(json{{"PreToolCall", json::array()}}), std::invalid_argument);
}

}  // namespace
}  // namespace droid::runner::hooks
