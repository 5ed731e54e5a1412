#include "latency_stats.h"

#include <gtest/gtest.h>

#include <numeric>

namespace droid::bench {
namespace {

TEST(LatencyStats, NearestRankPercentiles) {
  EXPECT_EQ(percentile({4, 1, 3, 2}, 0.5), 2);
  EXPECT_EQ(percentile({4, 1, 3, 2}, 0.99), 4);
  EXPECT_EQ(percentile({7}, 0.5), 7);
  EXPECT_EQ(percentile({}, 0.5), 0);
  std::vector<double> hundred(100);
  std::iota(hundred.begin(), hundred.end(), 1.0);  // 1..100
  EXPECT_EQ(percentile(hundred, 0.50), 50);
  EXPECT_EQ(percentile(hundred, 0.99), 99);
  EXPECT_EQ(percentile(hundred, 1.0), 100);
}

TEST(LatencyStats, SummaryHasCountPercentilesAndMax) {
  std::vector<double> v(1000);
  std::iota(v.rbegin(), v.rend(), 1.0);  // 1000..1, unsorted input
  const LatencySummary s = summarize(v);
  EXPECT_EQ(s.count, 1000u);
  EXPECT_EQ(s.p50, 500);
  EXPECT_EQ(s.p99, 990);
  EXPECT_EQ(s.max, 1000);
  EXPECT_EQ(summarize({}).count, 0u);
}

TEST(LatencyStats, Rate) {
  EXPECT_DOUBLE_EQ(rate(100, 4.0), 25.0);
  EXPECT_EQ(rate(100, 0), 0);
}

}  // namespace
}  // namespace droid::bench
