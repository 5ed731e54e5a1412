#include "policy/label_selector.h"

#include <gtest/gtest.h>

namespace droid::policy {
namespace {

using json = nlohmann::json;

const Labels kTeamA = {{"team", "a"}, {"env", "prod"}};

TEST(LabelSelector, EmptyOrAbsentMatchesEverything) {
  EXPECT_TRUE(selector_matches(json(), kTeamA));
  EXPECT_TRUE(selector_matches(json::object(), kTeamA));
  EXPECT_TRUE(selector_matches(json::object(), {}));
}

TEST(LabelSelector, MatchLabelsAreAnded) {
  EXPECT_TRUE(selector_matches({{"matchLabels", {{"team", "a"}}}}, kTeamA));
  EXPECT_TRUE(selector_matches({{"matchLabels", {{"team", "a"}, {"env", "prod"}}}}, kTeamA));
  EXPECT_FALSE(selector_matches({{"matchLabels", {{"team", "a"}, {"env", "dev"}}}}, kTeamA));
  EXPECT_FALSE(selector_matches({{"matchLabels", {{"owner", "x"}}}}, kTeamA));
}

TEST(LabelSelector, Expressions) {
  auto expr = [](const char* key, const char* op, json values = json::array()) {
    return json{{"matchExpressions", {{{"key", key}, {"operator", op}, {"values", values}}}}};
  };
  EXPECT_TRUE(selector_matches(expr("team", "In", {"a", "b"}), kTeamA));
  EXPECT_FALSE(selector_matches(expr("team", "In", {"b"}), kTeamA));
  EXPECT_FALSE(selector_matches(expr("owner", "In", {"a"}), kTeamA));
  EXPECT_TRUE(selector_matches(expr("team", "NotIn", {"b"}), kTeamA));
  EXPECT_TRUE(selector_matches(expr("owner", "NotIn", {"b"}), kTeamA));
  EXPECT_FALSE(selector_matches(expr("team", "NotIn", {"a"}), kTeamA));
  EXPECT_TRUE(selector_matches(expr("env", "Exists"), kTeamA));
  EXPECT_FALSE(selector_matches(expr("owner", "Exists"), kTeamA));
  EXPECT_TRUE(selector_matches(expr("owner", "DoesNotExist"), kTeamA));
  EXPECT_FALSE(selector_matches(expr("env", "DoesNotExist"), kTeamA));
}

TEST(LabelSelector, MalformedSelectorsMatchNothing) {
  EXPECT_FALSE(selector_matches(json::array(), kTeamA));
  EXPECT_FALSE(selector_matches({{"matchExpressions", {{{"key", "team"}, {"operator", "Like"}}}}}, kTeamA));
  EXPECT_FALSE(selector_matches({{"matchExpressions", {{{"key", "team"}, {"operator", "In"}}}}}, kTeamA));
  EXPECT_FALSE(
      selector_matches({{"matchExpressions", {{{"key", "team"}, {"operator", "Exists"}, {"values", {"a"}}}}}}, kTeamA));
}

}  // namespace
}  // namespace droid::policy
