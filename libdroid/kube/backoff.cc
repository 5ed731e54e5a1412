#include "kube/backoff.h"

#include <algorithm>
#include <cmath>

namespace droid::kube {

Backoff::Backoff(BackoffPolicy policy, std::uint64_t seed) : policy_(policy), rng_(seed) {}

std::chrono::milliseconds exponential_delay(const BackoffPolicy& policy, int attempt) {
  const double max_ms = static_cast<double>(policy.max.count());
  const double d = static_cast<double>(policy.initial.count()) * std::pow(policy.factor, attempt);
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::min(d, max_ms)));
}

std::chrono::milliseconds Backoff::next() {
  const auto base = exponential_delay(policy_, attempt_);
  if (attempt_ < 64) ++attempt_;
  const double jitter = std::clamp(policy_.jitter, 0.0, 1.0);
  std::uniform_real_distribution<double> u(1.0 - jitter, 1.0);
  return std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(base.count()) * u(rng_)));
}

}  // namespace droid::kube
