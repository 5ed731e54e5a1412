#include "time_order.h"

#include <gtest/gtest.h>

namespace droid::kubectl {
namespace {

using namespace std::chrono_literals;
using TimePoint = TimeOrder::TimePoint;

const TimePoint kT0 = TimePoint{} + 1'000'000s;

// The demo's case: the runner's start record (written at t0+100ms) is read after the
// Running phase line (seen at t0+300ms): it still comes first.
TEST(TimeOrder, ARecordReadLateComesBeforeALaterPhaseLine) {
  TimeOrder order(1500ms);
  order.add(kT0 + 300ms, "[Running]\n");
  order.add(kT0 + 100ms, "[start]\n");
  EXPECT_EQ(order.take_ready(kT0 + 1000ms), "") << "held within the window";
  EXPECT_EQ(order.take_ready(kT0 + 1600ms), "[start]\n") << "only what is older than the window";
  EXPECT_EQ(order.take_ready(kT0 + 1800ms), "[Running]\n");
  EXPECT_TRUE(order.empty());
}

TEST(TimeOrder, EqualStampsKeepTheOrderTheyWereAddedIn) {
  TimeOrder order(0ms);
  order.add(kT0, "a\n");
  order.add(kT0, "b\n");
  order.add(kT0 - 1ms, "first\n");
  EXPECT_EQ(order.take_ready(kT0), "first\na\nb\n");
}

TEST(TimeOrder, TakeAllReleasesEverythingInOrder) {
  TimeOrder order(10s);
  order.add(kT0 + 2s, "c\n");
  order.add(kT0, "a\n");
  order.add(kT0 + 1s, "b\n");
  EXPECT_EQ(order.take_ready(kT0 + 5s), "");
  EXPECT_EQ(order.take_all(), "a\nb\nc\n");
  EXPECT_TRUE(order.empty());
}

// Released lines are final: a line older than them comes out with the next release.
TEST(TimeOrder, ALineOlderThanWhatWasReleasedComesOutNext) {
  TimeOrder order(1s);
  order.add(kT0 + 5s, "late phase\n");
  EXPECT_EQ(order.take_ready(kT0 + 7s), "late phase\n");
  order.add(kT0, "very old record\n");
  EXPECT_EQ(order.take_ready(kT0 + 7s), "very old record\n");
}

}  // namespace
}  // namespace droid::kubectl
