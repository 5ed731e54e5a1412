#include "kube/rate_limiter.h"

#include <algorithm>
#include <thread>

namespace droid::kube {

RateLimiter::RateLimiter(double qps, int burst) : qps_(qps), burst_(std::max(1, burst)), tokens_(burst_) {}

RateLimiter::Clock::duration RateLimiter::reserve(Clock::time_point now) {
  if (!enabled()) return Clock::duration::zero();
  std::lock_guard lock(mu_);
  if (started_ && now > last_) {
    tokens_ = std::min(burst_, tokens_ + std::chrono::duration<double>(now - last_).count() * qps_);
  }
  if (!started_ || now > last_) last_ = now;
  started_ = true;
  tokens_ -= 1;
  if (tokens_ >= 0) return Clock::duration::zero();
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(-tokens_ / qps_));
}

void RateLimiter::wait() {
  const auto delay = reserve(Clock::now());
  if (delay > Clock::duration::zero()) std::this_thread::sleep_for(delay);
}

}  // namespace droid::kube
