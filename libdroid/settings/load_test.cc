#include "settings/load.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace droid::settings {
namespace {

TEST(Load, SyntaxErrorsNameLineAndColumn) {
  Loaded l = load_settings_text("{\n  \"rules\": [\"a\",]\n}", "project.json");
  ASSERT_EQ(l.errors.size(), 1u);
  EXPECT_EQ(l.errors[0].rfind("project.json: invalid JSON at line 2, column 17: ", 0), 0u) << l.errors[0];
}

TEST(Load, SchemaErrorsNameTheSourceAndField) {
  Loaded l = load_settings_text(R"({"shield": {"mode": "off"}})", "user");
  ASSERT_EQ(l.errors.size(), 1u);
  EXPECT_EQ(l.errors[0], "user: shield.mode: must be one of \"block\", \"redact\" (got \"off\")");
}

TEST(Load, UnknownFieldsAreDroppedWithAWarning) {
  Loaded l = load_settings_text(R"({"theme": "dark", "rules": ["x"]})", "f");
  EXPECT_TRUE(l.ok());
  ASSERT_EQ(l.warnings.size(), 1u);
  EXPECT_EQ(l.warnings[0], "f: theme: unknown field; it is ignored");
  EXPECT_EQ(l.settings, nlohmann::json({{"rules", {"x"}}}));
}

TEST(Load, MissingFileSaysSo) {
  Loaded l = load_settings_file("/nonexistent/settings.json");
  ASSERT_EQ(l.errors.size(), 1u);
  EXPECT_EQ(l.errors[0], "/nonexistent/settings.json: cannot read: No such file or directory");
}

TEST(Load, ReadsAFile) {
  std::string path = ::testing::TempDir() + "load_test.json";
  std::ofstream(path) << R"({"byokAllowed": false})";
  Loaded l = load_settings_file(path);
  EXPECT_TRUE(l.ok());
  EXPECT_EQ(l.settings, nlohmann::json({{"byokAllowed", false}}));
  std::remove(path.c_str());
}

}  // namespace
}  // namespace droid::settings
