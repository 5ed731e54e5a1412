#include "shield/redactor.h"

#include <gtest/gtest.h>

#include <regex>

#include "shield/rules.h"

namespace droid::runner::shield {
namespace {

const HashKey kKey = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
const std::string kPat = "ghp_R4nd0mT0k3nWithNoPatternq234abcdXYZ9";
const std::string kOther = "ghp_Q9wE8rT7yU6iO5pA4sD3fG2hJ1kL0zXcVbNm";

TEST(Redactor, PlaceholderIsStableAndRevealsNothing) {
  const Redactor r(kKey);
  const std::string p = r.placeholder("github-pat", kPat);
  EXPECT_TRUE(std::regex_match(p, std::regex(R"(\[REDACTED:github-pat:[0-9a-f]{8}\])"))) << p;
  EXPECT_EQ(p, r.placeholder("github-pat", kPat));
  EXPECT_EQ(p, Redactor(kKey).placeholder("github-pat", kPat));
  EXPECT_NE(p, r.placeholder("github-pat", kOther));
  EXPECT_NE(p, Redactor(HashKey{}).placeholder("github-pat", kPat));
  for (std::size_t i = 0; i + 4 <= kPat.size(); ++i)
    EXPECT_EQ(p.find(kPat.substr(i, 4)), std::string::npos) << "placeholder shows part of the secret";
}

TEST(Redactor, SameSecretSamePlaceholderAcrossTexts) {
  const Scanner scanner(builtin_rules());
  const Redactor r(kKey);
  const std::string a = "first " + kPat + " then " + kOther + " and " + kPat;
  const std::string out = r.redact(a, scanner.scan(a));
  const std::string p = r.placeholder("github-pat", kPat), q = r.placeholder("github-pat", kOther);
  EXPECT_EQ(out, "first " + p + " then " + q + " and " + p);
  const std::string b = "GITHUB_TOKEN=" + kPat;
  EXPECT_EQ(r.redact(b, scanner.scan(b)), "GITHUB_TOKEN=" + p);
}

TEST(Redactor, OverlappingSecretsMergeAndRangesClip) {
  const Redactor r(kKey);
  const std::string text = "0123456789abcdef";
  const std::vector<Finding> findings = {
      {"a", 2, 6, 2, 6, 1, 3}, {"b", 4, 9, 4, 9, 1, 5}, {"c", 12, 14, 12, 14, 1, 13}};
  const std::string p = r.placeholder("a", "2345678"), q = r.placeholder("c", "cd");
  EXPECT_EQ(r.redact(text, findings), "01" + p + "9ab" + q + "ef");
  EXPECT_EQ(r.redact_range(text, 5, 13, findings), p + "9ab" + q);
  EXPECT_EQ(r.redact_range(text, 9, 12, findings), "9ab");
}

}  // namespace
}  // namespace droid::runner::shield
