#include "text/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace droid::text {
namespace {

std::string utf8(std::uint32_t cp) {
  std::string out;
  append_utf8(out, cp);
  return out;
}

TEST(Utf8, EachLength) {
  EXPECT_EQ(utf8(0x2F), "/");
  EXPECT_EQ(utf8(0xE9), "\xC3\xA9");
  EXPECT_EQ(utf8(0x20AC), "\xE2\x82\xAC");
  EXPECT_EQ(utf8(0x1F600), "\xF0\x9F\x98\x80");
}

TEST(Utf8, BeyondUnicodeIsTheReplacementCharacter) {
  EXPECT_EQ(utf8(0x110000), "\xEF\xBF\xBD");
  EXPECT_EQ(utf8(0xFFFFFFFF), "\xEF\xBF\xBD");
}

}  // namespace
}  // namespace droid::text
