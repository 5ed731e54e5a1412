#include <gtest/gtest.h>

#include <set>
#include <string>

#include "tools/read_tool.h"
#include "tools/testing/workspace.h"
#include "tools/tool.h"

namespace droid::runner::tools {
namespace {

using nlohmann::json;

TEST(Toolbox, StandardToolboxHasTheSevenTools) {
  testing::TempWorkspace ws;
  Toolbox box = standard_toolbox(ws.context());
  std::set<std::string> names;
  for (const llm::ToolDefinition& d : box.definitions()) {
    names.insert(d.name);
    EXPECT_FALSE(d.description.empty()) << d.name;
    EXPECT_EQ(d.parameters["type"], "object") << d.name;
    EXPECT_EQ(d.parameters["additionalProperties"], false) << d.name;
    for (const auto& [arg, schema] : d.parameters["properties"].items()) {
      EXPECT_TRUE(schema.contains("description")) << d.name << "." << arg;
      EXPECT_TRUE(schema.contains("type")) << d.name << "." << arg;
    }
  }
  EXPECT_EQ(names, (std::set<std::string>{"shell", "read", "write", "edit", "list", "glob", "grep"}));
  EXPECT_EQ(box.find("shell")->access(), Access::Execute);
  EXPECT_EQ(box.find("write")->access(), Access::Write);
  EXPECT_EQ(box.find("edit")->access(), Access::Write);
  EXPECT_EQ(box.find("grep")->access(), Access::Read);
  EXPECT_EQ(box.find("nope"), nullptr);
}

TEST(Toolbox, ToolsWorkThroughTheBox) {
  testing::TempWorkspace ws;
  Toolbox box = standard_toolbox(ws.context());
  EXPECT_FALSE(box.find("write")->run({{"path", "a.txt"}, {"content", "hello\n"}}).is_error);
  EXPECT_FALSE(box.find("edit")->run({{"path", "a.txt"}, {"old_string", "hello"}, {"new_string", "bye"}}).is_error);
  EXPECT_EQ(box.find("read")->run({{"path", "a.txt"}}).content, "     1\tbye\n");
  EXPECT_EQ(box.find("glob")->run({{"pattern", "*.txt"}}).content, "a.txt\n");
}

TEST(Toolbox, DuplicateNamesAreRefused) {
  testing::TempWorkspace ws;
  Toolbox box;
  box.add(std::make_unique<ReadTool>(ws.context()));
  EXPECT_THROW(box.add(std::make_unique<ReadTool>(ws.context())), std::invalid_argument);
}

TEST(Toolbox, ResultsAreCutAtMaxResultBytes) {
  testing::TempWorkspace ws;
  Context c = ws.context();
  c.max_result_bytes = 200;
  for (int i = 0; i < 100; ++i) ws.write("f" + std::to_string(i) + ".txt", "");
  Toolbox box = standard_toolbox(c);
  Result r = box.find("glob")->run({{"pattern", "*.txt"}});
  EXPECT_LE(r.content.size(), 200U);
  EXPECT_NE(r.content.find("[output cut at 200 of"), std::string::npos) << r.content;
  EXPECT_EQ(r.audit["content_cut"], true);
}

}  // namespace
}  // namespace droid::runner::tools
