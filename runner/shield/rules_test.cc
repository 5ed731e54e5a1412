// Every built-in rule against its samples (testdata/positives.tsv): each sample
// is found by its rule, and the same shapes filled with placeholders, plus
// common look-alikes in code and logs, are not found at all.
#include "shield/rules.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <random>
#include <set>

#include "shield/scanner.h"
#include "shield/testing/samples.h"

namespace droid::runner::shield {
namespace {

using testing::expand;
using testing::load_samples;

const Scanner& scanner() {
  static const Scanner s(builtin_rules());
  return s;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// The template with every random run {C:N} filled with `fill` repeated.
std::string filled(const std::string& pattern, const std::string& fill) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const auto close = pattern.find('}', i);
    if (pattern[i] == '{' && i + 3 < pattern.size() && pattern[i + 2] == ':' && close != std::string::npos) {
      const auto n = std::stoul(pattern.substr(i + 3, close - i - 3));
      for (std::size_t k = 0; k < n; ++k) out += fill[k % fill.size()];
      i = close;
    } else if (pattern[i] == '\\' && i + 1 < pattern.size()) {
      out += pattern[i + 1] == 'n' ? '\n' : pattern[i + 1];
      ++i;
    } else {
      out += pattern[i];
    }
  }
  return out;
}

TEST(Rules, AtLeastOneHundredWithUniqueIdsAndKeywords) {
  const auto& rules = builtin_rules();
  EXPECT_GE(rules.size(), 100u);
  std::set<std::string> ids;
  for (const auto& r : rules) {
    EXPECT_TRUE(ids.insert(r.id).second) << "duplicate rule " << r.id;
    EXPECT_FALSE(r.keywords.empty()) << r.id;
    for (const auto& k : r.keywords) EXPECT_EQ(k, lower(k)) << r.id << ": keywords are lower case";
    EXPECT_FALSE(r.description.empty()) << r.id;
  }
}

TEST(Rules, EveryRuleHasASampleAndEverySampleARule) {
  std::set<std::string> sampled;
  for (const auto& s : load_samples()) sampled.insert(s.rule);
  std::set<std::string> ids;
  for (const auto& r : builtin_rules()) {
    ids.insert(r.id);
    EXPECT_TRUE(sampled.count(r.id)) << "no sample for rule " << r.id;
  }
  for (const auto& s : sampled) EXPECT_TRUE(ids.count(s)) << "sample for unknown rule " << s;
}

TEST(Rules, EverySampleIsFoundByItsRuleAndContainsAKeyword) {
  std::mt19937_64 rng(7);
  for (const auto& sample : load_samples()) {
    const Rule* rule = nullptr;
    for (const auto& r : builtin_rules())
      if (r.id == sample.rule) rule = &r;
    ASSERT_NE(rule, nullptr) << sample.rule;
    for (int round = 0; round < 5; ++round) {
      const std::string text = expand(sample.pattern, rng);
      const auto findings = scanner().scan(text);
      auto it = std::find_if(findings.begin(), findings.end(), [&](const Finding& f) { return f.rule == sample.rule; });
      ASSERT_NE(it, findings.end()) << sample.rule << " missed in: " << text;
      const std::string match = lower(text.substr(it->match_begin, it->match_end - it->match_begin));
      EXPECT_TRUE(std::any_of(rule->keywords.begin(), rule->keywords.end(),
                              [&](const std::string& k) { return match.find(k) != std::string::npos; }))
          << sample.rule << ": match without a keyword: " << match;
      EXPECT_LE(it->match_begin, it->secret_begin);
      EXPECT_LE(it->secret_end, it->match_end);
      EXPECT_EQ(scanner().scan_exhaustive(text), findings) << text;
    }
  }
}

TEST(Rules, PlaceholderShapesAreNotSecrets) {
  for (const auto& sample : load_samples()) {
    for (const std::string fill : {"x", "EXAMPLE", "*"}) {
      const std::string text = filled(sample.pattern, fill);
      EXPECT_EQ(scanner().scan(text), std::vector<Finding>{}) << sample.rule << " reports placeholder: " << text;
    }
  }
}

TEST(Rules, CommonLookAlikesAreNotSecrets) {
  const std::vector<std::string> clean = {
      "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
      "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      "password = \"${DB_PASSWORD}\"",
      "password: \"{{ .Values.db.password }}\"",
      "api_key: <token>",
      "self.password = get_password(user)",
      "password = os.environ[\"DB_PASSWORD\"]",
      "token = request.headers.get(\"X-Token\")",
      "const token = await getToken(request);",
      "secret_name = \"my-application-secret\"",
      "PASSWORD_MIN_LENGTH=12",
      "db_password: changeme",
      "DATABASE_URL=postgres://user:password@localhost:5432/app",
      "DATABASE_URL=postgres://app:${PGPASSWORD}@db:5432/app",
      "redis://localhost:6379/0",
      "https://user@example.com/path",
      "Authorization: Bearer <token>",
      "Authorization: Bearer $TOKEN",
      "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo\n-----END PUBLIC "
      "KEY-----",
      "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ\n-----END "
      "CERTIFICATE-----",
      "-----BEGIN RSA PRIVATE KEY-----\n-----END RSA PRIVATE KEY-----",
      "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
      "sk_live_XXXXXXXXXXXXXXXXXXXXXXXX",
      "the task list is at /tmp/tasks and the disk is full",
      "git clone https://github.com/gitleaks/gitleaks.git",
      "sha256:3f1c2a8d9e7b6a5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c",
      "commit 3f1c2a8d9e7b6a5c4d3e2f1a0b9c8d7e6f5a4b3c",
      "uuid: 123e4567-e89b-12d3-a456-426614174000",
      "eyJhbGciOiJIUzI1NiJ9",
      "key-value store",
      "password_reset_token_expiry_hours: 24",
  };
  for (const auto& text : clean) EXPECT_EQ(scanner().scan(text), std::vector<Finding>{}) << text;
  std::mt19937_64 rng(3);
  for (int i = 0; i < 200; ++i) {
    const std::string line = testing::filler_line(rng);
    EXPECT_EQ(scanner().scan(line), std::vector<Finding>{}) << line;
  }
}

TEST(Rules, PositionsAreOneBasedLineAndByteColumn) {
  const std::string text = "first line\n  x = 1\n\tGITHUB_TOKEN=ghp_R4nd0mT0k3nWithNoPatternq234abcdXYZ9\n";
  const auto findings = scanner().scan(text);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].rule, "github-pat");
  EXPECT_EQ(findings[0].line, 3u);
  EXPECT_EQ(findings[0].column, 15u);
}

}  // namespace
}  // namespace droid::runner::shield
