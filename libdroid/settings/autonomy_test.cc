#include "settings/autonomy.h"

#include <gtest/gtest.h>

namespace droid::settings {
namespace {

TEST(Autonomy, NamesRoundTripInStrictnessOrder) {
  const Autonomy all[] = {Autonomy::Off, Autonomy::Low, Autonomy::Medium, Autonomy::High};
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(static_cast<std::size_t>(all[i]), i) << "ordered from the strictest";
    EXPECT_EQ(parse_autonomy(autonomy_name(all[i])), all[i]);
  }
  EXPECT_EQ(autonomy_name(Autonomy::Medium), "medium");
  EXPECT_LT(Autonomy::Off, Autonomy::High);
}

TEST(Autonomy, OnlyTheFourLowerCaseNames) {
  for (const char* other : {"", "Off", "HIGH", "med", "none", "auto", "high "})
    EXPECT_FALSE(parse_autonomy(other).has_value()) << other;
}

}  // namespace
}  // namespace droid::settings
