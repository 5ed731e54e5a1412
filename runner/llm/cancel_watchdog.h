// Cancels a cpprestsdk request when its deadline passes, from a thread of its
// own: cpprestsdk's timeout applies to each read, not to the whole exchange,
// and the waiting caller is blocked in a .get(). Destroying the watchdog
// disarms it and joins its thread. Shared by the LLM transport and HTTP hooks.
//
//   pplx::cancellation_token_source source;
//   CancelWatchdog watchdog(deadline, source);
//   ... client.request(req, source.get_token()).get() ...
//   if (watchdog.fired()) -> timed out
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <pplx/pplxtasks.h>

namespace droid::llm {

class CancelWatchdog {
 public:
  CancelWatchdog(std::chrono::steady_clock::time_point deadline, const pplx::cancellation_token_source& source)
      : thread_([this, deadline, source]() {
          std::unique_lock lock(mu_);
          if (!cv_.wait_until(lock, deadline, [this] { return disarmed_; })) {
            fired_ = true;
            lock.unlock();
            source.cancel();
          }
        }) {}
  ~CancelWatchdog() {
    {
      std::lock_guard lock(mu_);
      disarmed_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  CancelWatchdog(const CancelWatchdog&) = delete;
  CancelWatchdog& operator=(const CancelWatchdog&) = delete;

  bool fired() {
    std::lock_guard lock(mu_);
    return fired_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool disarmed_ = false;
  bool fired_ = false;
  std::thread thread_;  // last: starts once the members above exist
};

}  // namespace droid::llm
