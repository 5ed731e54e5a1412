// Runs the real droid-runner binary: `shield scan` prints one JSON line per
// finding, exits 1/0/2, and never prints a secret.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "process/subprocess.h"

namespace {

using droid::process::Result;

const std::string kPat = "ghp_R4nd0mT0k3nWithNoPatternq234abcdXYZ9";
const std::string kAws = "AKIAZ5E7AYF3BQ4KCWRT";
const std::string kPassword = "pQ7vL2mX9kR4tZ8w";
const std::string kKnown = "gw-7Hq2pX9LmZ4rT8vK3nB6";

std::string write(const std::string& name, const std::string& text) {
  std::string path = ::testing::TempDir() + "shield_cli_" + name;
  std::ofstream(path) << text;
  return path;
}

Result shield(const std::vector<std::string>& args, const std::string& input = {}) {
  std::vector<std::string> argv = {DROID_RUNNER, "shield"};
  argv.insert(argv.end(), args.begin(), args.end());
  return droid::process::run(argv, input);
}

std::vector<nlohmann::json> lines(const std::string& out) {
  std::vector<nlohmann::json> result;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) result.push_back(nlohmann::json::parse(line));
  return result;
}

void expect_no_secret(const Result& r) {
  for (const auto& s : {kPat, kAws, kPassword, kKnown}) {
    EXPECT_EQ(r.out.find(s), std::string::npos) << "secret on stdout: " << r.out;
    EXPECT_EQ(r.err.find(s), std::string::npos) << "secret on stderr: " << r.err;
    EXPECT_EQ(r.out.find(s.substr(4, 12)), std::string::npos) << "part of a secret on stdout: " << r.out;
  }
}

TEST(ShieldScanCli, ReportsEachFindingAsAJsonLine) {
  const std::string file = write("leaky.env", "# config\nGITHUB_TOKEN=" + kPat + "\n\n  aws_access_key_id = " + kAws +
                                                  "\nDB_PASSWORD=\"" + kPassword + "\"\n");
  const Result r = shield({"scan", file});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  const auto found = lines(r.out);
  ASSERT_EQ(found.size(), 3u) << r.out;
  EXPECT_EQ(found[0]["rule"], "github-pat");
  EXPECT_EQ(found[0]["line"], 2);
  EXPECT_EQ(found[0]["column"], 14);
  EXPECT_EQ(found[1]["rule"], "aws-access-key-id");
  EXPECT_EQ(found[1]["line"], 4);
  EXPECT_EQ(found[1]["column"], 23);
  EXPECT_EQ(found[2]["rule"], "password-assignment");
  EXPECT_EQ(found[2]["line"], 5);
  for (const auto& f : found) {
    EXPECT_EQ(f["match"].get<std::string>().find('\n'), std::string::npos) << f;
    EXPECT_TRUE(f["description"].is_string());
    EXPECT_NE(f["match"].get<std::string>().find("[REDACTED:" + f["rule"].get<std::string>() + ":"), std::string::npos)
        << f;
  }
  EXPECT_NE(found[2]["match"].get<std::string>().find("PASSWORD=\"[REDACTED:"), std::string::npos) << found[2];
  expect_no_secret(r);
}

TEST(ShieldScanCli, CleanInputExitsZeroAndReadsStdin) {
  const Result r = shield({"scan", "-"}, "just some code\nconst token = getToken();\n");
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.out, "");
  const Result dirty = shield({"scan", "-"}, "export GH=" + kPat + "\n");
  EXPECT_EQ(dirty.exit_code, 1) << dirty.describe();
  expect_no_secret(dirty);
}

TEST(ShieldScanCli, CustomPatternsAndKnownSecrets) {
  const std::string settings = write("settings.json", R"j({"shield": {"enabled": false, "customPatterns": [
      {"name": "acme-key", "regex": "ak_[0-9a-f]{16}", "keywords": ["ak_"]}]}})j");
  const std::string known = write("known", kKnown + "\n");
  const std::string file = write("custom.txt", "key ak_0123fedcba987654\nauth " + kKnown + "\n");
  const Result r = shield({"scan", "--settings", settings, "--known-secrets", known, file});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  const auto found = lines(r.out);
  ASSERT_EQ(found.size(), 2u) << r.out;
  EXPECT_EQ(found[0]["rule"], "acme-key");
  EXPECT_EQ(found[0]["column"], 5);
  EXPECT_EQ(found[1]["rule"], "known-secret");
  EXPECT_EQ(found[1]["line"], 2);
  EXPECT_EQ(r.out.find("ak_0123fedcba987654"), std::string::npos);
  expect_no_secret(r);
}

TEST(ShieldScanCli, UsageErrorsExitTwo) {
  EXPECT_EQ(shield({}).exit_code, 2);
  EXPECT_EQ(shield({"scan"}).exit_code, 2);
  EXPECT_EQ(shield({"scan", "--bogus", "x"}).exit_code, 2);
  EXPECT_EQ(shield({"scan", "a", "b"}).exit_code, 2);
  EXPECT_EQ(shield({"scan", "/nonexistent/file"}).exit_code, 2);
  EXPECT_EQ(shield({"scan", "--settings"}).exit_code, 2);
  const std::string bad =
      write("bad.json", R"j({"shield": {"customPatterns": [{"name": "x", "regex": "(unclosed"}]}})j");
  const Result r = shield({"scan", "--settings", bad, write("empty", "")});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_EQ(shield({"scan", "--help"}).exit_code, 0);
}

}  // namespace
