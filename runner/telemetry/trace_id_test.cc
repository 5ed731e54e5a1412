#include "telemetry/trace_id.h"

#include <set>

#include <gtest/gtest.h>

namespace droid::runner::telemetry {
namespace {

TEST(TraceId, HexIsThirtyTwoLowercaseDigits) {
  TraceIdBytes id{};
  id[0] = 0xab;
  id[15] = 0x01;
  EXPECT_EQ(to_hex(id), "ab000000000000000000000000000001");
}

TEST(TraceId, RandomIdsAreValidAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string hex = to_hex(random_trace_id());
    EXPECT_TRUE(is_valid_trace_id(hex)) << hex;
    seen.insert(hex);
  }
  EXPECT_EQ(seen.size(), 1000U);
}

TEST(TraceId, ValidityFollowsW3cTraceContext) {
  EXPECT_TRUE(is_valid_trace_id("4bf92f3577b34da6a3ce929d0e0e4736"));
  EXPECT_FALSE(is_valid_trace_id("00000000000000000000000000000000"));   // all zero
  EXPECT_FALSE(is_valid_trace_id("4BF92F3577B34DA6A3CE929D0E0E4736"));   // upper case
  EXPECT_FALSE(is_valid_trace_id("4bf92f3577b34da6a3ce929d0e0e473"));    // 31 digits
  EXPECT_FALSE(is_valid_trace_id("4bf92f3577b34da6a3ce929d0e0e47361"));  // 33 digits
  EXPECT_FALSE(is_valid_trace_id("4bf92f3577b34da6a3ce929d0e0e473g"));   // not hex
  EXPECT_FALSE(is_valid_trace_id(""));
}

}  // namespace
}  // namespace droid::runner::telemetry
