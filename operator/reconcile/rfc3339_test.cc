#include "reconcile/rfc3339.h"

#include <gtest/gtest.h>

namespace droid::op {
namespace {

TEST(Rfc3339, RoundTrips) {
  auto t = parse_rfc3339("2026-11-21T22:47:06Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(Clock::to_time_t(*t), 1795301226);
  EXPECT_EQ(format_rfc3339(*t), "2026-11-21T22:47:06Z");
}

TEST(Rfc3339, FractionsAndOffsets) {
  EXPECT_EQ(parse_rfc3339("2026-11-21T22:47:06.123456Z"), parse_rfc3339("2026-11-21T22:47:06Z"));
  EXPECT_EQ(parse_rfc3339("2026-11-21T23:47:06+01:00"), parse_rfc3339("2026-11-21T22:47:06Z"));
  EXPECT_EQ(parse_rfc3339("2026-11-21T21:47:06-01:00"), parse_rfc3339("2026-11-21T22:47:06Z"));
}

TEST(Rfc3339, Invalid) {
  for (const char* bad : {"", "2026-11-21", "2026-11-21 22:47:06Z", "2026-13-21T22:47:06Z", "2026-11-21T22:47:06",
                          "2026-11-21T22:47:06Zjunk", "2026-11-21T22:47:06.Z"})
    EXPECT_FALSE(parse_rfc3339(bad).has_value()) << bad;
}

}  // namespace
}  // namespace droid::op
