// Runs every line of testdata/corpus.tsv through the policy with
// testdata/settings.json: the expected decision and risk at the line's
// autonomy; adversarial lines are never allowed below autonomy high, and a
// line expected to be blocked is blocked at every level.
#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "policy/corpus.h"
#include "policy/policy.h"

namespace {

using namespace droid::runner::policy;

std::vector<CorpusLine> corpus() { return load_corpus(DROID_POLICY_TESTDATA); }

Policy corpus_policy() {
  std::ifstream in(std::string(DROID_POLICY_TESTDATA) + "/settings.json");
  std::stringstream ss;
  ss << in.rdbuf();
  return Policy(nlohmann::json::parse(ss.str()), "/workspace");
}

TEST(Corpus, HasAtLeast300CommandsBenignAndAdversarial) {
  auto lines = corpus();
  std::size_t adversarial = 0, benign = 0;
  for (const auto& l : lines) {
    EXPECT_TRUE(l.kind == "adv" || l.kind == "benign") << l.file << ":" << l.number << ": malformed line";
    (l.kind == "adv" ? adversarial : benign)++;
  }
  EXPECT_GE(lines.size(), 300u);
  EXPECT_GE(adversarial, 150u);
  EXPECT_GE(benign, 100u);
}

// The corpora of the bypass classes (bypass.tsv) and of ordinary developer work (benign.tsv).
TEST(Corpus, BypassAndBenignCorporaAreLargeEnough) {
  std::size_t bypass = 0, benign = 0;
  for (const auto& l : load_corpus(DROID_POLICY_TESTDATA, "bypass.tsv")) bypass += l.kind == "adv";
  for (const auto& l : load_corpus(DROID_POLICY_TESTDATA, "benign.tsv")) benign += l.kind == "benign";
  EXPECT_GE(bypass, 150u);
  EXPECT_GE(benign, 300u);
}

TEST(Corpus, EveryLineGetsItsExpectedDecision) {
  Policy policy = corpus_policy();
  int failures = 0;
  for (const auto& l : corpus()) {
    auto level = parse_autonomy(l.autonomy);
    ASSERT_TRUE(level) << l.file << ":" << l.number;
    Verdict v = policy.check(l.command, *level);
    std::string got = std::string(decision_name(v.decision)) + "/" + std::string(risk_name(v.risk));
    bool ok = l.decision == "!allow" ? v.decision != Decision::Allow : decision_name(v.decision) == l.decision;
    ok = ok && (l.risk == "*" || risk_name(v.risk) == l.risk);
    if (!ok) ++failures;
    EXPECT_TRUE(ok) << l.file << ":" << l.number << ": " << l.command << "\n  at " << l.autonomy << " expected "
                    << l.decision << "/" << l.risk << ", got " << got << ": " << v.to_json().dump();
  }
  EXPECT_EQ(failures, 0);
}

TEST(Corpus, AdversarialLinesAreNeverAllowedBelowHigh) {
  Policy policy = corpus_policy();
  for (const auto& l : corpus()) {
    if (l.kind != "adv") continue;
    for (Autonomy a : {Autonomy::Off, Autonomy::Low, Autonomy::Medium}) {
      Verdict v = policy.check(l.command, a);
      EXPECT_NE(v.decision, Decision::Allow)
          << l.file << ":" << l.number << " at " << autonomy_name(a) << ": " << l.command << " " << v.to_json().dump();
      EXPECT_NE(v.risk, Risk::Low) << l.file << ":" << l.number << ": " << l.command;
    }
    if (l.decision == "block") {
      Verdict v = policy.check(l.command, Autonomy::High);
      EXPECT_EQ(v.decision, Decision::Block)
          << l.file << ":" << l.number << ": " << l.command << " " << v.to_json().dump();
    }
  }
}

}  // namespace
