#include "resources/egress_grant.h"

#include <gtest/gtest.h>

#include "contract/egress_grant.h"

namespace droid::op {
namespace {

using json = nlohmann::json;

SessionRef session() {
  SessionRef s{"fix-bug",
               "team-a",
               "6f1c2d3e-aaaa-bbbb-cccc-000011112222",
               {{"prompt", "fix the bug"},
                {"model", "qwen"},
                {"repository", {{"url", "http://git-server.droid-testbed.svc:8080/sample.git"}}},
                {"output", {{"pushBranch", "droid/fix-bug"}}}},
               "fix the bug"};
  s.run_attempt = 2;
  s.egress = EgressRoute{"droid-egress.droid-system.svc:3128", "droid-system", "token"};
  return s;
}

const json kGit = {{"name", "git"},
                   {"kind", "git"},
                   {"hosts", {"git-server.droid-testbed.svc"}},
                   {"ports", {8080}},
                   {"scheme", "http"},
                   {"repositories", {"/sample.git"}},
                   {"credentialType", "basic"},
                   {"credentialsSecretRef", {{"name", "git-push"}, {"key", "userpass"}}}};
const json kMirror = {{"name", "pypi"}, {"kind", "tunnel"}, {"hosts", {"*.Mirror.corp"}}, {"ports", {443}}};

policy::EffectivePolicy org() {
  return policy::resolve({{"baseline",
                           {{"gateways",
                             {{{"name", "scripted"},
                               {"provider", "openai"},
                               {"baseURL", "https://llm.example:4000/v1"},
                               {"credentialsSecretRef", {{"name", "gateway-key"}, {"namespace", "droid-system"}}},
                               {"caBundleSecretRef", {{"name", "llm-ca"}}}}}},
                            {"telemetry", {{"otlpEndpoint", "http://otel-collector.obs.svc:4318"}}},
                            {"egress", {{"destinations", {kGit, kMirror}}}}}}});
}

TEST(EgressGrant, ListsExactlyThePolicysDestinationsAndThePushBranch) {
  const auto policy = org();
  const auto plan = policy::plan_session(session().spec, policy, 0);
  const json grant = egress_grant(session(), policy, plan, "2026-12-07T08:00:00Z");
  EXPECT_EQ(grant["version"], 1);
  EXPECT_EQ(grant["session"], json({{"namespace", "team-a"}, {"name", "fix-bug"}, {"uid", session().uid}}));
  EXPECT_EQ(grant["podName"], "fix-bug-runner-2") << "the token is for this run's pod";
  EXPECT_EQ(grant["expiresAt"], "2026-12-07T08:00:00Z");
  EXPECT_EQ(grant["finished"], false);
  EXPECT_EQ(grant["pushBranch"], "droid/fix-bug");
  const json expected =
      json::array({{{"name", "gateway-scripted"},
                    {"kind", "http"},
                    {"hosts", {"llm.example"}},
                    {"ports", {4000}},
                    {"scheme", "https"},
                    {"methods", {"POST", "GET"}},
                    {"pathPrefixes", {"/v1/"}},
                    {"credential", {{"type", "bearer"}, {"secretRef", {{"name", "gateway-key"}, {"key", "api-key"}}}}},
                    {"caBundleSecretRef", {{"name", "llm-ca"}, {"key", "ca.crt"}}}},
                   {{"name", "telemetry"},
                    {"kind", "http"},
                    {"hosts", {"otel-collector.obs.svc"}},
                    {"ports", {4318}},
                    {"scheme", "http"},
                    {"methods", {"POST"}},
                    {"pathPrefixes", {"/"}}},
                   {{"name", "git"},
                    {"kind", "git"},
                    {"hosts", {"git-server.droid-testbed.svc"}},
                    {"ports", {8080}},
                    {"repositories", {"/sample.git"}},
                    {"scheme", "http"},
                    {"credential", {{"type", "basic"}, {"secretRef", {{"name", "git-push"}, {"key", "userpass"}}}}}},
                   {{"name", "pypi"}, {"kind", "tunnel"}, {"hosts", {"*.mirror.corp"}}, {"ports", {443}}}});
  EXPECT_EQ(grant["destinations"], expected) << grant["destinations"].dump(2);
  // What the gateway reads: the contract's parser accepts it and gives the same back.
  const contract::EgressGrant parsed = contract::egress_grant_from_json(grant);
  EXPECT_EQ(parsed.identity, (contract::EgressIdentity{"team-a", "fix-bug", session().uid, "fix-bug-runner-2"}));
  EXPECT_EQ(parsed.push_branch, "droid/fix-bug");
  ASSERT_EQ(parsed.destinations.size(), 4U);
  EXPECT_EQ(parsed.destinations[2].credential_type, contract::CredentialType::Basic);
  EXPECT_EQ(parsed.destinations[2].credential_ref, (contract::SecretKeyRef{"git-push", "userpass"}));
  EXPECT_EQ(contract::to_json(parsed)["destinations"], grant["destinations"]) << contract::to_json(parsed).dump(2);
}

TEST(EgressGrant, OnlyTheSessionsGatewayAndTheProvidersDefaultHeader) {
  auto policy = policy::resolve(
      {{"p",
        {{"gateways",
          {{{"name", "claude"},
            {"provider", "anthropic"},
            {"baseURL", "http://anthropic-proxy.llm"},
            {"models", {"claude"}},
            {"credentialsSecretRef", {{"name", "k"}, {"key", "token"}}}},
           {{"name", "vllm"}, {"provider", "openai"}, {"baseURL", "http://vllm:8000/v1"}, {"auth", "none"}}}}}}});
  json spec = {{"prompt", "x"}, {"model", "claude"}};
  const json ds = egress_destinations(policy, policy::plan_session(spec, policy, 0));
  ASSERT_EQ(ds.size(), 1u) << ds.dump();
  EXPECT_EQ(ds[0]["name"], "gateway-claude");
  EXPECT_EQ(ds[0]["ports"], json({80}));
  EXPECT_EQ(ds[0]["pathPrefixes"], json({"/"}));
  EXPECT_EQ(ds[0]["credential"], json({{"type", "x-api-key"}, {"secretRef", {{"name", "k"}, {"key", "token"}}}}));
  spec["model"] = "other";
  const json vllm = egress_destinations(policy, policy::plan_session(spec, policy, 0));
  ASSERT_EQ(vllm.size(), 1u);
  EXPECT_FALSE(vllm[0].contains("credential")) << "auth none: nothing to inject";
}

TEST(EgressGrant, HttpsOrGrpcTelemetryIsATunnel) {
  const auto tunnel = [](const json& telemetry) {
    const auto policy = policy::resolve({{"p", {{"telemetry", telemetry}}}});
    return egress_destinations(policy, policy::plan_session({{"prompt", "x"}}, policy, 0));
  };
  EXPECT_EQ(tunnel({{"otlpEndpoint", "https://otel.obs:4318"}}),
            json::array({{{"name", "telemetry"}, {"kind", "tunnel"}, {"hosts", {"otel.obs"}}, {"ports", {4318}}}}));
  EXPECT_EQ(tunnel({{"otlpEndpoint", "http://otel.obs:4317"}, {"protocol", "grpc"}})[0]["kind"], "tunnel");
}

TEST(EgressGrant, ConfigMapInTheOperatorsNamespaceLabelledForTheGateway) {
  const json cm = build_egress_grant(session(), "droid-system", json{{"version", 1}});
  EXPECT_EQ(cm["metadata"]["name"], "droid-egress-" + session().uid);
  EXPECT_EQ(cm["metadata"]["namespace"], "droid-system");
  EXPECT_EQ(cm["metadata"]["labels"]["app.kubernetes.io/component"], "egress-grant");
  EXPECT_EQ(cm["metadata"]["labels"]["droid.dev/session"], "fix-bug");
  EXPECT_EQ(cm["metadata"]["labels"]["droid.dev/session-namespace"], "team-a");
  EXPECT_FALSE(cm["metadata"].contains("ownerReferences")) << "no owner across namespaces";
  EXPECT_EQ(json::parse(cm["data"]["grant.json"].get<std::string>()), json({{"version", 1}}));
}

TEST(EgressGrant, SecretsInAnotherNamespaceAreAPolicyProblem) {
  const json spec = {{"gateways",
                      {{{"name", "a"}, {"credentialsSecretRef", {{"name", "k"}, {"namespace", "droid-system"}}}},
                       {{"name", "b"}, {"caBundleSecretRef", {{"name", "ca"}, {"namespace", "llm"}}}}}}};
  const auto problems = egress_policy_problems(spec, "droid-system");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].rfind("spec.gateways[1].caBundleSecretRef.namespace: the egress gateway reads Secrets in "
                              "droid-system only",
                              0),
            0u)
      << problems[0];
  EXPECT_TRUE(egress_policy_problems(json::object(), "droid-system").empty());
}

