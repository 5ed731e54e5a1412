#include "tools/list_tool.h"

#include <gtest/gtest.h>

#include <string>

#include "tools/testing/workspace.h"

namespace droid::runner::tools {
namespace {

using nlohmann::json;

class ListToolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_.write("b.txt", "b");
    ws_.write("a.txt", "a");
    ws_.write("src/main.cc", "m");
    ws_.write("src/lib/x.h", "x");
    ws_.write(".git/HEAD", "ref");
    ws_.write(".github/ci.yml", "ci");
  }
  Result list(const json& args) {
    ListTool tool(context_);
    return tool.run(args);
  }
  testing::TempWorkspace ws_;
  Context context_ = ws_.context();
};

TEST_F(ListToolTest, SortedEntriesDirectoriesWithSlashSkipsGit) {
  Result r = list(json::object());
  EXPECT_FALSE(r.is_error) << r.content;
  EXPECT_EQ(r.content, ".github/\na.txt\nb.txt\nsrc/\n");
  EXPECT_EQ(r.audit["entries"], 4);
  EXPECT_EQ(r.audit["path"], ".");
}

TEST_F(ListToolTest, DepthListsSubdirectoriesRelativeToTheListedOne) {
  Result r = list({{"path", "src"}, {"depth", 2}});
  EXPECT_FALSE(r.is_error) << r.content;
  EXPECT_EQ(r.content, "lib/\nlib/x.h\nmain.cc\n");
}

TEST_F(ListToolTest, SymlinksAreShownNotEntered) {
  ws_.symlink("/etc", "src/etc");
  Result r = list({{"path", "src"}, {"depth", 5}});
  EXPECT_EQ(r.content, "etc -> /etc\nlib/\nlib/x.h\nmain.cc\n");
}

TEST_F(ListToolTest, BoundedWithANote) {
  for (std::size_t i = 0; i < ListTool::kMaxEntries + 5; ++i) ws_.write("many/f" + std::to_string(i), "");
  Result r = list({{"path", "many"}});
  EXPECT_FALSE(r.is_error);
  EXPECT_NE(r.content.find("[listing stopped at 1000 entries"), std::string::npos);
  EXPECT_EQ(r.audit["truncated"], true);
}

TEST_F(ListToolTest, Errors) {
  EXPECT_EQ(list({{"path", "a.txt"}}).content, "path: a.txt is a file; use read to see it");
  EXPECT_EQ(list({{"path", "nope"}}).content, "path: nope does not exist");
  EXPECT_TRUE(list({{"path", "/etc"}}).is_error);
  EXPECT_TRUE(list({{"path", ".."}}).is_error);
  ws_.symlink(ws_.outside(), "out");
  EXPECT_TRUE(list({{"path", "out"}}).is_error);
  EXPECT_EQ(list({{"depth", 0}}).content, "depth: must be at least 1, got 0");
  ws_.mkdir("empty");
  EXPECT_EQ(list({{"path", "empty"}}).content, "[empty is empty]");
}

}  // namespace
}  // namespace droid::runner::tools
