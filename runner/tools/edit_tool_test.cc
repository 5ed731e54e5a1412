#include "tools/edit_tool.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "tools/testing/workspace.h"

namespace droid::runner::tools {
namespace {

using nlohmann::json;

class EditToolTest : public ::testing::Test {
 protected:
  Result edit(const json& args) {
    EditTool tool(context_);
    return tool.run(args);
  }
  testing::TempWorkspace ws_;
  Context context_ = ws_.context();
};

TEST_F(EditToolTest, ReplacesAUniqueString) {
  ws_.write("a.cc", "int a = 1;\nint b = 2;\n");
  Result r = edit({{"path", "a.cc"}, {"old_string", "b = 2"}, {"new_string", "b = 3"}});
  EXPECT_FALSE(r.is_error) << r.content;
  EXPECT_EQ(r.content, "Edited a.cc: replaced 1 occurrence, the first at line 2");
  EXPECT_EQ(ws_.read("a.cc"), "int a = 1;\nint b = 3;\n");
  EXPECT_EQ(r.audit["replacements"], 1);
  EXPECT_EQ(r.audit["path"], "a.cc");
}

TEST_F(EditToolTest, ReplaceAll) {
  ws_.write("a.txt", "x x x");
  Result r = edit({{"path", "a.txt"}, {"old_string", "x"}, {"new_string", "yy"}, {"replace_all", true}});
  EXPECT_FALSE(r.is_error) << r.content;
  EXPECT_EQ(ws_.read("a.txt"), "yy yy yy");
  EXPECT_EQ(r.audit["replacements"], 3);
}

TEST_F(EditToolTest, ManyOccurrencesWithoutReplaceAllSaysHowMany) {
  ws_.write("a.txt", "x x x");
  Result r = edit({{"path", "a.txt"}, {"old_string", "x"}, {"new_string", "y"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_NE(r.content.find("old_string: occurs 3 times in a.txt"), std::string::npos) << r.content;
  EXPECT_NE(r.content.find("replace_all"), std::string::npos);
  EXPECT_EQ(ws_.read("a.txt"), "x x x");
}

TEST_F(EditToolTest, NotFoundSuggestsReReading) {
  ws_.write("a.txt", "hello");
  Result r = edit({{"path", "a.txt"}, {"old_string", "HELLO"}, {"new_string", "bye"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_NE(r.content.find("old_string: was not found in a.txt"), std::string::npos) << r.content;
  EXPECT_NE(r.content.find("Read the file again"), std::string::npos);
}

TEST_F(EditToolTest, ClearErrors) {
  ws_.write("a.txt", "hello");
  EXPECT_EQ(edit({{"path", "nope.txt"}, {"old_string", "a"}, {"new_string", "b"}}).content,
            "path: nope.txt does not exist; to create a file, use write");
  EXPECT_NE(edit({{"path", "a.txt"}, {"old_string", ""}, {"new_string", "b"}}).content.find("old_string: is empty"),
            std::string::npos);
  EXPECT_EQ(edit({{"path", "a.txt"}, {"old_string", "hello"}, {"new_string", "hello"}}).content,
            "new_string: is the same as old_string; nothing to change");
  EXPECT_EQ(edit({{"path", "a.txt"}, {"old_string", "hello"}}).content, "new_string: missing required argument");
  EXPECT_EQ(edit({{"path", "a.txt"}, {"old_string", "h"}, {"new_string", "j"}, {"replace_all", "yes"}}).content,
            "replace_all: expected true or false, got a string");
  EXPECT_EQ(ws_.read("a.txt"), "hello");
}

TEST_F(EditToolTest, LeavesGitDirectoriesAlone) {
  ws_.write(".git/config", "[core]\n");
  Result r = edit({{"path", ".git/config"}, {"old_string", "[core]"}, {"new_string", "[core]\nhooksPath=x"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(ws_.read(".git/config"), "[core]\n");
}

TEST_F(EditToolTest, KeepsTheFileMode) {
  ws_.write("run.sh", "echo a\n");
  std::string p = ws_.path() + "/run.sh";
  ASSERT_EQ(chmod(p.c_str(), 0755), 0);
  EXPECT_FALSE(edit({{"path", "run.sh"}, {"old_string", "a"}, {"new_string", "b"}}).is_error);
  struct stat st {};
  ASSERT_EQ(stat(p.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0755U);
  EXPECT_EQ(ws_.read("run.sh"), "echo b\n");
}

TEST_F(EditToolTest, FilterBlocksTheCurrentContent) {
  context_.filter = testing::test_filter;
  ws_.write("a.txt", "BLOCKME\nvalue = 1\n");
  Result r = edit({{"path", "a.txt"}, {"old_string", "1"}, {"new_string", "2"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(r.content, "path: editing a.txt is blocked: test rule: blocked");
  EXPECT_EQ(ws_.read("a.txt"), "BLOCKME\nvalue = 1\n");
}

TEST_F(EditToolTest, NewStringWithASecretOrBlockedIsRefused) {
  context_.filter = testing::test_filter;
  ws_.write("a.txt", "token = none\n");
  Result secret = edit({{"path", "a.txt"}, {"old_string", "none"}, {"new_string", "SECRET123"}});
  EXPECT_TRUE(secret.is_error);
  EXPECT_NE(secret.content.find("new_string: holds a secret"), std::string::npos) << secret.content;
  Result blocked = edit({{"path", "a.txt"}, {"old_string", "none"}, {"new_string", "BLOCKME"}});
  EXPECT_TRUE(blocked.is_error);
  EXPECT_EQ(ws_.read("a.txt"), "token = none\n");
}

TEST_F(EditToolTest, AFileWithARedactedSecretCanStillBeEditedElsewhere) {
  context_.filter = testing::test_filter;
  ws_.write("a.txt", "key = SECRET123\nlevel = 1\n");
  Result r = edit({{"path", "a.txt"}, {"old_string", "level = 1"}, {"new_string", "level = 2"}});
  EXPECT_FALSE(r.is_error) << r.content;
  EXPECT_EQ(ws_.read("a.txt"), "key = SECRET123\nlevel = 2\n");
}

TEST_F(EditToolTest, OutsideTheWorkspaceIsRefused) {
  ws_.symlink(ws_.outside(), "out");
  std::string target = ws_.outside() + "/f.txt";
  std::ofstream(target) << "hello";
  Result r = edit({{"path", "out/f.txt"}, {"old_string", "hello"}, {"new_string", "bye"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_NE(r.content.find("outside the workspace"), std::string::npos) << r.content;
  std::ifstream in(target);
  std::string kept;
  std::getline(in, kept);
  EXPECT_EQ(kept, "hello");
}

}  // namespace
}  // namespace droid::runner::tools
