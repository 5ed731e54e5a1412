#include "session/session_settings.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace droid::runner::session {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Repo {
  fs::path root;
  Repo() {
    std::string t = "/tmp/session-settings-XXXXXX";
    root = ::mkdtemp(t.data());
  }
  ~Repo() { fs::remove_all(root); }
  void put(const std::string& dir, const std::string& text) {
    fs::create_directories(root / dir / ".factory");
    std::ofstream(root / dir / ".factory" / "settings.json") << text;
  }
};

TEST(RepositoryLayers, ProjectThenEachFolderOnTheWayToTheSubPath) {
  Repo r;
  r.put("", R"({"rules": ["project rule"]})");
  r.put("services", R"({"rules": ["services rule"]})");
  r.put("services/api", R"({"rules": ["api rule"], "commandDenylist": ["make deploy"]})");
  r.put("other", R"({"rules": ["not on the path"]})");
  std::vector<std::string> errors;
  const auto layers = repository_layers(r.root.string(), "services/api/", errors);
  ASSERT_TRUE(errors.empty()) << errors[0];
  ASSERT_EQ(layers.size(), 3u);
  EXPECT_EQ(layers[0].name, "project");
  EXPECT_EQ(layers[1].name, "folder:services");
  EXPECT_EQ(layers[2].name, "folder:services/api");

  std::vector<Layer> all = {{"org", json{{"rules", {"org rule"}}, {"commandBlocklist", {"curl"}}}}};
  all.insert(all.end(), layers.begin(), layers.end());
  all.push_back({"user", json{{"rules", {"user rule"}}}});
  const settings::Merged m = merge_layers(all, errors);
  ASSERT_TRUE(errors.empty());
  EXPECT_EQ(m.settings["rules"], json({"org rule", "project rule", "services rule", "api rule", "user rule"}));
  EXPECT_EQ(m.settings["commandBlocklist"], json({"curl"}));
}

TEST(RepositoryLayers, ASubPathLeavingTheRepositoryAndAnInvalidFileAreErrors) {
  Repo r;
  r.put("", R"({"maxAutonomyLevel": "sometimes"})");
  std::vector<std::string> errors;
  repository_layers(r.root.string(), "../etc", errors);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_NE(errors[0].find("maxAutonomyLevel"), std::string::npos) << errors[0];
  EXPECT_NE(errors[1].find("repository.subPath"), std::string::npos) << errors[1];
}

TEST(Resolve, ModelAndAutonomyComeFromDefaultsAndStayWithinTheSettings) {
  const json s = {{"sessionDefaults", {{"model", "qwen"}, {"autonomyLevel", "low"}}},
                  {"models", {{"denied", {"gpt-4o"}}}},
                  {"maxAutonomyLevel", "medium"}};
  std::string error;
  EXPECT_EQ(resolve_model(s, "", error), "qwen");
  EXPECT_EQ(resolve_model(s, "llama", error), "llama");
  EXPECT_EQ(resolve_model(s, "gpt-4o", error), "");
  EXPECT_NE(error.find("gpt-4o"), std::string::npos) << error;
  EXPECT_EQ(resolve_model(json::object(), "", error), "");
  EXPECT_NE(error.find("--model"), std::string::npos) << error;

  EXPECT_EQ(resolve_autonomy(s, "", error), policy::Autonomy::Low);
  EXPECT_EQ(resolve_autonomy(s, "medium", error), policy::Autonomy::Medium);
  EXPECT_FALSE(resolve_autonomy(s, "high", error));
  EXPECT_NE(error.find("medium"), std::string::npos) << error;
  EXPECT_FALSE(resolve_autonomy(s, "extreme", error));
  EXPECT_EQ(resolve_autonomy(json::object(), "", error), policy::Autonomy::Off);
}

}  // namespace
}  // namespace droid::runner::session
