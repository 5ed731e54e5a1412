// The shield against every test case of gitleaks' own rule definitions
// (testdata/gitleaks, dumped from the pinned release by bench/gitleaks-cases.sh):
// it finds at least 97.5% of their true positives, flags at most 11% of their
// false positives, and never flags the tokens gitleaks reports that are public
// by design. shield_bench prints the exact figures and every miss.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "shield/rules.h"
#include "shield/scanner.h"
#include "shield/testing/samples.h"

namespace droid::runner::shield {
namespace {

const Scanner& scanner() {
  static const Scanner s(builtin_rules());
  return s;
}

// gitleaks rules whose every case is a publishable key (Mapbox pk., Lob *_pub_, Flutterwave FLWPUBK).
const std::set<std::string> kPublicByDesign = {"mapbox-api-token", "lob-pub-api-key", "flutterwave-public-key"};

TEST(GitleaksCases, NearlyEveryTruePositiveIsFound) {
  std::size_t found = 0, total = 0;
  for (const auto& c : testing::load_cases(DROID_SHIELD_TESTDATA "/gitleaks/tps.tsv")) {
    if (c.text.empty() || kPublicByDesign.count(c.rule) != 0) continue;  // a path-only case; a public token
    ++total;
    found += scanner().scan(c.text).empty() ? 0 : 1;
  }
  ASSERT_GT(total, 5000u);
  EXPECT_GE(static_cast<double>(found), 0.975 * static_cast<double>(total)) << found << " of " << total;
}

TEST(GitleaksCases, FewFalsePositivesAreFlagged) {
  std::size_t flagged = 0, total = 0;
  for (const auto& c : testing::load_cases(DROID_SHIELD_TESTDATA "/gitleaks/fps.tsv")) {
    if (!c.path.empty()) continue;  // false only because of its file path
    ++total;
    flagged += scanner().scan(c.text).empty() ? 0 : 1;
  }
  ASSERT_GT(total, 300u);
  EXPECT_LE(static_cast<double>(flagged), 0.11 * static_cast<double>(total)) << flagged << " of " << total;
}

TEST(GitleaksCases, PublicByDesignTokensAreNeverFlagged) {
  std::size_t cases = 0;
  for (const auto& c : testing::load_cases(DROID_SHIELD_TESTDATA "/gitleaks/tps.tsv")) {
    if (kPublicByDesign.count(c.rule) == 0) continue;
    ++cases;
    EXPECT_EQ(scanner().scan(c.text), std::vector<Finding>{}) << c.rule << ": " << c.text;
  }
  EXPECT_GE(cases, 75u);
}

}  // namespace
}  // namespace droid::runner::shield
