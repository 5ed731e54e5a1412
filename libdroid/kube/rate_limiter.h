// A token bucket for the client's requests (client-go's --kube-api-qps and
// --kube-api-burst): up to `burst` requests at once, then `qps` per second on
// average. reserve() takes a token now and says how long its request must wait
// (callers never queue behind a lock); wait() sleeps that long. qps <= 0 turns it
// off. Thread-safe.
//
//   RateLimiter limit(50, 100);
//   limit.wait();   // then send the request
#pragma once

#include <chrono>
#include <mutex>

namespace droid::kube {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  RateLimiter(double qps, int burst);

  bool enabled() const { return qps_ > 0; }
  // Takes one token at `now`; the time to wait before using it (zero when one was there).
  Clock::duration reserve(Clock::time_point now);
  void wait();

 private:
  const double qps_;
  const double burst_;
  std::mutex mu_;
  double tokens_;  // may go negative: tokens promised to callers who are waiting
  Clock::time_point last_{};
  bool started_ = false;
};

}  // namespace droid::kube
