#include "shield/shield.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace droid::runner::shield {
namespace {

const HashKey kKey = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6};
const std::string kPat = "ghp_R4nd0mT0k3nWithNoPatternq234abcdXYZ9";
const std::string kRunnerKey = "gw-7Hq2pX9LmZ4rT8vK3nB6";  // no built-in rule knows this shape

nlohmann::json settings(const char* text) { return nlohmann::json::parse(text); }

TEST(Shield, BlockModeIsTheDefault) {
  const Shield s(nlohmann::json::object(), {}, kKey);
  EXPECT_EQ(s.mode(), Mode::kBlock);
  const Verdict v = s.check("push with " + kPat);
  EXPECT_TRUE(v.blocked);
  ASSERT_EQ(v.findings.size(), 1u);
  EXPECT_EQ(v.text.find(kPat), std::string::npos);
  EXPECT_FALSE(s.check("nothing to see").blocked);
}

TEST(Shield, RedactModeReplacesAndLetsThrough) {
  const Shield s(settings(R"j({"shield": {"mode": "redact"}})j"), {}, kKey);
  const Verdict v = s.check("token " + kPat + " twice " + kPat);
  EXPECT_FALSE(v.blocked);
  const std::string p = s.redactor().placeholder("github-pat", kPat);
  EXPECT_EQ(v.text, "token " + p + " twice " + p);
}

TEST(Shield, KnownSecretsAreRedactedWhateverTheSettings) {
  for (const char* config : {R"j({})j", R"j({"shield": {"mode": "redact"}})j", R"j({"shield": {"enabled": false}})j"}) {
    const Shield s(settings(config), {kRunnerKey, "short"}, kKey);
    const Verdict v = s.check("curl -H 'x-key: " + kRunnerKey + "' and short " + kPat);
    EXPECT_EQ(v.text.find(kRunnerKey), std::string::npos) << config;
    EXPECT_NE(v.text.find("[REDACTED:known-secret:"), std::string::npos) << config;
    EXPECT_NE(v.text.find("short"), std::string::npos) << "too-short known secrets are ignored";
  }
  const Shield off(settings(R"j({"shield": {"enabled": false}})j"), {kRunnerKey}, kKey);
  const Verdict v = off.check("the token is " + kPat);
  EXPECT_TRUE(v.findings.empty()) << "a disabled shield only knows the runner's secrets";
  EXPECT_FALSE(off.enabled());
}

TEST(Shield, CustomPatternsFromSettings) {
  const Shield s(settings(R"j({"shield": {"mode": "redact", "customPatterns": [
      {"name": "acme-key", "regex": "acme_key=(ak_[0-9a-f]{16})", "keywords": ["acme_key"], "description": "ACME"},
      {"name": "ticket", "regex": "TICKET-[0-9]{6}"}]}})j"),
                 {}, kKey);
  const Verdict v = s.check("acme_key=ak_0123fedcba987654 and TICKET-123456");
  ASSERT_EQ(v.findings.size(), 2u);
  EXPECT_EQ(v.findings[0].rule, "acme-key");
  EXPECT_EQ(v.findings[0].secret_end - v.findings[0].secret_begin, 19u);
  EXPECT_EQ(v.findings[1].rule, "ticket");
  EXPECT_EQ(v.text, "acme_key=" + s.redactor().placeholder("acme-key", "ak_0123fedcba987654") + " and " +
                        s.redactor().placeholder("ticket", "TICKET-123456"));
  EXPECT_TRUE(s.check("no acme here: ak_0123fedcba987654").findings.empty());
}

TEST(Shield, BadCustomRegexIsAnError) {
  EXPECT_THROW(Shield(settings(R"j({"shield": {"customPatterns": [{"name": "x", "regex": "(unclosed"}]}})j"), {}, kKey),
               std::invalid_argument);
}

}  // namespace
}  // namespace droid::runner::shield
