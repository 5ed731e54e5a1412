#include "file_feed.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "contract/egress_token.h"

namespace droid::egress {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

const std::string kKey(40, 'k');

json grant(const std::string& uid, const std::string& pod) {
  return {{"version", 1},
          {"session", {{"namespace", "ns"}, {"name", "s-" + uid}, {"uid", uid}}},
          {"podName", pod},
          {"expiresAt", "2200-01-01T00:00:00Z"},
          {"destinations",
           {{{"name", "llm"},
             {"kind", "http"},
             {"hosts", {"llm.test"}},
             {"scheme", "http"},
             {"credential", {{"type", "bearer"}, {"secretRef", {{"name", "llm-key"}, {"key", "api-key"}}}}}}}}};
}

std::string token_of(const std::string& uid, const std::string& pod) {
  return contract::egress_token(kKey, {"ns", "s-" + uid, uid, pod});
}

class FileFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("egress-feed-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_ / "secrets" / "llm-key");
    fs::create_directories(dir_ / "secrets" / "..data");  // as a Secret volume has
    std::ofstream(dir_ / "secrets" / "llm-key" / "api-key") << "sk-file\n";
    std::ofstream(dir_ / "key") << kKey << "\n";
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const json& doc) { std::ofstream(dir_ / "sessions.json") << doc.dump(); }
  json doc(const json& sessions) const {
    return {
        {"tokenKeyFile", (dir_ / "key").string()}, {"secretsDir", (dir_ / "secrets").string()}, {"sessions", sessions}};
  }
  std::string error_of(const json& d) {
    write(d);
    try {
      feed.load();
    } catch (const FileFeedError& e) {
      return e.what();
    }
    return "";
  }
  Refusal refusal(const std::string& token, const std::string& ip) const {
    return registry->identify(token, ip, Clock::now()).refusal;
  }

  fs::path dir_;
  std::shared_ptr<SessionRegistry> registry = std::make_shared<SessionRegistry>();
  FileFeed feed{(fs::temp_directory_path() /
                 ("egress-feed-" + std::to_string(::getpid()) + "-" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name()) /
                 "sessions.json")
                    .string(),
                std::make_shared<SessionTable>(registry)};
};

TEST_F(FileFeedTest, GrantsPodsSecretsAndTheKeyFromFiles) {
  write(doc(
      {{{"podIP", "10.0.0.1"}, {"grant", grant("a1", "p1")}}, {{"podIP", "10.0.0.2"}, {"grant", grant("b2", "p2")}}}));
  feed.load();
  const Identity id = registry->identify(token_of("a1", "p1"), "10.0.0.1", Clock::now());
  ASSERT_EQ(id.refusal, Refusal::None);
  EXPECT_EQ(id.session->destinations[0].credential.value, "sk-file");
  EXPECT_EQ(refusal(token_of("b2", "p2"), "10.0.0.2"), Refusal::None);
  EXPECT_EQ(refusal(token_of("b2", "p2"), "10.0.0.1"), Refusal::WrongSource);

  // The whole truth: b2 is no longer listed, and the Secret directory is gone.
  fs::remove_all(dir_ / "secrets" / "llm-key");
  write(doc({{{"podIP", "10.0.0.1"}, {"grant", grant("a1", "p1")}}}));
  feed.load();
  EXPECT_EQ(refusal(token_of("b2", "p2"), "10.0.0.2"), Refusal::Finished);
  EXPECT_EQ(registry->identify(token_of("a1", "p1"), "10.0.0.1", Clock::now()).session->destinations[0].unavailable,
            "credential: Secret llm-key not found");
}

TEST_F(FileFeedTest, ABadFileNamesTheFieldAndChangesNothing) {
  write(doc({{{"podIP", "10.0.0.1"}, {"grant", grant("a1", "p1")}}}));
  feed.load();
  json bad_grant = grant("c3", "p3");
  bad_grant["destinations"][0]["ports"] = {0};
  const std::vector<std::pair<json, std::string>> cases = {
      {doc({{{"podIP", "10.0.0.3"}, {"grant", bad_grant}}}), "sessions[0].grant: destinations[0].ports[0]: "},
      {doc({{{"grant", grant("c3", "p3")}}}), "sessions[0].podIP: "},
      {doc({{{"podIP", "10.0.0.3"}}}), "sessions[0].grant: "},
      {doc({{{"podIP", "10.0.0.3"}, {"grant", grant("c3", "p3")}, {"token", "x"}}}), "sessions[0].token: "},
      {doc({{{"podIP", "1"}, {"grant", grant("c3", "p3")}}, {{"podIP", "2"}, {"grant", grant("c3", "p4")}}}),
       "sessions[1].grant.session.uid: "},
      {doc(json::object()), "sessions: "},
      {json{{"tokenKey", "short"}, {"sessions", json::array()}}, "tokenKey: "},
      {json{{"sessions", json::array()}}, "tokenKey: "},
      {json{{"tokenKeyFile", (dir_ / "absent").string()}, {"sessions", json::array()}}, "cannot read"},
      {json{{"tokenKey", kKey}, {"secretsDir", (dir_ / "absent").string()}, {"sessions", json::array()}},
       "secretsDir: "},
      {json{{"tokenKey", kKey}, {"sessions", json::array()}, {"extra", 1}}, "extra: "},
      {json::array(), "sessions file: "},
  };
  for (const auto& [d, want] : cases) {
    const std::string error = error_of(d);
    EXPECT_NE(error.find(want), std::string::npos) << "wanted \"" << want << "\", got \"" << error << "\"";
    EXPECT_EQ(error.rfind((dir_ / "sessions.json").string() + ": ", 0), 0u) << error;
    EXPECT_EQ(refusal(token_of("a1", "p1"), "10.0.0.1"), Refusal::None) << "unchanged after: " << want;
  }
}

}  // namespace
}  // namespace droid::egress
