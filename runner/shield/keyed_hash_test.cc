#include "shield/keyed_hash.h"

#include <gtest/gtest.h>

#include <string>

namespace droid::runner::shield {
namespace {

HashKey reference_key() {
  HashKey k{};
  for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<std::uint8_t>(i);
  return k;
}

std::string bytes(std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += static_cast<char>(i);
  return s;
}

// Test vectors of the SipHash paper (key 00..0f, message 00..n-1).
TEST(SipHash, ReferenceVectors) {
  EXPECT_EQ(siphash24(reference_key(), bytes(0)), 0x726fdb47dd0e0e31ULL);
  EXPECT_EQ(siphash24(reference_key(), bytes(1)), 0x74f839c593dc67fdULL);
  EXPECT_EQ(siphash24(reference_key(), bytes(8)), 0x93f5f5799a932462ULL);
  EXPECT_EQ(siphash24(reference_key(), bytes(15)), 0xa129ca6149be45e5ULL);
}

TEST(SipHash, RandomKeysDiffer) { EXPECT_NE(random_hash_key(), random_hash_key()); }

}  // namespace
}  // namespace droid::runner::shield
