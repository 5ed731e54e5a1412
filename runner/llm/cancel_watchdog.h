// Cancels a cpprestsdk request when its deadline passes, from a thread of its
// own: cpprestsdk's timeout applies to each read, not to the whole exchange,
// and the waiting caller is blocked in a .get(). Destroying the watchdog
// disarms it and joins its thread. Shared by the LLM transport and HTTP hooks.
//
//   pplx::cancellation_token_source source;
//   CancelWatchdog watchdog(deadline, source);
//   ... client.request(req, source.get_token()).get() ...
//   if (watchdog.fired()) -> timed out
//
// disarmer() gives a function that disarms it early (a phase that finished in
// time, e.g. the connection once the request is sent); it may outlive the
// watchdog and be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include <pplx/pplxtasks.h>

namespace droid::llm {

class CancelWatchdog {
 public:
  CancelWatchdog(std::chrono::steady_clock::time_point deadline, const pplx::cancellation_token_source& source)
      : state_(std::make_shared<State>()), thread_([state = state_, deadline, source]() {
          std::unique_lock lock(state->mu);
          if (!state->cv.wait_until(lock, deadline, [&] { return state->disarmed; })) {
            state->fired = true;
            lock.unlock();
            source.cancel();
          }
        }) {}
  ~CancelWatchdog() {
    disarm(*state_);
    thread_.join();
  }
  CancelWatchdog(const CancelWatchdog&) = delete;
  CancelWatchdog& operator=(const CancelWatchdog&) = delete;

  bool fired() {
    std::lock_guard lock(state_->mu);
    return state_->fired;
  }

  std::function<void()> disarmer() const {
    return [state = state_] { disarm(*state); };
  }

 private:
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    bool disarmed = false;
    bool fired = false;
  };
  static void disarm(State& s) {
    {
      std::lock_guard lock(s.mu);
      s.disarmed = true;
    }
    s.cv.notify_all();
  }

  std::shared_ptr<State> state_;
  std::thread thread_;  // last: starts once the state exists
};

}  // namespace droid::llm
