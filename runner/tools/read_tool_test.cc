#include "tools/read_tool.h"

#include <gtest/gtest.h>

#include <string>

#include "tools/testing/workspace.h"

namespace droid::runner::tools {
namespace {

using nlohmann::json;

class ReadToolTest : public ::testing::Test {
 protected:
  Result read(const json& args) {
    ReadTool tool(context_);
    return tool.run(args);
  }
  testing::TempWorkspace ws_;
  Context context_ = ws_.context();
};

TEST_F(ReadToolTest, NumbersLinesLikeCatN) {
  ws_.write("a.txt", "one\ntwo\nthree\n");
  Result r = read({{"path", "a.txt"}});
  EXPECT_FALSE(r.is_error) << r.content;
  EXPECT_EQ(r.content, "     1\tone\n     2\ttwo\n     3\tthree\n");
  EXPECT_EQ(r.audit["path"], "a.txt");
  EXPECT_EQ(r.audit["bytes"], 14);
  EXPECT_EQ(r.audit["lines"], 3);
  EXPECT_EQ(r.audit["redacted"], false);
  EXPECT_FALSE(r.audit.dump().find("two") != std::string::npos) << "audit holds content";
}

TEST_F(ReadToolTest, OffsetAndLimitSelectLinesWithANoteToReadOn) {
  std::string text;
  for (int i = 1; i <= 10; ++i) text += "line" + std::to_string(i) + "\n";
  ws_.write("ten.txt", text);
  Result r = read({{"path", "ten.txt"}, {"offset", 4}, {"limit", 2}});
  EXPECT_FALSE(r.is_error) << r.content;
  EXPECT_EQ(r.content, "     4\tline4\n     5\tline5\n[lines 4-5 of 10; to read on, call read with offset=6]");
  Result tail = read({{"path", "ten.txt"}, {"offset", 9}});
  EXPECT_EQ(tail.content, "     9\tline9\n    10\tline10\n");
}

TEST_F(ReadToolTest, OffsetPastTheEndIsAnError) {
  ws_.write("a.txt", "one\n");
  Result r = read({{"path", "a.txt"}, {"offset", 5}});
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(r.content, "offset: 5 is past the end of a.txt (1 lines)");
}

TEST_F(ReadToolTest, EmptyFile) {
  ws_.write("e.txt", "");
  Result r = read({{"path", "e.txt"}});
  EXPECT_FALSE(r.is_error);
  EXPECT_EQ(r.content, "[e.txt is empty]");
}

TEST_F(ReadToolTest, RefusesDirectoriesBinaryAndLargeFiles) {
  ws_.mkdir("src");
  ws_.write("bin", std::string("ab\0cd", 5));
  ws_.write("big", std::string(2000, 'x'));
  context_.max_file_bytes = 1000;
  Result dir = read({{"path", "src"}});
  EXPECT_TRUE(dir.is_error);
  EXPECT_EQ(dir.content, "path: src is a directory; use list to see its entries");
  Result bin = read({{"path", "bin"}});
  EXPECT_TRUE(bin.is_error);
  EXPECT_NE(bin.content.find("binary"), std::string::npos);
  Result big = read({{"path", "big"}});
  EXPECT_TRUE(big.is_error);
  EXPECT_NE(big.content.find("over the limit of 1000"), std::string::npos) << big.content;
  Result missing = read({{"path", "nope.txt"}});
  EXPECT_TRUE(missing.is_error);
  EXPECT_EQ(missing.content, "path: nope.txt does not exist");
}

TEST_F(ReadToolTest, OutsideTheWorkspaceIsRefused) {
  ws_.symlink("/etc/passwd", "passwd");
  EXPECT_TRUE(read({{"path", "/etc/passwd"}}).is_error);
  EXPECT_TRUE(read({{"path", "../outside"}}).is_error);
  Result r = read({{"path", "passwd"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(r.content.find("root:"), std::string::npos);
}

TEST_F(ReadToolTest, FilterRedactsOrBlocks) {
  context_.filter = testing::test_filter;
  ws_.write("env", "KEY=SECRET123\n");
  ws_.write("blocked", "BLOCKME\n");
  Result r = read({{"path", "env"}});
  EXPECT_FALSE(r.is_error);
  EXPECT_EQ(r.content, "     1\tKEY=[REDACTED]\n");
  EXPECT_EQ(r.audit["redacted"], true);
  Result b = read({{"path", "blocked"}});
  EXPECT_TRUE(b.is_error);
  EXPECT_EQ(b.content, "path: reading blocked is blocked: test rule: blocked");
}

TEST_F(ReadToolTest, StopsBeforeMaxResultBytesWithANote) {
  std::string text;
  for (int i = 0; i < 1000; ++i) text += std::string(50, 'x') + "\n";
  ws_.write("long.txt", text);
  context_.max_result_bytes = 4096;
  Result r = read({{"path", "long.txt"}});
  EXPECT_FALSE(r.is_error);
  EXPECT_LE(r.content.size(), 4096U);
  EXPECT_NE(r.content.find("to read on, call read with offset="), std::string::npos);
}

TEST_F(ReadToolTest, LongLinesAreCut) {
  ws_.write("wide.txt", std::string(5000, 'y') + "\n");
  Result r = read({{"path", "wide.txt"}});
  EXPECT_NE(r.content.find("[line cut: 5000 bytes]"), std::string::npos);
}

TEST_F(ReadToolTest, BadArgumentsAreNamed) {
  EXPECT_EQ(read({{"path", "a"}, {"lines", 3}}).content,
            "lines: unknown argument; the arguments are: limit, offset, path");
  EXPECT_EQ(read({{"path", "a"}, {"offset", "3"}}).content, "offset: expected an integer, got a string");
  EXPECT_EQ(read({{"path", "a"}, {"offset", 0}}).content, "offset: must be at least 1, got 0");
  EXPECT_EQ(read(json::object()).content, "path: missing required argument");
}

TEST_F(ReadToolTest, Definition) {
  ReadTool tool(context_);
  EXPECT_EQ(tool.definition().name, "read");
  EXPECT_EQ(tool.access(), Access::Read);
  EXPECT_EQ(tool.command({{"path", "a"}}), std::nullopt);
  EXPECT_EQ(tool.definition().parameters["additionalProperties"], false);
  EXPECT_EQ(tool.definition().parameters["required"], json::array({"path"}));
}

}  // namespace
}  // namespace droid::runner::tools
