#include "session/session_gateway.h"

#include <gtest/gtest.h>

#include "llm/error.h"

namespace droid::runner::session {
namespace {

using nlohmann::json;
using std::chrono::seconds;

json entry(json extra = json::object()) {
  json g = {{"name", "litellm"},
            {"provider", "openai"},
            {"baseURL", "http://litellm.llm:4000/v1"},
            {"credentialsFile", "/var/run/droid/gateway/api-key"}};
  g.update(extra);
  return g;
}

std::string error_of(const json& g) {
  try {
    gateway_config(g);
  } catch (const llm::ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(SessionGateway, DefaultsWithoutTimeouts) {
  const llm::GatewayConfig c = gateway_config(entry());
  EXPECT_EQ(c.provider, llm::Provider::OpenAI);
  EXPECT_EQ(c.base_url, "http://litellm.llm:4000/v1");
  EXPECT_EQ(c.auth, llm::AuthScheme::Default);
  EXPECT_EQ(c.connect_timeout, seconds(10));
  EXPECT_EQ(c.idle_timeout, seconds(60));
  EXPECT_EQ(c.request_timeout, seconds(300));
}

TEST(SessionGateway, TimeoutsFromTheOrgPolicyEntry) {
  // A gateway that queues requests under its rate limits for 90 s before answering.
  const llm::GatewayConfig c =
      gateway_config(entry({{"timeouts", {{"connectSeconds", 3}, {"idleSeconds", 180}, {"totalSeconds", 900}}}}));
  EXPECT_EQ(c.connect_timeout, seconds(3));
  EXPECT_EQ(c.idle_timeout, seconds(180));
  EXPECT_EQ(c.request_timeout, seconds(900));
  // One given, the others keep their defaults.
  EXPECT_EQ(gateway_config(entry({{"timeouts", {{"idleSeconds", 120}}}})).connect_timeout, seconds(10));

  EXPECT_NE(error_of(entry({{"timeouts", {{"idleSeconds", 0}}}})).find("gateway.timeouts.idleSeconds"),
            std::string::npos);
  EXPECT_NE(error_of(entry({{"timeouts", {{"connectSeconds", "10s"}}}})).find("gateway.timeouts.connectSeconds"),
            std::string::npos);
  EXPECT_NE(error_of(entry({{"timeouts", 30}})).find("gateway.timeouts must be an object"), std::string::npos);
}

TEST(SessionGateway, NoKeyFailsNamingTheSettingUnlessTheGatewayNeedsNone) {
  json g = entry();
  g.erase("credentialsFile");
  const std::string e = error_of(g);
  EXPECT_NE(e.find("\"litellm\" has no API key"), std::string::npos) << e;
  EXPECT_NE(e.find("credentialsSecretRef"), std::string::npos) << e;
  EXPECT_NE(e.find("auth: none"), std::string::npos) << e;

  g["auth"] = "none";
  EXPECT_EQ(gateway_config(g).auth, llm::AuthScheme::None);
  EXPECT_NE(error_of(entry({{"auth", "none"}})).find("remove one of them"), std::string::npos);
  EXPECT_EQ(gateway_config(entry({{"auth", "bearer"}, {"provider", "anthropic"}})).auth, llm::AuthScheme::Bearer);
  EXPECT_NE(error_of(entry({{"auth", "basic"}})).find("expected bearer, x-api-key or none"), std::string::npos);
}

}  // namespace
}  // namespace droid::runner::session
