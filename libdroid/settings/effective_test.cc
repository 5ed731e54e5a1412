#include "settings/effective.h"

#include <gtest/gtest.h>

namespace droid::settings {
namespace {

using json = nlohmann::json;

TEST(Effective, AnyModelWhenNothingIsSet) { EXPECT_FALSE(model_refusal(json::object(), "m").has_value()); }

TEST(Effective, DeniedWinsOverAllowed) {
  json s = {{"models", {{"allowed", {"m"}}, {"denied", {"m"}}}}};
  EXPECT_EQ(model_refusal(s, "m").value(), "model \"m\" is denied by models.denied");
}

TEST(Effective, AllowListExcludesTheRest) {
  json s = {{"models", {{"allowed", {"a", "b"}}}}};
  EXPECT_EQ(model_refusal(s, "c").value(), "model \"c\" is not in models.allowed ([\"a\",\"b\"])");
  EXPECT_FALSE(model_refusal(s, "b").has_value());
}

TEST(Effective, AutonomyCeiling) {
  EXPECT_EQ(max_autonomy(json::object()), Autonomy::High);
  json s = {{"maxAutonomyLevel", "low"}};
  EXPECT_FALSE(autonomy_refusal(s, Autonomy::Low).has_value());
  EXPECT_FALSE(autonomy_refusal(s, Autonomy::Off).has_value());
  EXPECT_EQ(autonomy_refusal(s, Autonomy::Medium).value(),
            "autonomy level \"medium\" exceeds maxAutonomyLevel \"low\"");
}

TEST(Effective, AutonomyNamesRoundTrip) {
  for (auto level : {Autonomy::Off, Autonomy::Low, Autonomy::Medium, Autonomy::High})
    EXPECT_EQ(parse_autonomy(autonomy_name(level)), level);
  EXPECT_FALSE(parse_autonomy("full").has_value());
}

}  // namespace
}  // namespace droid::settings
