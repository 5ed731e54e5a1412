#include "tools/text.h"

#include <gtest/gtest.h>

#include <string>

namespace droid::runner::tools {
namespace {

TEST(Text, Utf8BoundaryNeverSplitsASequence) {
  std::string s =
      "a\xC3\xA9"
      "b\xE2\x82\xAC";  // a é b €
  EXPECT_EQ(utf8_boundary(s, 0), 0U);
  EXPECT_EQ(utf8_boundary(s, 1), 1U);
  EXPECT_EQ(utf8_boundary(s, 2), 1U);  // inside é
  EXPECT_EQ(utf8_boundary(s, 3), 3U);
  EXPECT_EQ(utf8_boundary(s, 5), 4U);  // inside €
  EXPECT_EQ(utf8_boundary(s, 6), 4U);
  EXPECT_EQ(utf8_boundary(s, 7), 7U);
  EXPECT_EQ(utf8_boundary(s, 100), 7U);
}

TEST(Text, TruncateForModelKeepsShortTextAndNotesACut) {
  EXPECT_EQ(truncate_for_model("short", 10), "short");
  std::string long_text(1000, 'x');
  std::string cut = truncate_for_model(long_text, 100);
  EXPECT_LE(cut.size(), 100U);
  EXPECT_NE(cut.find("[output cut at 100 of 1000 bytes]"), std::string::npos) << cut;
  std::string euros;
  for (int i = 0; i < 100; ++i) euros += "\xE2\x82\xAC";
  std::string cut_euros = truncate_for_model(euros, 80);
  std::string head = cut_euros.substr(0, cut_euros.find('\n'));
  EXPECT_EQ(head.size() % 3, 0U) << "cut inside a character";
}

TEST(Text, HeadAndTailAroundANote) {
  std::string s = std::string(100, 'h') + std::string(100, 't');
  std::string out = keep_head_and_tail(s, 40);
  EXPECT_EQ(out.substr(0, 20), std::string(20, 'h'));
  EXPECT_EQ(out.substr(out.size() - 20), std::string(20, 't'));
  EXPECT_NE(out.find("[... 160 bytes left out ...]"), std::string::npos) << out;
  EXPECT_EQ(keep_head_and_tail("small", 40), "small");
}

TEST(Text, CutLine) {
  EXPECT_EQ(cut_line("abc", 3), "abc");
  EXPECT_EQ(cut_line("abcdef", 3), "abc [line cut: 6 bytes]");
}

TEST(Text, BinaryMeansANulByte) {
  EXPECT_FALSE(looks_binary("text\n\t\xC3\xA9"));
  EXPECT_TRUE(looks_binary(std::string("a\0b", 3)));
}

TEST(Text, SplitLines) {
  EXPECT_TRUE(split_lines("").empty());
  EXPECT_EQ(split_lines("a\nb"), (std::vector<std::string_view>{"a", "b"}));
  EXPECT_EQ(split_lines("a\nb\n"), (std::vector<std::string_view>{"a", "b"}));
  EXPECT_EQ(split_lines("\n\n"), (std::vector<std::string_view>{"", ""}));
}

}  // namespace
}  // namespace droid::runner::tools
