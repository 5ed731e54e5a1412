#include "settings/field_path.h"

#include <gtest/gtest.h>

namespace droid::settings {
namespace {

TEST(FieldPath, JoinsIdentifiersWithDots) {
  EXPECT_EQ(field_path("", "shield"), "shield");
  EXPECT_EQ(field_path("shield", "mode"), "shield.mode");
  EXPECT_EQ(field_path("mcpServers", "git-hub_2"), "mcpServers.git-hub_2");
}

TEST(FieldPath, QuotesKeysThatAreNotIdentifiers) {
  EXPECT_EQ(field_path("customModels", "gpt.5"), "customModels[\"gpt.5\"]");
  EXPECT_EQ(field_path("env", "a\"b"), "env[\"a\\\"b\"]");
  EXPECT_EQ(field_path("m", "1abc"), "m[\"1abc\"]");
  EXPECT_EQ(field_path("m", ""), "m[\"\"]");
}

TEST(FieldPath, IndexesItems) { EXPECT_EQ(item_path("rules", 3), "rules[3]"); }

}  // namespace
}  // namespace droid::settings