TEST(EgressGrant, SessionRefusals) {
  const auto policy = org();
  const auto reasons = [&](const json& repository) {
    std::vector<std::string> out;
    const json spec = {{"model", "qwen"}, {"repository", repository}};
    for (const auto& r : egress_session_refusals(spec, policy, policy::plan_session(spec, policy, 0), "droid-system"))
      out.push_back(r.reason + " " + r.field);
    return out;
  };
  EXPECT_TRUE(reasons({{"url", "http://git-server.droid-testbed.svc:8080/sample.git"}}).empty());
  const json plain = {{"prompt", "no repository"}, {"model", "qwen"}};
  EXPECT_TRUE(egress_session_refusals(plain, policy, policy::plan_session(plain, policy, 0), "droid-system").empty());
  const auto elsewhere = egress_session_refusals(plain, policy, policy::plan_session(plain, policy, 0), "droid-ops");
  ASSERT_EQ(elsewhere.size(), 1u) << "the gateway key is in droid-system, the gateway runs in droid-ops";
  EXPECT_EQ(elsewhere[0].reason, "GatewaySecretUnreachable");
  EXPECT_EQ(reasons({{"url", "http://git-server.droid-testbed.svc:8080/sample.git"},
                     {"credentialsSecretRef", {{"name", "git"}}}}),
            std::vector<std::string>{"RepositoryCredentialsNotAllowed spec.repository.credentialsSecretRef"});
  for (const char* bad : {"ssh://git@git-server.droid-testbed.svc/sample.git", "git@host:sample.git",
                          "http://git-server.droid-testbed.svc:8080/other.git",
                          "http://git-server.droid-testbed.svc/sample.git", "https://elsewhere:8080/sample.git"})
    EXPECT_EQ(reasons({{"url", bad}}), std::vector<std::string>{"RepositoryNotAllowed spec.repository.url"}) << bad;
}

}  // namespace
}  // namespace droid::op
