#include "kube/rate_limiter.h"

#include <gtest/gtest.h>

namespace droid::kube {
namespace {

using namespace std::chrono_literals;
using ms = std::chrono::milliseconds;

ms as_ms(RateLimiter::Clock::duration d) { return std::chrono::round<ms>(d); }

TEST(RateLimiter, ABurstGoesAtOnceThenRequestsAreSpacedByTheRate) {
  RateLimiter limit(10, 3);
  const auto t0 = RateLimiter::Clock::time_point{} + 1h;
  EXPECT_EQ(as_ms(limit.reserve(t0)), 0ms);
  EXPECT_EQ(as_ms(limit.reserve(t0)), 0ms);
  EXPECT_EQ(as_ms(limit.reserve(t0)), 0ms);
  EXPECT_EQ(as_ms(limit.reserve(t0)), 100ms);  // the 4th waits for a token at 10/s
  EXPECT_EQ(as_ms(limit.reserve(t0)), 200ms);  // and the 5th behind it
  // 300 ms later three tokens have come: two paid what was promised, one is free.
  EXPECT_EQ(as_ms(limit.reserve(t0 + 300ms)), 0ms);
  EXPECT_EQ(as_ms(limit.reserve(t0 + 300ms)), 100ms);
  // Idle for long: never more than the burst.
  const auto later = t0 + 1h;
  for (int i = 0; i < 3; ++i) EXPECT_EQ(as_ms(limit.reserve(later)), 0ms);
  EXPECT_EQ(as_ms(limit.reserve(later)), 100ms);
}

TEST(RateLimiter, OffWhenTheRateIsZero) {
  RateLimiter limit(0, 0);
  EXPECT_FALSE(limit.enabled());
  for (int i = 0; i < 1000; ++i)
    EXPECT_EQ(limit.reserve(RateLimiter::Clock::now()), RateLimiter::Clock::duration::zero());
}

}  // namespace
}  // namespace droid::kube
