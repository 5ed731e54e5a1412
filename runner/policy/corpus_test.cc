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

#include "policy/policy.h"

namespace {

using namespace droid::runner::policy;

struct Line {
  int number;
  std::string kind, decision, risk, autonomy, command;
};

std::string decode(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] == 'x' && std::isxdigit(static_cast<unsigned char>(s[i + 2])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 3]))) {
      out += static_cast<char>(std::stoi(s.substr(i + 2, 2), nullptr, 16));
      i += 3;
      continue;
    }
    if (s[i] == '\\' && i + 1 < s.size() && (s[i + 1] == 'n' || s[i + 1] == 't')) {
      out += s[i + 1] == 'n' ? '\n' : '\t';
      ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::vector<Line> corpus() {
  std::ifstream in(std::string(DROID_POLICY_TESTDATA) + "/corpus.tsv");
  std::vector<Line> lines;
  int n = 0;
  for (std::string text; std::getline(in, text);) {
    ++n;
    if (text.empty() || text[0] == '#') continue;
    std::vector<std::string> f;
    std::size_t i = 0;
    for (int k = 0; k < 4; ++k) {
      std::size_t tab = text.find('\t', i);
      if (tab == std::string::npos) break;
      f.push_back(text.substr(i, tab - i));
      i = tab + 1;
    }
    EXPECT_EQ(f.size(), 4u) << "corpus line " << n;
    if (f.size() != 4) continue;
    lines.push_back({n, f[0], f[1], f[2], f[3], decode(text.substr(i))});
  }
  return lines;
}

Policy corpus_policy() {
  std::ifstream in(std::string(DROID_POLICY_TESTDATA) + "/settings.json");
  std::stringstream ss;
  ss << in.rdbuf();
  return Policy(nlohmann::json::parse(ss.str()), "/workspace");
}

TEST(Corpus, HasAtLeast300CommandsBenignAndAdversarial) {
  auto lines = corpus();
  std::size_t adversarial = 0, benign = 0;
  for (const auto& l : lines) (l.kind == "adv" ? adversarial : benign)++;
  EXPECT_GE(lines.size(), 300u);
  EXPECT_GE(adversarial, 150u);
  EXPECT_GE(benign, 100u);
}

TEST(Corpus, EveryLineGetsItsExpectedDecision) {
  Policy policy = corpus_policy();
  int failures = 0;
  for (const auto& l : corpus()) {
    auto level = parse_autonomy(l.autonomy);
    ASSERT_TRUE(level) << "line " << l.number;
    Verdict v = policy.check(l.command, *level);
    std::string got = std::string(decision_name(v.decision)) + "/" + std::string(risk_name(v.risk));
    bool ok = l.decision == "!allow" ? v.decision != Decision::Allow : decision_name(v.decision) == l.decision;
    ok = ok && (l.risk == "*" || risk_name(v.risk) == l.risk);
    if (!ok) ++failures;
    EXPECT_TRUE(ok) << "line " << l.number << ": " << l.command << "\n  at " << l.autonomy << " expected " << l.decision
                    << "/" << l.risk << ", got " << got << ": " << v.to_json().dump();
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
          << "line " << l.number << " at " << autonomy_name(a) << ": " << l.command << " " << v.to_json().dump();
      EXPECT_NE(v.risk, Risk::Low) << "line " << l.number << ": " << l.command;
    }
    if (l.decision == "block") {
      Verdict v = policy.check(l.command, Autonomy::High);
      EXPECT_EQ(v.decision, Decision::Block) << "line " << l.number << ": " << l.command << " " << v.to_json().dump();
    }
  }
}

}  // namespace
