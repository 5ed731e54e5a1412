#include "policy/quantity.h"

#include <gtest/gtest.h>

namespace droid::policy {
namespace {

__int128 nanos(const char* text) {
  auto q = Quantity::parse(text);
  EXPECT_TRUE(q.has_value()) << text;
  return q ? q->nanos() : -1;
}

TEST(Quantity, DecimalAndSiSuffixes) {
  EXPECT_EQ(nanos("1"), 1'000'000'000);
  EXPECT_EQ(nanos("500m"), 500'000'000);
  EXPECT_EQ(nanos("0.5"), 500'000'000);
  EXPECT_EQ(nanos("100m"), nanos("0.1"));
  EXPECT_EQ(nanos("1k"), nanos("1000"));
  EXPECT_EQ(nanos("1M"), nanos("1e6"));
  EXPECT_EQ(nanos("250n"), 250);
  EXPECT_EQ(nanos("3u"), 3000);
  EXPECT_EQ(nanos("+2"), nanos("2"));
  EXPECT_EQ(nanos("-2"), -nanos("2"));
  EXPECT_EQ(nanos("1E-3"), nanos("1m"));
}

TEST(Quantity, BinarySuffixes) {
  EXPECT_EQ(nanos("1Ki"), nanos("1024"));
  EXPECT_EQ(nanos("1Gi"), nanos("1073741824"));
  EXPECT_EQ(nanos("1.5Gi"), nanos("1536Mi"));
  EXPECT_GT(*Quantity::parse("1Gi"), *Quantity::parse("1G"));
  EXPECT_EQ(nanos("8Ei"), static_cast<__int128>(8) * (static_cast<__int128>(1) << 60) * 1'000'000'000);
}

TEST(Quantity, FractionsBelowANanoRoundUp) {
  EXPECT_EQ(nanos("0.0000000001"), 1);
  EXPECT_EQ(nanos("1n"), 1);
  EXPECT_EQ(nanos("0.1n"), 1);
}

TEST(Quantity, Invalid) {
  for (const char* bad : {"", "m", "1x", "1 Gi", "Gi", "1..0", "1e", "1e1000", "--1", "1gi", "1KiB", "0x10"})
    EXPECT_FALSE(Quantity::parse(bad).has_value()) << bad;
}

}  // namespace
}  // namespace droid::policy
