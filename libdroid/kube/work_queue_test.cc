#include "kube/work_queue.h"

#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace droid::kube {
namespace {

using namespace std::chrono_literals;

TEST(WorkQueue, DeduplicatesQueuedKeys) {
  WorkQueue q;
  q.add("a");
  q.add("b");
  q.add("a");
  EXPECT_EQ(q.len(), 2U);
  EXPECT_EQ(q.get(), "a");
  EXPECT_EQ(q.get(), "b");
  EXPECT_EQ(q.len(), 0U);
  q.done("a");
  q.done("b");
  EXPECT_EQ(q.len(), 0U);
}

TEST(WorkQueue, AKeyAddedWhileProcessingIsRequeuedOnDone) {
  WorkQueue q;
  q.add("a");
  auto key = q.get();
  ASSERT_EQ(key, "a");
  q.add("a");
  q.add("a");
  EXPECT_EQ(q.len(), 0U);  // not handed to a second worker while "a" is processed
  q.done("a");
  EXPECT_EQ(q.len(), 1U);
  EXPECT_EQ(q.get(), "a");
  q.done("a");
  EXPECT_EQ(q.len(), 0U);
}

TEST(WorkQueue, AddAfterWaits) {
  WorkQueue q;
  const auto start = std::chrono::steady_clock::now();
  q.add_after("late", 100ms);
  q.add_after("late", 5000ms);  // a later due time does not postpone it
  EXPECT_EQ(q.len(), 0U);
  EXPECT_EQ(q.delayed(), 1U);
  EXPECT_EQ(q.get(), "late");
  EXPECT_GE(std::chrono::steady_clock::now() - start, 100ms);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 4000ms);
  q.done("late");
}

TEST(WorkQueue, AnEarlierAddAfterWakesAWaitingWorker) {
  WorkQueue q;
  q.add_after("x", 60s);
  std::thread t([&] {
    std::this_thread::sleep_for(50ms);
    q.add_after("x", 10ms);
  });
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(q.get(), "x");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
  t.join();
}

TEST(WorkQueue, RateLimitedBackoffDoublesAndForgetResets) {
  WorkQueue q({.base = 20ms, .max = 80ms});
  std::vector<std::chrono::steady_clock::duration> waits;
  for (int i = 0; i < 4; ++i) {
    const auto start = std::chrono::steady_clock::now();
    q.add_rate_limited("k");
    ASSERT_EQ(q.get(), "k");
    waits.push_back(std::chrono::steady_clock::now() - start);
    q.done("k");
  }
  EXPECT_EQ(q.num_requeues("k"), 4);
  EXPECT_GE(waits[0], 20ms);
  EXPECT_GE(waits[1], 40ms);
  EXPECT_GE(waits[2], 80ms);
  EXPECT_GE(waits[3], 80ms);  // capped
  EXPECT_LT(waits[3], 2000ms);
  q.forget("k");
  EXPECT_EQ(q.num_requeues("k"), 0);
}

TEST(WorkQueue, ShutDownDrainsThenStops) {
  WorkQueue q;
  q.add("a");
  q.add_after("b", 10s);
  std::thread waiter;
  std::optional<std::string> from_waiter = "unset";
  q.shut_down();
  EXPECT_TRUE(q.shutting_down());
  q.add("c");  // ignored
  EXPECT_EQ(q.get(), "a");
  EXPECT_EQ(q.get(), std::nullopt);
  q.done("a");

  WorkQueue q2;
  std::thread blocked([&] { from_waiter = q2.get(); });
  std::this_thread::sleep_for(50ms);
  q2.shut_down();
  blocked.join();
  EXPECT_EQ(from_waiter, std::nullopt);
}

// Many producers and workers: every key added is processed at least once after
// its last add, and no key is ever processed by two workers at the same time.
TEST(WorkQueue, ConcurrentWorkersNeverShareAKey) {
  WorkQueue q;
  constexpr int kKeys = 20;
  constexpr int kAddsPerProducer = 2000;
  std::mutex mu;
  std::set<std::string> in_flight;
  std::map<std::string, int> processed;
  std::atomic<int> overlaps{0};
  std::atomic<int> added_total{0};

  std::vector<std::thread> workers;
  for (int w = 0; w < 6; ++w) {
    workers.emplace_back([&] {
      while (auto key = q.get()) {
        {
          std::lock_guard lock(mu);
          if (!in_flight.insert(*key).second) ++overlaps;
        }
        std::this_thread::yield();
        {
          std::lock_guard lock(mu);
          in_flight.erase(*key);
          ++processed[*key];
        }
        if ((*key)[1] == '3' && q.num_requeues(*key) < 3) {
          q.add_rate_limited(*key);  // a failing key comes back with backoff
        } else {
          q.forget(*key);
        }
        q.done(*key);
      }
    });
  }
  std::vector<std::thread> producers;
  for (int p = 0; p < 4; ++p) {
    producers.emplace_back([&, p] {
      for (int i = 0; i < kAddsPerProducer; ++i) {
        q.add("k" + std::to_string((i * 7 + p) % kKeys));
        ++added_total;
      }
    });
  }
  for (auto& t : producers) t.join();
  // Wait for the queue to drain, the delayed retries included, then stop.
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  for (;;) {
    bool idle;
    {
      std::lock_guard lock(mu);
      idle = in_flight.empty();
    }
    if (idle && q.len() == 0 && q.delayed() == 0) {
      std::this_thread::sleep_for(100ms);  // a worker may be between get() and the in-flight mark
      std::lock_guard lock(mu);
      if (in_flight.empty() && q.len() == 0 && q.delayed() == 0) break;
    }
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the queue did not drain";
    std::this_thread::sleep_for(10ms);
  }
  q.shut_down();
  for (auto& t : workers) t.join();
  EXPECT_EQ(overlaps.load(), 0);
  EXPECT_EQ(added_total.load(), 4 * kAddsPerProducer);
  ASSERT_EQ(processed.size(), static_cast<std::size_t>(kKeys));
  int total = 0;
  for (const auto& [key, n] : processed) {
    EXPECT_GE(n, 1) << key;
    total += n;
  }
  EXPECT_LT(total, 4 * kAddsPerProducer + 10 * kKeys);  // deduplicated, at most the adds plus retries
}

}  // namespace
}  // namespace droid::kube
