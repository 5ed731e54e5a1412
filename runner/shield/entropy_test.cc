#include "shield/entropy.h"

#include <gtest/gtest.h>

namespace droid::runner::shield {
namespace {

TEST(Entropy, KnownValues) {
  EXPECT_DOUBLE_EQ(shannon_entropy(""), 0.0);
  EXPECT_DOUBLE_EQ(shannon_entropy("aaaaaaa"), 0.0);
  EXPECT_DOUBLE_EQ(shannon_entropy("ab"), 1.0);
  EXPECT_DOUBLE_EQ(shannon_entropy("abcd"), 2.0);
  EXPECT_NEAR(shannon_entropy("password"), 2.75, 1e-9);
  EXPECT_GT(shannon_entropy("Zf3D0LXCM3EIMbgJpUNnkRtOfOueHznB"), 4.3);
}

}  // namespace
}  // namespace droid::runner::shield
