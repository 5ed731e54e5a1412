#include "app/controller_switch.h"

#include <atomic>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

namespace droid::op {
namespace {

using namespace std::chrono_literals;

bool eventually(const std::function<bool()>& pred) {
  for (int i = 0; i < 500; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(2ms);
  }
  return pred();
}

TEST(ControllerSwitch, FollowsLeadershipOnItsOwnThread) {
  std::atomic<int> starts{0}, stops{0};
  std::thread::id caller = std::this_thread::get_id();
  std::atomic<bool> other_thread{true};
  ControllerSwitch sw(
      [&] {
        if (std::this_thread::get_id() == caller) other_thread = false;
        ++starts;
      },
      [&] { ++stops; });
  EXPECT_FALSE(sw.running());
  sw.set(true);
  ASSERT_TRUE(eventually([&] { return sw.running(); }));
  EXPECT_EQ(starts.load(), 1);
  EXPECT_TRUE(other_thread.load());
  sw.set(false);
  ASSERT_TRUE(eventually([&] { return !sw.running(); }));
  EXPECT_EQ(stops.load(), 1);
  sw.set(true);
  ASSERT_TRUE(eventually([&] { return sw.running(); }));
  EXPECT_EQ(sw.starts(), 2);
}

TEST(ControllerSwitch, ASlowStopDoesNotBlockTheCaller) {
  std::atomic<bool> release{false};
  std::atomic<bool> stopping{false};
  ControllerSwitch sw([] {},
                      [&] {
                        stopping = true;
                        while (!release.load()) std::this_thread::sleep_for(1ms);
                      });
  sw.set(true);
  ASSERT_TRUE(eventually([&] { return sw.running(); }));
  sw.set(false);
  ASSERT_TRUE(eventually([&] { return stopping.load(); }));  // the stop hangs until released
  const auto t0 = std::chrono::steady_clock::now();
  sw.set(true);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);  // a blocked set() would wait for the release, forever
  release = true;
  // Stopped, then started again: the last wish wins.
  ASSERT_TRUE(eventually([&] { return sw.starts() == 2 && sw.running(); }));
}

TEST(ControllerSwitch, ShutDownStopsRunningControllers) {
  std::atomic<int> stops{0};
  {
    ControllerSwitch sw([] {}, [&] { ++stops; });
    sw.set(true);
    ASSERT_TRUE(eventually([&] { return sw.running(); }));
    sw.shut_down();
    EXPECT_FALSE(sw.running());
    sw.shut_down();  // idempotent
  }
  EXPECT_EQ(stops.load(), 1);
}

}  // namespace
}  // namespace droid::op
