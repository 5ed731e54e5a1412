#include "tools/write_tool.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tools/testing/workspace.h"

namespace droid::runner::tools {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class WriteToolTest : public ::testing::Test {
 protected:
  Result write(const json& args) {
    WriteTool tool(context_);
    return tool.run(args);
  }
  testing::TempWorkspace ws_;
  Context context_ = ws_.context();
};

TEST_F(WriteToolTest, CreatesAFileAndItsDirectories) {
  Result r = write({{"path", "src/new/a.txt"}, {"content", "hello\nworld"}});
  EXPECT_FALSE(r.is_error) << r.content;
  EXPECT_EQ(r.content, "Created src/new/a.txt (11 bytes, 2 lines)");
  EXPECT_EQ(ws_.read("src/new/a.txt"), "hello\nworld");
  EXPECT_EQ(r.audit, (json{{"path", "src/new/a.txt"}, {"bytes", 11}, {"created", true}}));
}

TEST_F(WriteToolTest, ReplacesAFile) {
  ws_.write("a.txt", "old");
  Result r = write({{"path", "a.txt"}, {"content", ""}});
  EXPECT_FALSE(r.is_error) << r.content;
  EXPECT_EQ(r.content, "Replaced a.txt (0 bytes, 0 lines)");
  EXPECT_EQ(ws_.read("a.txt"), "");
}

TEST_F(WriteToolTest, RefusesPathsOutsideTheWorkspace) {
  ws_.symlink(ws_.outside(), "out");
  ws_.symlink(ws_.outside() + "/dangling", "dangling");
  EXPECT_TRUE(write({{"path", "../outside/x"}, {"content", "x"}}).is_error);
  EXPECT_TRUE(write({{"path", ws_.outside() + "/x"}, {"content", "x"}}).is_error);
  EXPECT_TRUE(write({{"path", "out/x"}, {"content", "x"}}).is_error);
  Result r = write({{"path", "dangling"}, {"content", "x"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_NE(r.content.find("outside the workspace"), std::string::npos) << r.content;
  EXPECT_TRUE(fs::is_empty(ws_.outside()));
}

TEST_F(WriteToolTest, ThroughAnInsideSymlinkWritesTheTarget) {
  ws_.write("real.txt", "old");
  ws_.symlink("real.txt", "link.txt");
  Result r = write({{"path", "link.txt"}, {"content", "new"}});
  EXPECT_FALSE(r.is_error) << r.content;
  EXPECT_EQ(ws_.read("real.txt"), "new");
  EXPECT_TRUE(fs::is_symlink(ws_.path() + "/link.txt"));
}

TEST_F(WriteToolTest, BlockedContentIsNotWritten) {
  context_.filter = testing::test_filter;
  Result r = write({{"path", "a.txt"}, {"content", "x BLOCKME"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(r.content, "content: writing a.txt is blocked: test rule: blocked");
  EXPECT_FALSE(ws_.exists("a.txt"));
}

TEST_F(WriteToolTest, ContentWithASecretIsRefusedNotRedacted) {
  context_.filter = testing::test_filter;
  ws_.write("a.txt", "original");
  Result r = write({{"path", "a.txt"}, {"content", "token=SECRET123"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_NE(r.content.find("content: holds a secret"), std::string::npos) << r.content;
  EXPECT_EQ(ws_.read("a.txt"), "original");
}

TEST_F(WriteToolTest, RefusesDirectoriesAndTheWorkspaceItself) {
  ws_.mkdir("dir");
  EXPECT_TRUE(write({{"path", "dir"}, {"content", "x"}}).is_error);
  EXPECT_TRUE(write({{"path", "."}, {"content", "x"}}).is_error);
  EXPECT_TRUE(fs::is_directory(ws_.path() + "/dir"));
}

TEST_F(WriteToolTest, LeavesGitDirectoriesAlone) {
  ws_.write(".git/HEAD", "ref: refs/heads/main\n");
  ws_.symlink(".git/hooks", "hooks");
  Result r = write({{"path", ".git/hooks/pre-commit"}, {"content", "#!/bin/sh\n"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_NE(r.content.find("is inside a .git directory"), std::string::npos) << r.content;
  EXPECT_TRUE(write({{"path", "hooks/post-commit"}, {"content", "x"}}).is_error);
  EXPECT_TRUE(write({{"path", "vendor/lib/.git/config"}, {"content", "x"}}).is_error);
  EXPECT_FALSE(ws_.exists(".git/hooks/pre-commit"));
  EXPECT_FALSE(write({{"path", ".github/ci.yml"}, {"content", "x"}}).is_error);
}

TEST_F(WriteToolTest, BadArguments) {
  EXPECT_EQ(write({{"path", "a"}}).content, "content: missing required argument");
  EXPECT_EQ(write({{"path", "a"}, {"content", 5}}).content, "content: expected a string, got an integer");
  EXPECT_EQ(write({{"path", "a"}, {"content", "x"}, {"mode", "0755"}}).content,
            "mode: unknown argument; the arguments are: content, path");
  WriteTool tool(context_);
  EXPECT_EQ(tool.access(), Access::Write);
}

}  // namespace
}  // namespace droid::runner::tools
