// Jittered exponential backoff for reconnects and retries: the n-th delay is
// min(initial * factor^n, max), scaled down by a random factor in
// [1 - jitter, 1] so that many clients do not retry in step. reset() after a
// success starts again from `initial`.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace droid::kube {

struct BackoffPolicy {
  std::chrono::milliseconds initial{800};
  std::chrono::milliseconds max{30000};
  double factor = 2.0;
  double jitter = 0.5;  // 0: no jitter; 1: anywhere in [0, delay]
};

class Backoff {
 public:
  explicit Backoff(BackoffPolicy policy = {}, std::uint64_t seed = std::random_device{}());
  std::chrono::milliseconds next();  // the delay before the next attempt
  void reset() { attempt_ = 0; }
  int attempts() const { return attempt_; }

 private:
  BackoffPolicy policy_;
  std::mt19937_64 rng_;
  int attempt_ = 0;
};

// The un-jittered delay of attempt n (0-based): min(initial * factor^n, max).
std::chrono::milliseconds exponential_delay(const BackoffPolicy& policy, int attempt);

}  // namespace droid::kube
