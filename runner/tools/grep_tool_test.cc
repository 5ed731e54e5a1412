#include "tools/grep_tool.h"

#include <gtest/gtest.h>

#include <string>

#include "tools/testing/workspace.h"

namespace droid::runner::tools {
namespace {

using nlohmann::json;

class GrepToolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_.write("a.cc", "int main() {\n  return 0;\n}\n");
    ws_.write("src/b.cc", "// TODO: fix\nint x = 0;\n");
    ws_.write("src/c.h", "// todo lower\n");
    ws_.write(".git/config", "TODO in git\n");
  }
  Result grep(const json& args) {
    GrepTool tool(context_);
    return tool.run(args);
  }
  testing::TempWorkspace ws_;
  Context context_ = ws_.context();
};

TEST_F(GrepToolTest, PathLineTextSortedSkippingGit) {
  Result r = grep({{"pattern", "TODO"}});
  EXPECT_FALSE(r.is_error) << r.content;
  EXPECT_EQ(r.content, "src/b.cc:1:// TODO: fix\n");
  EXPECT_EQ(r.audit["matches"], 1);
  EXPECT_EQ(r.audit["files_matched"], 1);
}

TEST_F(GrepToolTest, TheWalkAndTheBytesReadAreBoundedAndTheModelIsTold) {
  for (int i = 0; i < 40; ++i) ws_.write("gen/f" + std::to_string(100 + i) + ".txt", "TODO generated\n");
  context_.max_walk_entries = 10;
  Result walked = grep({{"pattern", "TODO"}});
  EXPECT_FALSE(walked.is_error) << walked.content;
  EXPECT_NE(walked.content.find("[searched only the first 10 entries under .; give a narrower path or glob]"),
            std::string::npos)
      << walked.content;
  EXPECT_EQ(walked.audit["truncated"], true);

  context_.max_walk_entries = 1000;
  context_.max_search_bytes = 100;  // a.cc (27 bytes) and a few of the 15-byte files
  Result read = grep({{"pattern", "TODO"}});
  EXPECT_NE(read.content.find("[stopped after reading 100 bytes of files; give a narrower path or glob]"),
            std::string::npos)
      << read.content;
  EXPECT_LT(read.audit["files_searched"].get<int>(), 10);
  EXPECT_EQ(read.audit["truncated"], true);
}

TEST_F(GrepToolTest, Re2SyntaxAndIgnoreCase) {
  EXPECT_EQ(grep({{"pattern", "todo"}, {"ignore_case", true}}).content,
            "src/b.cc:1:// TODO: fix\nsrc/c.h:1:// todo lower\n");
  EXPECT_EQ(grep({{"pattern", "^int \\w+"}}).content, "a.cc:1:int main() {\nsrc/b.cc:2:int x = 0;\n");
  EXPECT_EQ(grep({{"pattern", "0;$"}}).content, "a.cc:2:  return 0;\nsrc/b.cc:2:int x = 0;\n");
}

TEST_F(GrepToolTest, PathAndGlobNarrowTheFiles) {
  EXPECT_EQ(grep({{"pattern", "int"}, {"path", "src"}}).content, "src/b.cc:2:int x = 0;\n");
  EXPECT_EQ(grep({{"pattern", "int"}, {"path", "a.cc"}}).content, "a.cc:1:int main() {\n");
  EXPECT_EQ(grep({{"pattern", "(?i)todo"}, {"glob", "*.h"}}).content, "src/c.h:1:// todo lower\n");
  EXPECT_EQ(grep({{"pattern", "int"}, {"glob", "src/*.cc"}}).content, "src/b.cc:2:int x = 0;\n");
}

TEST_F(GrepToolTest, InvalidRegexNamesRe2sMessage) {
  Result r = grep({{"pattern", "a(b"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(r.content.rfind("pattern: not a valid RE2 regular expression: missing )", 0), 0U) << r.content;
  Result backref = grep({{"pattern", "(a)\\1"}});
  EXPECT_TRUE(backref.is_error);
}

TEST_F(GrepToolTest, NoMatch) {
  Result r = grep({{"pattern", "zzz"}});
  EXPECT_FALSE(r.is_error);
  EXPECT_EQ(r.content, "[no line matches under .]\n");
}

TEST_F(GrepToolTest, SkipsBinaryAndLargeFilesWithANote) {
  ws_.write("bin.dat", std::string("TODO\0x", 6));
  ws_.write("big.txt", "TODO\n" + std::string(5000, 'x'));
  context_.max_file_bytes = 1000;
  Result r = grep({{"pattern", "TODO"}});
  EXPECT_EQ(r.content, "src/b.cc:1:// TODO: fix\n[skipped 1 binary file, 1 file over 1000 bytes or unreadable]\n");
}

TEST_F(GrepToolTest, BoundedByMaxResults) {
  std::string many;
  for (int i = 0; i < 50; ++i) many += "hit\n";
  ws_.write("many.txt", many);
  Result r = grep({{"pattern", "hit"}, {"max_results", 3}});
  EXPECT_EQ(r.content,
            "many.txt:1:hit\nmany.txt:2:hit\nmany.txt:3:hit\n[stopped at 3 matches; narrow the pattern, path or "
            "glob, or raise max_results]\n");
  EXPECT_EQ(r.audit["truncated"], true);
}

TEST_F(GrepToolTest, FilterRedactsBeforeLinesComeBackAndBlockedFilesAreSkipped) {
  context_.filter = testing::test_filter;
  ws_.write("env", "USER=me\nKEY=SECRET123\n");
  ws_.write("blocked.txt", "KEY=1\nBLOCKME\n");
  EXPECT_EQ(grep({{"pattern", "KEY"}, {"path", "env"}}).content, "env:2:KEY=[REDACTED]\n");
  // Searching for the secret itself finds nothing: the lines are matched in the filtered text.
  EXPECT_EQ(grep({{"pattern", "SECRET1"}, {"path", "env"}}).content, "[no line matches under env]\n");
  EXPECT_EQ(grep({{"pattern", "KEY"}, {"path", "blocked.txt"}}).content,
            "blocked.txt: [not searched: test rule: blocked]\n");
}

TEST_F(GrepToolTest, DoesNotLeaveTheWorkspace) {
  ws_.symlink("/etc", "etc");
  ws_.symlink("/etc/passwd", "passwd");
  EXPECT_EQ(grep({{"pattern", "root"}}).content, "[no line matches under .]\n");
  EXPECT_TRUE(grep({{"pattern", "root"}, {"path", "etc"}}).is_error);
  EXPECT_TRUE(grep({{"pattern", "root"}, {"path", "/etc/passwd"}}).is_error);
  EXPECT_TRUE(grep({{"pattern", "root"}, {"path", "passwd"}}).is_error);
}

TEST_F(GrepToolTest, BadArguments) {
  EXPECT_EQ(grep({{"pattern", "a"}, {"max_results", 0}}).content, "max_results: must be at least 1, got 0");
  EXPECT_EQ(grep({{"pattern", "a"}, {"case", true}}).content,
            "case: unknown argument; the arguments are: glob, ignore_case, max_results, path, pattern");
  EXPECT_EQ(grep({{"pattern", ""}}).content, "pattern: is empty; give a regular expression");
}

}  // namespace
}  // namespace droid::runner::tools
