#include "contract/session_config.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace droid::contract {
namespace {

using json = nlohmann::json;

SessionConfig sample() {
  SessionConfig c;
  c.session = {"fix-1", "team-a", "u-1", 2};
  c.requester = Requester{"alice@example.com", "u-alice", {"devs", "system:authenticated"}};
  c.prompt = "fix the build";
  c.model = "gpt-x";
  c.autonomy_level = "medium";
  c.reasoning_effort = "high";
  c.environment = "ci";
  c.timeout_seconds = 900;
  c.max_turns = 20;
  c.token_budget = 5000;
  c.gateway = Gateway{"vllm",
                      "openai",
                      "https://vllm.ai.svc:8443/v1",
                      {"gpt-x"},
                      "",
                      "/var/run/droid/gateway/api-key",
                      "/var/run/droid/gateway/ca.crt",
                      "x-api-key",
                      5,
                      30,
                      600};
  c.repository = Repository{"https://git.example/app.git", "main", "svc/api"};
  c.push_branch = "droid/fix-1";
  c.approvals = {{"make deploy", "bob", "2026-12-01T10:00:00Z", "ok"}};
  c.approval_wait_seconds = 600;
  c.earlier_runs = {{1, "ran the tests; waits for make deploy", "make deploy", "ApprovalWaitExpired"}};
  c.telemetry = Telemetry{"http://otel.observability:4318", "http/protobuf", {{"droid.team", "payments"}}};
  c.policy = {{"default", "strict"}, "abc123"};
  return c;
}

TEST(SessionConfig, RoundTripsEveryField) {
  const SessionConfig c = sample();
  const auto d = decode_session_config(encode(c));
  ASSERT_TRUE(d.config) << d.error;
  EXPECT_EQ(*d.config, c);

  SessionConfig minimal;
  minimal.session = {"s", "ns", "u", 1};
  const auto m = decode_session_config(encode(minimal));
  ASSERT_TRUE(m.config) << m.error;
  EXPECT_EQ(*m.config, minimal);
  EXPECT_FALSE(m.config->requester);
  EXPECT_FALSE(m.config->gateway);
  EXPECT_EQ(m.config->approval_wait_seconds, 0);
  EXPECT_FALSE(json::parse(encode(minimal)).contains("approvalWaitSeconds"));
}

// The wire format the runner has read since before the version existed: the
// same keys, and the requester as the object status.requester is.
TEST(SessionConfig, WritesTheVersionAndTheDocumentedKeys) {
  const json j = json::parse(encode(sample()));
  EXPECT_EQ(j["version"], "droid.dev/session-config/v1");
  EXPECT_EQ(j["session"]["runAttempt"], 2);
  EXPECT_EQ(j["requester"]["username"], "alice@example.com");
  EXPECT_EQ(j["requester"]["groups"][0], "devs");
  EXPECT_EQ(j["gateway"]["baseURL"], "https://vllm.ai.svc:8443/v1");
  EXPECT_EQ(j["gateway"]["credentialsFile"], "/var/run/droid/gateway/api-key");
  EXPECT_EQ(j["gateway"]["auth"], "x-api-key");
  EXPECT_EQ(j["gateway"]["timeouts"], json({{"connectSeconds", 5}, {"idleSeconds", 30}, {"totalSeconds", 600}}));
  EXPECT_EQ(j["repository"]["subPath"], "svc/api");
  EXPECT_EQ(j["output"]["pushBranch"], "droid/fix-1");
  EXPECT_EQ(j["approvals"][0]["command"], "make deploy");
  EXPECT_EQ(j["telemetry"]["otlpEndpoint"], "http://otel.observability:4318");
  EXPECT_EQ(j["tokenBudget"], 5000);
  EXPECT_EQ(j["approvalWaitSeconds"], 600);
  EXPECT_EQ(j["earlierRuns"][0], json({{"runAttempt", 1},
                                       {"summary", "ran the tests; waits for make deploy"},
                                       {"approvedCommand", "make deploy"},
                                       {"endReason", "ApprovalWaitExpired"}}));
  EXPECT_FALSE(j["repository"].contains("credentialsSecretRef"));
}

TEST(SessionConfig, ReadsADocumentWithoutVersionAsV1) {
  const auto d = decode_session_config(R"({"session": {"name": "s", "namespace": "ns", "uid": "u"},
      "prompt": "p", "model": "m", "autonomyLevel": "low", "timeoutSeconds": 60, "gateway": null})");
  ASSERT_TRUE(d.config) << d.error;
  EXPECT_EQ(d.config->prompt, "p");
  EXPECT_EQ(d.config->timeout_seconds, 60);
  EXPECT_EQ(d.config->session.run_attempt, 1);
  EXPECT_EQ(d.config->environment, "sandbox");
  EXPECT_FALSE(d.config->gateway);
}

TEST(SessionConfig, RefusesAnotherVersionAndNamesAFieldOfTheWrongType) {
  auto d = decode_session_config(R"({"version": "droid.dev/session-config/v2"})");
  EXPECT_FALSE(d.config);
  EXPECT_NE(d.error.find("unsupported version \"droid.dev/session-config/v2\""), std::string::npos) << d.error;

  d = decode_session_config("[1]");
  EXPECT_FALSE(d.config);
  EXPECT_NE(d.error.find("not a JSON object"), std::string::npos) << d.error;

  d = decode_session_config(R"({"timeoutSeconds": "600"})");
  EXPECT_EQ(d.error, "session.json: timeoutSeconds: must be an integer");

  // The bug the typed contract found: the requester is an object, never a string.
  d = decode_session_config(R"({"requester": "alice"})");
  EXPECT_EQ(d.error, "session.json: requester: must be an object");

  d = decode_session_config(R"({"gateway": {"models": ["a", 1]}})");
  EXPECT_EQ(d.error, "session.json: gateway.models: must be a list of strings");

  d = decode_session_config(R"({"approvals": [{"command": "ls"}, {"approvedBy": "bob"}]})");
  EXPECT_EQ(d.error, "session.json: approvals[1].command: must be set");

  d = decode_session_config(R"({"approvalWaitSeconds": -1})");
  EXPECT_EQ(d.error, "session.json: approvalWaitSeconds: must not be negative");

  d = decode_session_config(R"({"earlierRuns": [{"runAttempt": 1, "summary": 7}]})");
  EXPECT_EQ(d.error, "session.json: earlierRuns[0].summary: must be a string");

  d = decode_session_config(R"({"telemetry": {"resourceAttributes": {"team": 3}}})");
  EXPECT_EQ(d.error, "session.json: telemetry.resourceAttributes.team: must be a string");
}

TEST(SessionConfig, IgnoresUnknownFields) {
  const auto d = decode_session_config(R"({"version": "droid.dev/session-config/v1", "prompt": "p",
      "somethingNew": {"x": 1}, "gateway": {"baseURL": "http://g", "newKnob": true}})");
  ASSERT_TRUE(d.config) << d.error;
  EXPECT_EQ(d.config->gateway->base_url, "http://g");
}

}  // namespace
}  // namespace droid::contract
