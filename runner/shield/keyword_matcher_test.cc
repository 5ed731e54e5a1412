#include "shield/keyword_matcher.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <random>
#include <set>
#include <stdexcept>
#include <utility>

namespace droid::runner::shield {
namespace {

using Hits = std::set<std::pair<std::uint32_t, std::size_t>>;

Hits matches(const KeywordMatcher& m, std::string_view text) {
  Hits hits;
  std::size_t last_end = 0;
  m.for_each_match(text, [&](std::uint32_t k, std::size_t end) {
    EXPECT_GE(end, last_end);
    last_end = end;
    hits.emplace(k, end);
  });
  return hits;
}

Hits naive(const std::vector<std::string>& keywords, std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  Hits hits;
  for (std::uint32_t k = 0; k < keywords.size(); ++k) {
    std::string kw = keywords[k];
    std::transform(kw.begin(), kw.end(), kw.begin(), [](unsigned char c) { return std::tolower(c); });
    for (auto at = text.find(kw); at != std::string::npos; at = text.find(kw, at + 1)) hits.emplace(k, at + kw.size());
  }
  return hits;
}

TEST(KeywordMatcher, OverlappingAndCaseInsensitive) {
  const KeywordMatcher m({"xox", "xoxb-", "OXB", "b"});
  EXPECT_EQ(matches(m, "XOXB-1"), (Hits{{0, 3}, {2, 4}, {3, 4}, {1, 5}}));
  EXPECT_TRUE(matches(m, "nothing here").empty());
}

TEST(KeywordMatcher, RejectsEmptyKeyword) { EXPECT_THROW(KeywordMatcher({"a", ""}), std::invalid_argument); }

TEST(KeywordMatcher, AgreesWithNaiveSearchOnRandomText) {
  std::mt19937_64 rng(42);
  const std::string alphabet = "abAB-_\n\x80\xff";
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1), len(1, 5);
  for (int round = 0; round < 200; ++round) {
    std::vector<std::string> keywords;
    for (int k = 0; k < 6; ++k) {
      std::string kw;
      for (std::size_t i = len(rng); i > 0; --i) kw += alphabet[pick(rng)];
      keywords.push_back(kw);
    }
    std::string text;
    for (int i = 0; i < 300; ++i) text += alphabet[pick(rng)];
    EXPECT_EQ(matches(KeywordMatcher(keywords), text), naive(keywords, text)) << "round " << round;
  }
}

}  // namespace
}  // namespace droid::runner::shield
