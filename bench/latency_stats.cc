#include "latency_stats.h"

#include <algorithm>
#include <cmath>

namespace droid::bench {

double percentile(std::vector<double> values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(values.size())));
  return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

LatencySummary summarize(const std::vector<double>& values) {
  LatencySummary s;
  s.count = values.size();
  if (values.empty()) return s;
  s.p50 = percentile(values, 0.50);
  s.p99 = percentile(values, 0.99);
  s.max = *std::max_element(values.begin(), values.end());
  return s;
}

double rate(std::size_t items, double seconds) { return seconds > 0 ? static_cast<double>(items) / seconds : 0; }

}  // namespace droid::bench
