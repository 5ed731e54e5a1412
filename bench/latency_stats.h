// Summaries of a benchmark's per-item latencies: nearest-rank percentiles
// (p50 of {1,2,3,4} is 2, p99 of 100 items is the 99th smallest), and the
// rate of a run (items over the wall time from the first start to the last end).
#pragma once
#include <cstddef>
#include <vector>

namespace droid::bench {

// The nearest-rank q-quantile (0 < q <= 1) of `values`; 0 when empty.
double percentile(std::vector<double> values, double q);

struct LatencySummary {
  std::size_t count = 0;
  double p50 = 0;
  double p99 = 0;
  double max = 0;
};

LatencySummary summarize(const std::vector<double>& values);

// items / seconds; 0 when seconds <= 0.
double rate(std::size_t items, double seconds);

}  // namespace droid::bench
