#include "policy/code_calls.h"

#include <gtest/gtest.h>

namespace droid::runner::policy {
namespace {

TEST(CodeCalls, TreeDeletionIsRmRf) {
  EXPECT_EQ(commands_in_calls(R"(import shutil; shutil.rmtree("/"))"), "rm -r -f /\n");
  EXPECT_EQ(commands_in_calls(R"(FileUtils.rm_rf("/etc"))"), "rm -r -f /etc\n");
  EXPECT_EQ(commands_in_calls(R"(FileUtils.rm_rf "/etc")"), "rm -r -f /etc\n");  // Ruby without parentheses
  EXPECT_EQ(commands_in_calls(R"(os.RemoveAll("/home"))"), "rm -r -f /home\n");
  EXPECT_EQ(commands_in_calls(R"(std::fs::remove_dir_all("/")?;)"), "rm -r -f /\n");
  EXPECT_EQ(commands_in_calls(R"(use File::Path; rmtree('/srv');)"), "rm -r -f /srv\n");
}

TEST(CodeCalls, NodeRmIsRecursiveOnlyWhenAskedTo) {
  EXPECT_EQ(commands_in_calls(R"(require("fs").rmSync("/", {recursive: true, force: true}))"), "rm -r -f /\n");
  EXPECT_EQ(commands_in_calls(R"(fs.rmSync("/tmp/x"))"), "rm /tmp/x\n");
  EXPECT_EQ(commands_in_calls(R"(fs.promises.rm(`/`, {recursive: true}))"), "rm -r -f /\n");
}

TEST(CodeCalls, CommonNamesCountOnlyOnTheirModule) {
  EXPECT_EQ(commands_in_calls(R"(os.remove("/etc/passwd"))"), "rm /etc/passwd\n");
  EXPECT_EQ(commands_in_calls(R"(os.unlink("/etc/passwd"))"), "rm /etc/passwd\n");
  EXPECT_EQ(commands_in_calls(R"(unlink "/etc/passwd";)"), "rm /etc/passwd\n");  // Perl
  // list.remove("a") and map.delete("k") are not file operations.
  EXPECT_EQ(commands_in_calls(R"(items.remove("a"); cache.delete("k"))"), "");
  EXPECT_EQ(commands_in_calls(R"(Files.delete(Paths.get("/x")))"), "");  // no literal first: not known
}

TEST(CodeCalls, OnlyCallsWithALiteralPath) {
  EXPECT_EQ(commands_in_calls("shutil.rmtree(path)"), "");
  EXPECT_EQ(commands_in_calls("rmtree"), "");
  EXPECT_EQ(commands_in_calls("my_rmtree_helper('/')"), "");          // another identifier
  EXPECT_EQ(commands_in_calls("shutil.rmtree('/'"), "rm -r -f /\n");  // unclosed call: the literal still names it
}

}  // namespace
}  // namespace droid::runner::policy
