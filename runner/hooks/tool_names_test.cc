#include "hooks/tool_names.h"

#include <gtest/gtest.h>

namespace droid::runner::hooks {
namespace {

using Names = std::vector<std::string>;

TEST(ToolNames, OursFirstThenClaudeAndFactoryNames) {
  EXPECT_EQ(tool_names("shell"), (Names{"shell", "Bash", "Execute"}));
  EXPECT_EQ(tool_names("write"), (Names{"write", "Write", "Create"}));
  EXPECT_EQ(tool_names("edit"), (Names{"edit", "Edit", "MultiEdit"}));
  EXPECT_EQ(tool_names("list"), (Names{"list", "LS"}));
}

TEST(ToolNames, AnAliasGivesTheSameFamily) {
  EXPECT_EQ(tool_names("Bash"), (Names{"Bash", "shell", "Execute"}));
  EXPECT_EQ(tool_names("Grep"), (Names{"Grep", "grep"}));
}

TEST(ToolNames, UnknownToolIsOnlyItself) {
  EXPECT_EQ(tool_names("mcp__github__create_issue"), (Names{"mcp__github__create_issue"}));
  EXPECT_EQ(tool_names("bash"), (Names{"bash"}));  // names are case-sensitive, as in Claude Code
}

}  // namespace
}  // namespace droid::runner::hooks
