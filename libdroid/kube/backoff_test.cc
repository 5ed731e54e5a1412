#include "kube/backoff.h"

#include <gtest/gtest.h>

namespace droid::kube {
namespace {

using std::chrono::milliseconds;

TEST(Backoff, GrowsExponentiallyUpToTheMax) {
  BackoffPolicy p{.initial = milliseconds(100), .max = milliseconds(1000), .factor = 2.0, .jitter = 0.0};
  Backoff b(p, 1);
  EXPECT_EQ(b.next(), milliseconds(100));
  EXPECT_EQ(b.next(), milliseconds(200));
  EXPECT_EQ(b.next(), milliseconds(400));
  EXPECT_EQ(b.next(), milliseconds(800));
  EXPECT_EQ(b.next(), milliseconds(1000));
  for (int i = 0; i < 100; ++i) EXPECT_EQ(b.next(), milliseconds(1000));
  b.reset();
  EXPECT_EQ(b.attempts(), 0);
  EXPECT_EQ(b.next(), milliseconds(100));
}

TEST(Backoff, JitterStaysInRangeAndVaries) {
  BackoffPolicy p{.initial = milliseconds(1000), .max = milliseconds(1000), .factor = 2.0, .jitter = 0.5};
  Backoff b(p, 42);
  std::set<long> seen;
  for (int i = 0; i < 200; ++i) {
    auto d = b.next().count();
    EXPECT_GE(d, 500);
    EXPECT_LE(d, 1000);
    seen.insert(d);
  }
  EXPECT_GT(seen.size(), 50U);
}

TEST(Backoff, ExponentialDelay) {
  BackoffPolicy p{.initial = milliseconds(5), .max = milliseconds(60000), .factor = 3.0, .jitter = 0};
  EXPECT_EQ(exponential_delay(p, 0), milliseconds(5));
  EXPECT_EQ(exponential_delay(p, 2), milliseconds(45));
  EXPECT_EQ(exponential_delay(p, 1000), milliseconds(60000));
}

}  // namespace
}  // namespace droid::kube
