// Runs the real droid-runner binary: `settings merge` must print the effective
// settings, and nothing else, on stdout.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "process/subprocess.h"

namespace {

using droid::process::Result;

std::string write(const std::string& name, const std::string& text) {
  std::string path = ::testing::TempDir() + "settings_cli_" + name;
  std::ofstream(path) << text;
  return path;
}

// Runs droid-runner with `args` split on spaces (the test paths have none).
Result runner(const std::string& args) {
  std::vector<std::string> argv = {DROID_RUNNER};
  std::istringstream words(args);
  for (std::string w; words >> w;) argv.push_back(w);
  return droid::process::run(argv);
}

TEST(SettingsMergeCli, PrintsEffectiveSettingsOnly) {
  std::string org = write("org", R"({"maxAutonomyLevel": "medium", "commandBlocklist": ["rm -rf /"]})");
  std::string empty = write("empty", "{}");
  std::string user = write("user", R"({"maxAutonomyLevel": "high", "commandBlocklist": ["dd"]})");
  Result r = runner("settings merge " + org + " " + empty + " " + empty + " " + user);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out),
            nlohmann::json({{"maxAutonomyLevel", "medium"}, {"commandBlocklist", {"rm -rf /", "dd"}}}));
  EXPECT_NE(r.err.find("note: user sets maxAutonomyLevel to \"high\""), std::string::npos) << r.err;
}

TEST(SettingsMergeCli, ProvenanceNamesTheLevels) {
  std::string org = write("org2", R"({"commandBlocklist": ["rm -rf /"]})");
  std::string folder = write("folder2", R"({"commandBlocklist": ["dd"], "rules": ["be brief"]})");
  std::string empty = write("empty", "{}");
  Result r = runner("settings merge --provenance " + org + " " + empty + " " + folder + " " + empty);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(
      nlohmann::json::parse(r.out),
      nlohmann::json({{"commandBlocklist[0]", "org"}, {"commandBlocklist[1]", "folder"}, {"rules[0]", "folder"}}));
}

TEST(SettingsMergeCli, InvalidSettingsFailWithTheLevelFileAndField) {
  std::string bad = write("bad", R"({"shield": {"mode": "loud"}})");
  std::string empty = write("empty", "{}");
  Result r = runner("settings merge " + empty + " " + bad + " " + empty + " " + empty);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.out.empty());
  EXPECT_NE(r.err.find("error: project settings " + bad + ": shield.mode: must be one of"), std::string::npos) << r.err;
}

TEST(SettingsMergeCli, StrictRefusesUnknownFields) {
  std::string typo = write("typo", R"({"commandBlockList": ["rm"]})");
  std::string empty = write("empty", "{}");
  Result lax = runner("settings merge " + empty + " " + empty + " " + empty + " " + typo);
  EXPECT_EQ(lax.exit_code, 0);
  EXPECT_NE(lax.err.find("warning: user settings"), std::string::npos) << lax.err;
  Result strict = runner("settings merge --strict " + empty + " " + empty + " " + empty + " " + typo);
  EXPECT_EQ(strict.exit_code, 1);
  EXPECT_NE(strict.err.find("did you mean \"commandBlocklist\"?"), std::string::npos) << strict.err;
}

TEST(SettingsMergeCli, UsageErrors) {
  EXPECT_EQ(runner("settings merge a b c").exit_code, 2);
  EXPECT_EQ(runner("settings merge --bogus a b c d").exit_code, 2);
  EXPECT_EQ(runner("settings frobnicate").exit_code, 2);
  Result r = runner("settings merge /nonexistent/org.json /dev/null /dev/null /dev/null");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("/nonexistent/org.json: cannot read"), std::string::npos) << r.err;
}

}  // namespace
