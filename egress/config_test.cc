#include "config.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace droid::egress {
namespace {

using nlohmann::json;

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("egress-config-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    write("key", "sk-real\n");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& content) {
    const auto path = (dir_ / name).string();
    std::ofstream(path) << content;
    return path;
  }
  std::string error_of(const json& doc) {
    try {
      parse_config(doc);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "";
  }
  std::filesystem::path dir_;
};

TEST_F(ConfigTest, ReadsDestinationsAndTheirSecretsFromFiles) {
  const json doc = {{"listen", "0.0.0.0:3128"},
                    {"destinations",
                     {{{"name", "llm"},
                       {"hosts", {"litellm.llm.svc"}},
                       {"ports", {4000}},
                       {"methods", {"POST"}},
                       {"pathPrefixes", {"/v1/"}},
                       {"credential", {{"type", "bearer"}, {"file", (dir_ / "key").string()}}}},
                      {{"name", "git"}, {"hosts", {"git.corp"}}, {"git", {{"repositories", {"/team/app.git"}}}}}}}};
  const Config c = parse_config(doc);
  EXPECT_EQ(c.listen_port, 3128);
  ASSERT_EQ(c.destinations.size(), 2u);
  EXPECT_EQ(c.destinations[0].credential.type, CredentialType::Bearer);
  EXPECT_EQ(c.destinations[0].credential.value, "sk-real");
  EXPECT_TRUE(c.destinations[1].is_git());
}

TEST_F(ConfigTest, ErrorsNameTheField) {
  const json base = {{"name", "x"}, {"hosts", {"h"}}};
  auto with = [&](const char* key, json value) {
    json d = base;
    d[key] = std::move(value);
    return json{{"destinations", {d}}};
  };
  EXPECT_NE(error_of(json::object()).find("destinations"), std::string::npos);
  EXPECT_NE(error_of(with("hosts", {"a.*.b"})).find("destinations[0].hosts[0]"), std::string::npos);
  EXPECT_NE(error_of(with("hosts", json::array())).find("destinations[0].hosts"), std::string::npos);
  EXPECT_NE(error_of(with("ports", {0})).find("destinations[0].ports"), std::string::npos);
  EXPECT_NE(error_of(with("methods", {"post"})).find("upper-case"), std::string::npos);
  EXPECT_NE(error_of(with("pathPrefixes", {"v1/"})).find("pathPrefixes"), std::string::npos);
  EXPECT_NE(error_of(with("credential", {{"type", "token"}})).find("credential.type"), std::string::npos);
  EXPECT_NE(
      error_of(with("credential", {{"type", "bearer"}, {"file", (dir_ / "absent").string()}})).find("cannot read"),
      std::string::npos);
  EXPECT_NE(error_of(with("tls", {{"certFile", "c"}})).find("go together"), std::string::npos);
  EXPECT_NE(error_of({{"listen", "3128"}, {"destinations", json::array()}}).find("listen"), std::string::npos);
  EXPECT_NE(error_of({{"destinations", {base, base}}}).find("used twice"), std::string::npos);
  json tunnel = base;
  tunnel["tunnel"] = true;
  tunnel["credential"] = {{"type", "none"}};
  tunnel["git"] = {{"repositories", {"/a.git"}}};
  EXPECT_NE(error_of({{"destinations", {tunnel}}}).find("tunnel"), std::string::npos);
}

TEST_F(ConfigTest, SessionsFile) {
  SessionRegistry r;
  const std::string token(40, 'k');
  const std::string token_file = write("token", std::string(40, 't') + "\n");
  load_sessions(json::parse(R"([
    {"id": "ns/a", "token": ")" +
                            token + R"(", "podIP": "10.0.0.1", "expiresAt": "2200-01-01T00:00:00Z",
     "destinations": ["llm"], "pushBranch": "droid/a"},
    {"id": "ns/b", "tokenFile": ")" +
                            token_file + R"(", "podIP": "10.0.0.2",
     "expiresAt": "2200-01-01T00:00:00.5Z", "finished": true}])"),
                r);
  const auto id = r.identify(token, "10.0.0.1", Clock::now());
  ASSERT_EQ(id.refusal, Refusal::None);
  EXPECT_EQ(id.session->push_branch, "droid/a");
  EXPECT_EQ(r.identify(std::string(40, 't'), "10.0.0.2", Clock::now()).refusal, Refusal::Finished);
  // A session the file no longer lists is finished; a bad file changes nothing.
  try {
    load_sessions(
        json::parse(R"([{"id": "ns/c", "token": "x", "podIP": "1.2.3.4", "expiresAt": "2200-01-01T00:00:00Z"}])"), r);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("sessions[0].token"), std::string::npos) << e.what();
  }
  EXPECT_EQ(r.identify(token, "10.0.0.1", Clock::now()).refusal, Refusal::None);
  load_sessions(json::parse(R"([{"id": "ns/b", "tokenFile": ")" + token_file +
                            R"(", "podIP": "10.0.0.2", "expiresAt": "2200-01-01T00:00:00Z"}])"),
                r);
  EXPECT_EQ(r.identify(token, "10.0.0.1", Clock::now()).refusal, Refusal::Finished);
  EXPECT_EQ(r.identify(std::string(40, 't'), "10.0.0.2", Clock::now()).refusal, Refusal::None);
  try {
    load_sessions(
        json::parse(R"([{"id": "ns/c", "token": ")" + token + R"(", "podIP": "1.2.3.4", "expiresAt": "tomorrow"}])"),
        r);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("sessions[0].expiresAt"), std::string::npos) << e.what();
  }
}

TEST(Rfc3339, ParsesUtc) {
  EXPECT_EQ(Clock::to_time_t(parse_rfc3339("1970-01-02T00:00:00Z")), 86400);
  EXPECT_THROW(parse_rfc3339("1970-01-02T00:00:00+01:00"), std::invalid_argument);
  EXPECT_THROW(parse_rfc3339("yesterday"), std::invalid_argument);
}

}  // namespace
}  // namespace droid::egress
