#include "hooks/tool_input.h"

#include <gtest/gtest.h>

namespace droid::runner::hooks {
namespace {

using nlohmann::json;

const std::string kWs = "/workspace";

TEST(ToolInput, ShellIsBashWithATimeoutInMilliseconds) {
  HookToolCall c = to_hook_call("shell", {{"command", "make test"}, {"timeout_seconds", 30}}, kWs);
  EXPECT_EQ(c.tool_name, "Bash");
  EXPECT_EQ(c.tool_input, json({{"command", "make test"}, {"timeout", 30000}}));
  // Back: seconds, rounded up; Bash's "description" is informational only.
  EXPECT_EQ(
      from_hook_input("shell", {{"command", "make check"}, {"timeout", 1500}, {"description", "runs tests"}}, kWs),
      json({{"command", "make check"}, {"timeout_seconds", 2}}));
}

TEST(ToolInput, FilesHaveAbsoluteFilePaths) {
  EXPECT_EQ(to_hook_call("read", {{"path", "src/a.c"}, {"offset", 10}, {"limit", 5}}, kWs).tool_input,
            json({{"file_path", "/workspace/src/a.c"}, {"offset", 10}, {"limit", 5}}));
  HookToolCall w = to_hook_call("write", {{"path", "./b.c"}, {"content", "int b;\n"}}, kWs);
  EXPECT_EQ(w.tool_name, "Write");
  EXPECT_EQ(w.tool_input, json({{"file_path", "/workspace/b.c"}, {"content", "int b;\n"}}));
  HookToolCall e = to_hook_call("edit", {{"path", "c.c"}, {"old_string", "x"}, {"new_string", "y"}}, kWs);
  EXPECT_EQ(e.tool_name, "Edit");
  EXPECT_EQ(e.tool_input, json({{"file_path", "/workspace/c.c"}, {"old_string", "x"}, {"new_string", "y"}}));

  EXPECT_EQ(from_hook_input("edit", {{"file_path", "/workspace/c.c"}, {"old_string", "x"}, {"new_string", "z"}}, kWs),
            json({{"path", "c.c"}, {"old_string", "x"}, {"new_string", "z"}}));
  EXPECT_EQ(from_hook_input("write", {{"file_path", "/workspace/"}, {"content", ""}}, kWs)["path"], ".");
  // Outside the workspace it stays as the hook wrote it: the tool refuses it with its own reason.
  EXPECT_EQ(from_hook_input("read", {{"file_path", "/etc/passwd"}}, kWs)["path"], "/etc/passwd");
  EXPECT_EQ(from_hook_input("read", {{"file_path", "/workspace-other/x"}}, kWs)["path"], "/workspace-other/x");
}

TEST(ToolInput, SearchToolsUseTheirKeys) {
  HookToolCall ls = to_hook_call("list", json::object(), kWs);
  EXPECT_EQ(ls.tool_name, "LS");
  EXPECT_EQ(ls.tool_input, json({{"path", "/workspace"}}));
  EXPECT_EQ(from_hook_input("list", ls.tool_input, kWs), json({{"path", "."}}));
  EXPECT_EQ(to_hook_call("glob", {{"pattern", "**/*.h"}}, kWs).tool_input, json({{"pattern", "**/*.h"}}));
  HookToolCall g =
      to_hook_call("grep", {{"pattern", "TODO"}, {"path", "src"}, {"ignore_case", true}, {"max_results", 5}}, kWs);
  EXPECT_EQ(g.tool_name, "Grep");
  EXPECT_EQ(g.tool_input, json({{"pattern", "TODO"}, {"path", "/workspace/src"}, {"-i", true}, {"head_limit", 5}}));
  EXPECT_EQ(from_hook_input("grep", g.tool_input, kWs),
            json({{"pattern", "TODO"}, {"path", "src"}, {"ignore_case", true}, {"max_results", 5}}));
}

TEST(ToolInput, UnknownToolsAndKeysPassUnchanged) {
  HookToolCall mcp = to_hook_call("mcp__github__create_issue", {{"title", "x"}}, kWs);
  EXPECT_EQ(mcp.tool_name, "mcp__github__create_issue");
  EXPECT_EQ(mcp.tool_input, json({{"title", "x"}}));
  EXPECT_EQ(from_hook_input("mcp__github__create_issue", {{"title", "y"}}, kWs), json({{"title", "y"}}));
  // A key no tool knows reaches the tool, which rejects it with a clear error.
  EXPECT_EQ(from_hook_input("shell", {{"command", "ls"}, {"run_in_background", true}}, kWs)["run_in_background"], true);
  EXPECT_EQ(to_hook_call("shell", "not an object", kWs).tool_input, "not an object");
  EXPECT_EQ(to_hook_call("shell", "not an object", kWs).tool_name, "Bash");
}

}  // namespace
}  // namespace droid::runner::hooks
