#include "text/invisible.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace droid::text {
namespace {

std::string utf8(char32_t c) {
  std::string s;
  if (c < 0x80) {
    s += static_cast<char>(c);
  } else if (c < 0x800) {
    s += static_cast<char>(0xC0 | (c >> 6));
    s += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    s += static_cast<char>(0xE0 | (c >> 12));
    s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    s += static_cast<char>(0xF0 | (c >> 18));
    s += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (c & 0x3F));
  }
  return s;
}

std::vector<char32_t> range(char32_t first, char32_t last) {
  std::vector<char32_t> out;
  for (char32_t c = first; c <= last; ++c) out.push_back(c);
  return out;
}

// Every character the two former tables removed or doubted: the guardrails' strip
// table (runner/agent) and the command policy's hidden_characters (runner/policy).
std::vector<char32_t> previously_invisible() {
  std::vector<char32_t> all;
  for (char32_t c = 0; c < 0x20; ++c)
    if (c != '\t' && c != '\n' && c != '\r') all.push_back(c);
  for (const auto& r :
       {range(0x7F, 0x9F), range(0x200B, 0x200F), range(0x202A, 0x202E), range(0x2060, 0x206F), range(0xFE00, 0xFE0F),
        range(0xFFF9, 0xFFFB), range(0x1D173, 0x1D17A), range(0xE0000, 0xE007F), range(0xE0100, 0xE01EF)})
    all.insert(all.end(), r.begin(), r.end());
  for (const char32_t c : {0x00AD, 0x034F, 0x061C, 0x180E, 0xFEFF}) all.push_back(c);
  return all;
}

TEST(Invisible, EveryCharacterEitherFormerTableHadIsStillStripped) {
  for (const char32_t c : previously_invisible()) {
    const std::string text = "rm" + utf8(c) + " -rf";
    std::size_t removed = 0;
    EXPECT_TRUE(is_invisible(c)) << std::hex << static_cast<unsigned>(c);
    EXPECT_EQ(strip_invisible(text, &removed), "rm -rf") << std::hex << static_cast<unsigned>(c);
    EXPECT_EQ(removed, 1U) << std::hex << static_cast<unsigned>(c);
    const auto found = find_invisible(text);
    ASSERT_TRUE(found.has_value()) << std::hex << static_cast<unsigned>(c);
    EXPECT_EQ(found->offset, 2U);
    EXPECT_EQ(found->code, c);
  }
}

TEST(Invisible, TheStricterUnionAddsFillersAndFormatControls) {
  for (const char32_t c : {0x115F, 0x1160, 0x3164, 0xFFA0, 0x17B4, 0x17B5, 0x1BCA0, 0x1BCA3}) {
    EXPECT_TRUE(is_invisible(c)) << std::hex << static_cast<unsigned>(c);
    EXPECT_EQ(strip_invisible("a" + utf8(c) + "b"), "ab") << std::hex << static_cast<unsigned>(c);
  }
}

// The command policy gives these words as its reason ("the command contains ...").
TEST(Invisible, SaysWhatItFoundInTheWordsThePolicyUsed) {
  EXPECT_EQ(find_invisible("ls\x01")->what, "a control character");
  EXPECT_EQ(find_invisible("ls\x7F")->what, "a control character");
  EXPECT_EQ(find_invisible("ls" + utf8(0x85))->what, "a control character");
  EXPECT_EQ(find_invisible("ls" + utf8(0xAD))->what, "a soft hyphen");
  EXPECT_EQ(find_invisible("rm" + utf8(0x200B))->what, "an invisible or bidirectional Unicode character");
  EXPECT_EQ(find_invisible("ls " + utf8(0x202E))->what, "an invisible or bidirectional Unicode character");
  EXPECT_EQ(find_invisible("ls " + utf8(0x2066))->what, "an invisible Unicode character");
  EXPECT_EQ(find_invisible(utf8(0xFEFF) + "ls")->what, "a zero-width no-break space");
  EXPECT_EQ(find_invisible("ls " + utf8(0xE0041))->what, "an invisible Unicode character");
  const auto bad = find_invisible("ls \xC3(");
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->what, "a byte that is not UTF-8");
  EXPECT_EQ(bad->offset, 3U);
}

TEST(Invisible, KeepsVisibleTextAndLineWhitespace) {
  const std::string visible = "naïve café — 日本語 ✓ 🙂 ｒｍ\tend\r\n";
  EXPECT_EQ(strip_invisible(visible), visible);
  EXPECT_FALSE(find_invisible(visible).has_value());
  for (const char32_t c : {0x20, 0x7E, 0xA0, 0xE9, 0x2028, 0x3000, 0xFFFD, 0x1F642})
    EXPECT_FALSE(is_invisible(c)) << std::hex << static_cast<unsigned>(c);
}

TEST(Invisible, BytesThatAreNotUtf8BecomeReplacementCharacters) {
  std::size_t removed = 0;
  // A truncated sequence, an overlong '/', an encoded surrogate, a stray continuation byte.
  EXPECT_EQ(strip_invisible("a\xE2\x82", &removed), "a\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(removed, 2U);
  EXPECT_EQ(strip_invisible("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(strip_invisible("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(strip_invisible("\x80x"), "\xEF\xBF\xBDx");
  char32_t c = 0;
  EXPECT_EQ(decode_utf8("\xF0\x9F\x99\x82", 0, c), 4U);
  EXPECT_EQ(static_cast<unsigned>(c), 0x1F642U);
  EXPECT_EQ(decode_utf8("\xF4\x90\x80\x80", 0, c), 0U) << "beyond U+10FFFF";
}

}  // namespace
}  // namespace droid::text
