#include "controller/controller.h"

#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>

#include <gtest/gtest.h>

namespace droid::op {
namespace {

using namespace std::chrono_literals;

// Records reconciles and lets a test wait for a condition on them.
struct Recorder {
  std::mutex mu;
  std::condition_variable cv;
  std::map<std::string, int> calls;
  int concurrent = 0;
  int max_concurrent_same_key = 0;
  std::set<std::string> in_flight;

  template <typename Pred>
  bool wait(Pred pred, std::chrono::milliseconds timeout = 5s) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, timeout, [&] { return pred(); });
  }
};

TEST(Controller, ReconcilesEachEnqueuedKeyAndDeduplicatesBeforeStart) {
  Recorder r;
  Controller c("t", [&](const std::string& key) {
    std::lock_guard<std::mutex> lock(r.mu);
    ++r.calls[key];
    r.cv.notify_all();
    return ReconcileResult::done();
  });
  c.enqueue("a/1");
  c.enqueue("a/1");
  c.enqueue("a/2");
  c.start();
  ASSERT_TRUE(r.wait([&] { return r.calls.size() == 2; }));
  c.stop();
  EXPECT_EQ(r.calls["a/1"], 1);
  EXPECT_EQ(r.calls["a/2"], 1);
}

TEST(Controller, RetriesAFailureWithBackoffAndReportsIt) {
  Recorder r;
  int retries = 0;
  std::vector<bool> errors;
  ControllerObserver obs;
  obs.on_reconcile = [&](const std::string& name, double seconds, bool error) {
    EXPECT_EQ(name, "t");
    EXPECT_GE(seconds, 0.0);
    std::lock_guard<std::mutex> lock(r.mu);
    errors.push_back(error);
  };
  obs.on_retry = [&](const std::string&) {
    std::lock_guard<std::mutex> lock(r.mu);
    ++retries;
  };
  ControllerOptions opts;
  opts.backoff = {1ms, 20ms};
  Controller c(
      "t",
      [&](const std::string& key) {
        std::lock_guard<std::mutex> lock(r.mu);
        const int n = ++r.calls[key];
        r.cv.notify_all();
        if (n == 1) throw std::runtime_error("apiserver said no");
        if (n == 2) return ReconcileResult::failed("still no");
        return ReconcileResult::done();
      },
      opts, obs);
  c.start();
  c.enqueue("k");
  ASSERT_TRUE(r.wait([&] { return r.calls["k"] == 3; }));
  c.stop();
  std::lock_guard<std::mutex> lock(r.mu);
  EXPECT_EQ(retries, 2);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors, (std::vector<bool>{true, true, false}));
}

TEST(Controller, RequeueAfterRunsTheKeyAgainLater) {
  Recorder r;
  const auto t0 = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point second;
  Controller c("t", [&](const std::string& key) {
    std::lock_guard<std::mutex> lock(r.mu);
    const int n = ++r.calls[key];
    if (n == 2) second = std::chrono::steady_clock::now();
    r.cv.notify_all();
    return n == 1 ? ReconcileResult::after(150ms) : ReconcileResult::done();
  });
  c.start();
  c.enqueue("k");
  ASSERT_TRUE(r.wait([&] { return r.calls["k"] == 2; }));
  c.stop();
  EXPECT_GE(second - t0, 150ms);
}

TEST(Controller, NeverRunsOneKeyOnTwoWorkersAtOnce) {
  Recorder r;
  ControllerOptions opts;
  opts.workers = 4;
  Controller c(
      "t",
      [&](const std::string& key) {
        {
          std::lock_guard<std::mutex> lock(r.mu);
          EXPECT_TRUE(r.in_flight.insert(key).second) << key << " is already being reconciled";
        }
        std::this_thread::sleep_for(2ms);
        std::lock_guard<std::mutex> lock(r.mu);
        r.in_flight.erase(key);
        ++r.calls[key];
        r.cv.notify_all();
        return ReconcileResult::done();
      },
      opts);
  c.start();
  for (int round = 0; round < 50; ++round)
    for (const char* k : {"a", "b", "c"}) c.enqueue(k);
  ASSERT_TRUE(r.wait([&] { return r.calls["a"] >= 1 && r.calls["b"] >= 1 && r.calls["c"] >= 1; }));
  c.stop();
}

TEST(Controller, GivesUpAfterMaxRetriesUntilTheNextEnqueue) {
  Recorder r;
  ControllerOptions opts;
  opts.backoff = {1ms, 5ms};
  opts.max_retries = 3;
  Controller c(
      "t",
      [&](const std::string& key) {
        std::lock_guard<std::mutex> lock(r.mu);
        ++r.calls[key];
        r.cv.notify_all();
        return ReconcileResult::failed("poison");
      },
      opts);
  c.start();
  c.enqueue("k");
  ASSERT_TRUE(r.wait([&] { return r.calls["k"] == 4; }));
  // Dropped: no fifth attempt on its own.
  EXPECT_FALSE(r.wait([&] { return r.calls["k"] > 4; }, 200ms));
  // A new change starts over: one attempt and max_retries retries again. (Waiting
  // for exactly 5 would race with the retries that follow it at once.)
  c.enqueue("k");
  EXPECT_TRUE(r.wait([&] { return r.calls["k"] == 8; }));
  EXPECT_FALSE(r.wait([&] { return r.calls["k"] > 8; }, 200ms));
  c.stop();
}

TEST(Controller, StopIsIdempotentAndJoinsWorkers) {
  Controller c("t", [](const std::string&) { return ReconcileResult::done(); });
  c.start();
  EXPECT_TRUE(c.running());
  c.stop();
  c.stop();
  EXPECT_FALSE(c.running());
}

}  // namespace
}  // namespace droid::op
