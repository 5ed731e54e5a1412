#include "tools/glob_tool.h"

#include <gtest/gtest.h>

#include <string>

#include "tools/testing/workspace.h"

namespace droid::runner::tools {
namespace {

using nlohmann::json;

class GlobToolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_.write("main.cc", "");
    ws_.write("src/a.cc", "");
    ws_.write("src/a.h", "");
    ws_.write("src/deep/b.cc", "");
    ws_.write(".git/hooks/x.cc", "");
  }
  Result glob(const json& args) {
    GlobTool tool(context_);
    return tool.run(args);
  }
  testing::TempWorkspace ws_;
  Context context_ = ws_.context();
};

TEST_F(GlobToolTest, DoubleStarFindsAtAnyDepthSortedWithoutGit) {
  Result r = glob({{"pattern", "**/*.cc"}});
  EXPECT_FALSE(r.is_error) << r.content;
  EXPECT_EQ(r.content, "main.cc\nsrc/a.cc\nsrc/deep/b.cc\n");
  EXPECT_EQ(r.audit["matches"], 3);
}

TEST_F(GlobToolTest, PatternRelativeToPathOrToTheWorkspace) {
  EXPECT_EQ(glob({{"pattern", "*.cc"}, {"path", "src"}}).content, "src/a.cc\n");
  EXPECT_EQ(glob({{"pattern", "src/*.h"}, {"path", "src"}}).content, "src/a.h\n");
  EXPECT_EQ(glob({{"pattern", "src/*"}}).content, "src/a.cc\nsrc/a.h\nsrc/deep/\n");
}

TEST_F(GlobToolTest, AHugeTreeIsWalkedOnlyUpToTheEntryLimitAndTheModelIsTold) {
  for (int i = 0; i < 50; ++i) ws_.write("node_modules/p" + std::to_string(i) + "/index.js", "");
  context_.max_walk_entries = 20;
  Result r = glob({{"pattern", "**/*.js"}});
  EXPECT_FALSE(r.is_error) << r.content;
  EXPECT_NE(r.content.find("[searched only the first 20 entries under .; give a narrower path]"), std::string::npos)
      << r.content;
  EXPECT_LT(r.audit["matches"].get<int>(), 20);
  EXPECT_EQ(r.audit["truncated"], true);
  context_.max_walk_entries = 1000;
  Result whole = glob({{"pattern", "**/*.js"}});
  EXPECT_EQ(whole.audit["matches"], 50) << whole.content;
  EXPECT_EQ(whole.audit["truncated"], false);
}

TEST_F(GlobToolTest, NoMatchSaysSo) {
  Result r = glob({{"pattern", "*.py"}});
  EXPECT_FALSE(r.is_error);
  EXPECT_EQ(r.content, "[no path under . matches *.py]");
}

TEST_F(GlobToolTest, DoesNotFollowSymlinkedDirectories) {
  ws_.symlink(ws_.outside(), "out");
  ws_.symlink("/etc", "etc");
  Result r = glob({{"pattern", "**/passwd"}});
  EXPECT_EQ(r.content, "[no path under . matches **/passwd]");
  // The symlink itself is a name that can match.
  EXPECT_EQ(glob({{"pattern", "etc"}}).content, "etc\n");
}

TEST_F(GlobToolTest, Refusals) {
  EXPECT_TRUE(glob({{"pattern", "/etc/*"}}).is_error);
  EXPECT_TRUE(glob({{"pattern", "../*"}}).is_error);
  EXPECT_TRUE(glob({{"pattern", "*"}, {"path", "../outside"}}).is_error);
  EXPECT_EQ(glob({{"pattern", "*"}, {"path", "main.cc"}}).content, "path: main.cc is not a directory");
  EXPECT_EQ(glob(json::object()).content, "pattern: missing required argument");
}

TEST_F(GlobToolTest, Bounded) {
  for (std::size_t i = 0; i < GlobTool::kMaxResults + 1; ++i) ws_.write("many/f" + std::to_string(i) + ".txt", "");
  Result r = glob({{"pattern", "many/*.txt"}});
  EXPECT_NE(r.content.find("[stopped at 1000 matches"), std::string::npos);
  EXPECT_EQ(r.audit["truncated"], true);
}

}  // namespace
}  // namespace droid::runner::tools
