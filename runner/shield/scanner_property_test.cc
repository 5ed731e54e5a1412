// The prefilter never changes the result: on generated texts (filler that is
// full of keywords, planted samples of every rule, known secrets, random
// noise), scan() finds exactly what running every regex on the whole text
// (scan_exhaustive()) finds.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <random>

#include "shield/rules.h"
#include "shield/scanner.h"
#include "shield/shield.h"
#include "shield/testing/samples.h"

namespace droid::runner::shield {
namespace {

const std::vector<testing::Sample>& samples() {
  static const auto s = testing::load_samples();
  return s;
}

const std::vector<std::string> kKnown = {"gw-7Hq2pX9LmZ4rT8vK3nB6", "s3cr3t-runner-pw"};

const Scanner& scanner() {
  static const Scanner s = [] {
    std::vector<Rule> rules = builtin_rules();
    for (auto& r : custom_rules(nlohmann::json::parse(R"j({"shield": {"customPatterns": [
        {"name": "acme-key", "regex": "acme_key=(ak_[0-9a-f]{16})", "keywords": ["acme_key"]},
        {"name": "ticket", "regex": "TICKET-[0-9]{6}"}]}})j")))
      rules.push_back(std::move(r));
    return Scanner(std::move(rules), kKnown);
  }();
  return s;
}

// Noise from characters and fragments that the rules and keywords are made of.
std::string noise(std::mt19937_64& rng) {
  static const std::vector<std::string> kBits = {
      "a",
      "Z",
      "0",
      "9",
      "-",
      "_",
      ".",
      "/",
      "+",
      "=",
      ":",
      "@",
      " ",
      "\t",
      "\n",
      "\"",
      "'",
      "~",
      "Q~",
      "sk",
      "SK",
      "key-",
      "eyJ",
      "AKIA",
      "ghp_",
      "xoxb-",
      "://",
      "postgres",
      "password",
      "token",
      "secret",
      "-----BEGIN RSA PRIVATE KEY-----",
      "-----END RSA PRIVATE KEY-----",
      "acme_key=",
      "TICKET-",
      "gw-7Hq2",
      // Forms whose matches cross a line break after a continuation ('\\', '>').
      "curl ",
      " -u ",
      "--user ",
      "\\\n",
      ">\n",
      "<password>",
      "</password>",
      "define('API_TOKEN', '",
      "--password ",
  };
  std::uniform_int_distribution<std::size_t> pick(0, kBits.size() - 1), len(1, 40);
  std::string out;
  for (std::size_t i = len(rng); i > 0; --i) out += kBits[pick(rng)];
  return out;
}

std::string generated_text(std::uint64_t seed, int parts) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> kind(0, 4);
  std::uniform_int_distribution<std::size_t> sample(0, samples().size() - 1), known(0, kKnown.size() - 1);
  std::string text;
  for (int i = 0; i < parts; ++i) {
    switch (kind(rng)) {
      case 0: text += testing::filler_line(rng); break;
      case 1: text += testing::expand(samples()[sample(rng)].pattern, rng); break;
      case 2: text += kKnown[known(rng)]; break;
      default: text += noise(rng); break;
    }
    text += (rng() % 3 == 0) ? " " : "\n";
  }
  return text;
}

RC_GTEST_PROP(ScannerProperty, PrefilterFindsExactlyWhatEveryRegexFinds, ()) {
  const auto seed = *rc::gen::arbitrary<std::uint64_t>();
  const int parts = *rc::gen::inRange(1, 60);
  const std::string text = generated_text(seed, parts);
  const auto fast = scanner().scan(text);
  const auto slow = scanner().scan_exhaustive(text);
  RC_ASSERT(fast == slow);
}

TEST(ScannerProperty, DenseTextWithThousandsOfSecretsAgrees) {
  const std::string text = generated_text(1234, 5000);
  ScanStats stats;
  const auto findings = scanner().scan(text, &stats);
  EXPECT_EQ(findings, scanner().scan_exhaustive(text));
  EXPECT_GT(findings.size(), 500u);
  EXPECT_GT(stats.keyword_hits, 0u);
}

}  // namespace
}  // namespace droid::runner::shield
