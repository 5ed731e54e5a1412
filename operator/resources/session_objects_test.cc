#include "resources/session_objects.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "reconcile/approval_channel.h"

namespace droid::op {
namespace {

using json = nlohmann::json;

SessionRef session() {
  SessionRef s{
      "fix-tests",
      "team-a",
      "0b6c3a7e-1111-2222-3333-444455556666",
      {{"prompt", "fix the tests"},
       {"repository", {{"url", "https://git.internal/a.git"}, {"credentialsSecretRef", {{"name", "git-creds"}}}}},
       {"settings", {{"rules", {"be brief"}}}},
       {"maxTurns", 20},
       {"approvals", {{{"command", "git push origin droid/fix-tests"}}}}},
      "fix the tests"};
  s.approval_key = std::string(64, 'a');
  return s;
}

policy::EffectivePolicy org() {
  return policy::resolve(
      {{"baseline",
        {{"settings", {{"sessionDefaults", {{"model", "qwen"}}}, {"commandBlocklist", {"dd"}}}},
         {"runner",
          {{"image", "registry.internal/droid-runner:1.0"},
           {"runtimeClassName", "gvisor"},
           {"seccompProfile", {{"type", "Localhost"}, {"localhostProfile", "droid/runner.json"}}},
           {"defaultTimeoutSeconds", 900}}},
         {"network",
          {{"egress",
            {{{"name", "gateway"},
              {"namespaceSelector", {{"matchLabels", {{"kubernetes.io/metadata.name", "llm"}}}}},
              {"ports", {{{"port", 8000}}}}},
             {{"name", "git"}, {"cidrs", {"10.20.0.0/16"}}, {"ports", {{{"port", 443}, {"protocol", "TCP"}}}}}}}}},
         {"gateways",
          {{{"name", "vllm"},
            {"provider", "openai"},
            {"baseURL", "http://vllm.llm:8000/v1"},
            {"credentialsSecretRef", {{"name", "vllm-key"}}},
            {"auth", "bearer"},
            {"timeouts", {{"idleSeconds", 180}, {"connectSeconds", 5}}}}}},
         {"telemetry", {{"otlpEndpoint", "http://otel.obs:4318"}}},
         {"limits", {{"tokenBudgetPerSession", 50000}}}}}});
}

TEST(SessionObjects, NamesAreDeterministic) {
  EXPECT_EQ(config_map_name(session()), "fix-tests-config");
  EXPECT_EQ(network_policy_name(session()), "fix-tests-egress");
  EXPECT_EQ(pod_name(session()), "fix-tests-runner");
}

TEST(SessionObjects, ALaterRunHasAConfigMapAndAPodOfItsOwn) {
  SessionRef s = session();
  s.run_attempt = 3;
  EXPECT_EQ(config_map_name(s), "fix-tests-config-3");
  EXPECT_EQ(pod_name(s), "fix-tests-runner-3");
  EXPECT_EQ(pod_name("fix-tests", 1), "fix-tests-runner");
  EXPECT_EQ(pod_name("fix-tests", 2), "fix-tests-runner-2");
  // Shared by every run: one fence, one copy of the gateway key.
  EXPECT_EQ(network_policy_name(s), "fix-tests-egress");
  EXPECT_EQ(gateway_secret_name(s), "fix-tests-gateway");

  const auto policy = org();
  const auto plan = policy::plan_session(s.spec, policy, 0);
  json pod = build_pod(s, policy, plan, RunnerDefaults{});
  EXPECT_EQ(pod["metadata"]["name"], "fix-tests-runner-3");
  EXPECT_EQ(pod["metadata"]["labels"][kRunAttemptLabel], "3");
  EXPECT_EQ(pod["metadata"]["labels"][kSessionLabel], "fix-tests") << "the NetworkPolicy selects every run's pod";
  bool mounts_its_config = false;
  for (const auto& v : pod["spec"]["volumes"])
    if (v["name"] == "config") mounts_its_config = v["configMap"]["name"] == "fix-tests-config-3";
  EXPECT_TRUE(mounts_its_config) << pod["spec"]["volumes"].dump();
  EXPECT_EQ(build_pod(session(), policy, plan, RunnerDefaults{})["metadata"]["labels"][kRunAttemptLabel], "1");
}

TEST(SessionObjects, ALaterRunsConfigCarriesTheApprovalsAndWhatIsLeftOfTheBudget) {
  SessionRef s = session();
  s.run_attempt = 2;
  s.spec["approvals"].push_back({{"command", "make deploy"}, {"approvedBy", "bob"}});
  s.tokens_used = 49000;
  const auto policy = org();
  json cm = build_config_map(s, policy, policy::plan_session(s.spec, policy, 0));
  EXPECT_EQ(cm["metadata"]["name"], "fix-tests-config-2");
  json config = json::parse(cm["data"]["session.json"].get<std::string>());
  EXPECT_EQ(config["session"]["runAttempt"], 2);
  ASSERT_EQ(config["approvals"].size(), 2u);
  EXPECT_EQ(config["approvals"][1]["command"], "make deploy");
  EXPECT_EQ(config["tokenBudget"], 1000);
  // Used up: the runner gets one token, never 0 (which would mean no limit).
  s.tokens_used = 60000;
  config = json::parse(
      build_config_map(s, policy, policy::plan_session(s.spec, policy, 0))["data"]["session.json"].get<std::string>());
  EXPECT_EQ(config["tokenBudget"], 1);
}

TEST(SessionObjects, ThePodCarriesTheApprovalChannelUnlessThePolicyNeverWaitsInPlace) {
  auto policy = org();
  SessionRef s = session();
  auto plan = policy::plan_session(s.spec, policy, 0);
  json pod = build_pod(s, policy, plan, RunnerDefaults{});
  const json& c = pod["spec"]["containers"][0];
  EXPECT_EQ(c["readinessProbe"]["exec"]["command"], json({"/usr/local/bin/droid-runner", "approval-probe"}));
  // The session's approval key: its own Secret, owned by the session, mounted where the runner reads it.
  const json secret = build_approval_secret(s);
  EXPECT_EQ(secret["metadata"]["name"], "fix-tests-approval");
  EXPECT_EQ(secret["metadata"]["ownerReferences"][0]["uid"], s.uid);
  EXPECT_EQ(secret["stringData"]["key"], s.approval_key);
  bool key_mounted = false;
  for (const auto& m : c["volumeMounts"])
    if (m["name"] == "approval-key") key_mounted = m["mountPath"] == "/var/run/droid/approval-key";
  EXPECT_TRUE(key_mounted) << c["volumeMounts"].dump();
  bool key_volume = false;
  for (const auto& v : pod["spec"]["volumes"])
    if (v["name"] == "approval-key") key_volume = v["secret"]["secretName"] == "fix-tests-approval";
  EXPECT_TRUE(key_volume);
  // Without a key (an operator with none): no channel at all.
  SessionRef keyless = s;
  keyless.approval_key.clear();
  EXPECT_FALSE(build_pod(keyless, policy, plan, RunnerDefaults{})["spec"]["containers"][0].contains("readinessProbe"));
  EXPECT_FALSE(json::parse(build_config_map(keyless, policy, plan)["data"]["session.json"].get<std::string>())
                   .contains("approvalWaitSeconds"));
  EXPECT_EQ(c["readinessProbe"]["periodSeconds"], 2);
  json volume;
  for (const auto& v : pod["spec"]["volumes"])
    if (v["name"] == "approval") volume = v;
  ASSERT_TRUE(volume.is_object()) << pod["spec"]["volumes"].dump();
  EXPECT_EQ(volume["downwardAPI"]["items"][0]["fieldRef"]["fieldPath"],
            "metadata.annotations['droid.dev/approval-decision']");
  EXPECT_EQ(volume["downwardAPI"]["items"][0]["path"], "decision");
  bool mounted = false;
  for (const auto& m : c["volumeMounts"])
    if (m["name"] == "approval") mounted = m["mountPath"] == kApprovalMountPath && m["readOnly"] == true;
  EXPECT_TRUE(mounted);
  // The wait: the policy's default (15 minutes), within the timeout.
  json config = json::parse(build_config_map(s, policy, plan)["data"]["session.json"].get<std::string>());
  EXPECT_EQ(config["approvalWaitSeconds"], 900);
  plan.timeout_seconds = 600;
  config = json::parse(build_config_map(s, policy, plan)["data"]["session.json"].get<std::string>());
  EXPECT_EQ(config["approvalWaitSeconds"], 600);
  // 0: no channel at all (every approval starts a new run).
  policy.limits["maxApprovalWaitSeconds"] = 0;
  pod = build_pod(s, policy, plan, RunnerDefaults{});
  EXPECT_FALSE(pod["spec"]["containers"][0].contains("readinessProbe"));
  for (const auto& v : pod["spec"]["volumes"]) {
    EXPECT_NE(v["name"], "approval");
    EXPECT_NE(v["name"], "approval-key");
  }
  config = json::parse(build_config_map(s, policy, plan)["data"]["session.json"].get<std::string>());
  EXPECT_FALSE(config.contains("approvalWaitSeconds")) << config.dump();  // the runner reads none as 0
}

TEST(SessionObjects, ALaterRunsConfigCarriesTheEarlierRunsSummaries) {
  SessionRef s = session();
  s.run_attempt = 2;
  s.earlier_runs = {{{"runAttempt", 1},
                     {"podName", "fix-tests-runner"},
                     {"approvedCommand", "make deploy"},
                     {"endReason", "ApprovalWaitExpired"},
                     {"summary", "ran make test"},
                     {"usage", {{"inputTokens", 5}}}}};
  const auto policy = org();
  json config = json::parse(
      build_config_map(s, policy, policy::plan_session(s.spec, policy, 0))["data"]["session.json"].get<std::string>());
  EXPECT_EQ(config["earlierRuns"], json::parse(R"([{"runAttempt":1,"summary":"ran make test",
      "approvedCommand":"make deploy","endReason":"ApprovalWaitExpired"}])"));
}

TEST(SessionObjects, EverythingIsOwnedByTheSession) {
  const auto policy = org();
  const auto plan = policy::plan_session(session().spec, policy, 0);
  for (const json& obj : {build_config_map(session(), policy, plan), build_network_policy(session(), policy),
                          build_pod(session(), policy, plan, RunnerDefaults{})}) {
    const json& ref = obj["metadata"]["ownerReferences"][0];
    EXPECT_EQ(ref["kind"], "DroidSession");
    EXPECT_EQ(ref["uid"], "0b6c3a7e-1111-2222-3333-444455556666");
    EXPECT_EQ(ref["controller"], true);
    EXPECT_EQ(obj["metadata"]["namespace"], "team-a");
    EXPECT_EQ(obj["metadata"]["labels"][kSessionLabel], "fix-tests");
  }
}

TEST(SessionObjects, DefaultLimitsComeWithSmallerRequestsSoThePodFitsASmallNode) {
  const auto policy = org();
  const auto plan = policy::plan_session(session().spec, policy, 0);
  RunnerDefaults d;
  const json r = build_pod(session(), policy, plan, d)["spec"]["containers"][0]["resources"];
  EXPECT_EQ(r["limits"], json({{"cpu", "2"}, {"memory", "4Gi"}, {"ephemeral-storage", "10Gi"}}));
  // Without them Kubernetes would request the whole limit: 2 CPUs, more than a 2-core node can give.
  EXPECT_EQ(r["requests"], json({{"cpu", "250m"}, {"memory", "512Mi"}, {"ephemeral-storage", "1Gi"}}));
}

TEST(SessionObjects, GivenResourcesKeepTheirMeaning) {
  const auto policy = org();
  const auto plan = policy::plan_session(session().spec, policy, 0);
  const auto resources_of = [&](const json& asked) {
    SessionRef s = session();
    s.spec["resources"] = asked;
    return build_pod(s, policy, plan, RunnerDefaults{})["spec"]["containers"][0]["resources"];
  };
  // A given limit without a request: no request of ours below it (Kubernetes requests the limit).
  json r = resources_of({{"limits", {{"cpu", "500m"}}}});
  EXPECT_EQ(r["limits"]["cpu"], "500m");
  EXPECT_FALSE(r["requests"].contains("cpu")) << r.dump();
  EXPECT_EQ(r["requests"]["memory"], "512Mi");
  // A given request above the default limit raises that limit to it; one below keeps the default limit.
  r = resources_of({{"requests", {{"cpu", "3"}, {"memory", "1Gi"}}}});
  EXPECT_EQ(r["limits"]["cpu"], "3");
  EXPECT_EQ(r["requests"]["cpu"], "3");
  EXPECT_EQ(r["limits"]["memory"], "4Gi");
  EXPECT_EQ(r["requests"]["memory"], "1Gi");
}

TEST(SessionObjects, PodIsLockedDown) {
  const auto policy = org();
  const auto plan = policy::plan_session(session().spec, policy, 0);
  json pod = build_pod(session(), policy, plan, RunnerDefaults{});
  const json& spec = pod["spec"];
  EXPECT_EQ(spec["automountServiceAccountToken"], false);
  EXPECT_EQ(spec["restartPolicy"], "Never");
  EXPECT_EQ(spec["activeDeadlineSeconds"], 900);
  EXPECT_EQ(spec["runtimeClassName"], "gvisor");
  EXPECT_EQ(spec["securityContext"]["runAsNonRoot"], true);
  EXPECT_EQ(spec["securityContext"]["seccompProfile"]["type"], "Localhost");
  const json& c = spec["containers"][0];
  EXPECT_EQ(c["image"], "registry.internal/droid-runner:1.0");
  EXPECT_EQ(c["securityContext"]["allowPrivilegeEscalation"], false);
  EXPECT_EQ(c["securityContext"]["readOnlyRootFilesystem"], true);
  EXPECT_EQ(c["securityContext"]["capabilities"]["drop"], json({"ALL"}));
  EXPECT_TRUE(c["resources"]["limits"].contains("cpu"));
  EXPECT_TRUE(c["resources"]["limits"].contains("memory"));
  EXPECT_TRUE(c["resources"]["limits"].contains("ephemeral-storage"));
  // No host namespaces, no host paths, no service-account token volume.
  EXPECT_FALSE(spec.contains("hostNetwork"));
  for (const auto& v : spec["volumes"]) {
    EXPECT_FALSE(v.contains("hostPath")) << v.dump();
    EXPECT_FALSE(v.contains("projected")) << v.dump();
  }
  // The environment carries no secret and no Kubernetes service variables.
  EXPECT_EQ(spec["enableServiceLinks"], false);
  for (const auto& e : c["env"]) EXPECT_FALSE(e.contains("valueFrom")) << e.dump();
}

TEST(SessionObjects, ConfigMapCarriesSettingsButNoSecretReferences) {
  const auto policy = org();
  const auto plan = policy::plan_session(session().spec, policy, 0);
  json cm = build_config_map(session(), policy, plan);
  EXPECT_EQ(json::parse(cm["data"]["org-settings.json"].get<std::string>())["commandBlocklist"], json({"dd"}));
  EXPECT_EQ(json::parse(cm["data"]["user-settings.json"].get<std::string>())["rules"], json({"be brief"}));
  json config = json::parse(cm["data"]["session.json"].get<std::string>());
  EXPECT_EQ(config["model"], "qwen");
  EXPECT_EQ(config["prompt"], "fix the tests");
  EXPECT_EQ(config["gateway"]["baseURL"], "http://vllm.llm:8000/v1");
  EXPECT_FALSE(config["gateway"].contains("credentialsSecretRef"));
  EXPECT_FALSE(config["repository"].contains("credentialsSecretRef"));
  EXPECT_EQ(config["tokenBudget"], 50000);
  EXPECT_EQ(config["policy"]["hash"], policy.hash);
  EXPECT_EQ(config["gateway"]["credentialsFile"], "/var/run/droid/gateway/api-key");
  // The gateway's settings for the runner: how to send the key, and its timeouts.
  EXPECT_EQ(config["gateway"]["auth"], "bearer");
  EXPECT_EQ(config["gateway"]["timeouts"], json({{"idleSeconds", 180}, {"connectSeconds", 5}}));
  // Commands approved up front (a CI session pre-approving its push) reach the runner.
  EXPECT_EQ(config["approvals"][0]["command"], "git push origin droid/fix-tests");
}

// The requester stamped at admission reaches the runner, which makes it the
// session's enduser.id in telemetry (before the typed contract the runner read a
// string "requester" that the operator never wrote).
TEST(SessionObjects, SessionConfigCarriesTheRequesterInTheContractTheRunnerReads) {
  SessionRef s = session();
  s.requester = contract::Requester{"alice@example.com", "u-alice", {"devs"}};
  const auto policy = org();
  const json cm = build_config_map(s, policy, policy::plan_session(s.spec, policy, 0));
  const auto decoded = contract::decode_session_config(cm["data"]["session.json"].get<std::string>());
  ASSERT_TRUE(decoded.config) << decoded.error;
  ASSERT_TRUE(decoded.config->requester);
  EXPECT_EQ(decoded.config->requester->username, "alice@example.com");
  EXPECT_EQ(decoded.config->requester->groups, std::vector<std::string>{"devs"});
  EXPECT_EQ(decoded.config->session.name, "fix-tests");
  EXPECT_EQ(decoded.config->model, "qwen");
  EXPECT_EQ(decoded.config->max_turns, 20);
  ASSERT_TRUE(decoded.config->repository);
  EXPECT_EQ(decoded.config->repository->url, "https://git.internal/a.git");
  ASSERT_TRUE(decoded.config->telemetry);
  EXPECT_EQ(decoded.config->telemetry->otlp_endpoint, "http://otel.obs:4318");
  // Without one (an operator without its webhook) the field is absent, never empty.
  const json none = build_config_map(session(), policy, policy::plan_session(s.spec, policy, 0));
  EXPECT_FALSE(json::parse(none["data"]["session.json"].get<std::string>()).contains("requester"));
}

TEST(SessionObjects, GatewayCredentialsAreCopiedIntoASessionSecretMountedReadOnly) {
  const auto policy = org();
  const auto plan = policy::plan_session(session().spec, policy, 0);
  ASSERT_TRUE(gateway_needs_secret(session(), plan));
  json secret = build_gateway_secret(session(), {{kGatewayApiKey, "sk-live-123"}});
  EXPECT_EQ(secret["metadata"]["name"], "fix-tests-gateway");
  EXPECT_EQ(secret["metadata"]["ownerReferences"][0]["uid"], session().uid);
  EXPECT_EQ(secret["stringData"]["api-key"], "sk-live-123");
  EXPECT_EQ(secret["immutable"], true);

  json pod = build_pod(session(), policy, plan, RunnerDefaults{});
  bool mounted = false;
  for (const auto& m : pod["spec"]["containers"][0]["volumeMounts"])
    if (m["name"] == "gateway") {
      mounted = true;
      EXPECT_EQ(m["mountPath"], kGatewayMountPath);
      EXPECT_EQ(m["readOnly"], true);
    }
  EXPECT_TRUE(mounted);
  // The key is never in the pod spec or its environment.
  EXPECT_EQ(pod.dump().find("sk-live-123"), std::string::npos);
}

TEST(SessionObjects, NoGatewaySecretWithoutSecretReferences) {
  auto policy = org();
  policy.gateways[0].erase("credentialsSecretRef");
  const auto plan = policy::plan_session(session().spec, policy, 0);
  EXPECT_FALSE(gateway_needs_secret(session(), plan));
  json pod = build_pod(session(), policy, plan, RunnerDefaults{});
  for (const auto& v : pod["spec"]["volumes"]) EXPECT_NE(v["name"], "gateway");
}

TEST(SessionObjects, PodRecordsThePolicyItWasBuiltUnder) {
  const auto policy = org();
  json pod = build_pod(session(), policy, policy::plan_session(session().spec, policy, 0), RunnerDefaults{});
  EXPECT_EQ(pod["metadata"]["annotations"][kPolicyHashAnnotation], policy.hash);
  EXPECT_EQ(pod["metadata"]["annotations"][kPolicyNamesAnnotation], "baseline");
}

TEST(SessionObjects, NetworkPolicyDeniesByDefault) {
  json np = build_network_policy(session(), org());
  const json& spec = np["spec"];
  EXPECT_EQ(spec["policyTypes"], json({"Ingress", "Egress"}));
  EXPECT_EQ(spec["ingress"], json::array());
  ASSERT_EQ(spec["egress"].size(), 3u);  // DNS, gateway, git
  EXPECT_EQ(spec["egress"][0]["ports"][0]["port"], 53);
  EXPECT_EQ(spec["egress"][1]["to"][0]["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"], "llm");
  EXPECT_EQ(spec["egress"][2]["to"][0]["ipBlock"]["cidr"], "10.20.0.0/16");

  // Without DNS and without rules: no egress at all.
  json closed = build_network_policy(session(), policy::resolve({{"p", {{"network", {{"allowDNS", false}}}}}}));
  EXPECT_EQ(closed["spec"]["egress"], json::array());
}

// With an egress gateway (issue 15): the runner pod holds no credential but its
// session's token, reaches DNS and the gateway only, and speaks http:// to everything.
SessionRef through_gateway_session() {
  SessionRef s = session();
  s.egress = EgressRoute{"droid-egress.droid-system.svc:3128", "droid-system", "tok-0123456789abcdef"};
  return s;
}

TEST(SessionObjectsEgress, PodMountsNoCredentialSecretAndProxiesWithItsToken) {
  const SessionRef s = through_gateway_session();
  auto policy = org();
  policy.gateways[0]["caBundleSecretRef"] = {{"name", "vllm-ca"}};
  const auto plan = policy::plan_session(s.spec, policy, 0);
  EXPECT_FALSE(gateway_needs_secret(s, plan)) << "the gateway reads the key, not the operator";
  const json pod = build_pod(s, policy, plan, RunnerDefaults{});
  std::set<std::string> secrets;
  for (const auto& v : pod["spec"]["volumes"])
    if (v.contains("secret")) secrets.insert(v["secret"]["secretName"].get<std::string>());
  // Only the approval key (the operator's own, not a credential for anything outside).
  EXPECT_EQ(secrets, std::set<std::string>{approval_secret_name(s)}) << pod["spec"]["volumes"].dump();
  for (const auto& m : pod["spec"]["containers"][0]["volumeMounts"]) {
    EXPECT_NE(m["mountPath"], kGatewayMountPath);
    EXPECT_NE(m["mountPath"], "/var/run/droid/git");
  }
  std::map<std::string, std::string> env;
  for (const auto& e : pod["spec"]["containers"][0]["env"]) env[e["name"]] = e.value("value", "");
  const std::string proxy = "http://droid:tok-0123456789abcdef@droid-egress.droid-system.svc:3128";
  for (const char* name : {"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"}) EXPECT_EQ(env[name], proxy);
  EXPECT_EQ(env.count("NO_PROXY") + env.count("no_proxy"), 0u) << "the collector is reached through the gateway too";
  EXPECT_EQ(pod.dump().find("vllm-key"), std::string::npos);
  EXPECT_EQ(pod.dump().find("git-creds"), std::string::npos);
}

TEST(SessionObjectsEgress, SessionConfigGivesPlainHttpUrlsAndNoKey) {
  SessionRef s = through_gateway_session();
  s.spec["repository"]["url"] = "https://git.internal/team/a.git";
  auto policy = org();
  policy.gateways[0]["baseURL"] = "https://vllm.llm/v1";
  policy.gateways[0]["caBundle"] = "-----BEGIN CERTIFICATE-----";
  const auto plan = policy::plan_session(s.spec, policy, 0);
  const contract::SessionConfig c = session_config(s, policy, plan);
  ASSERT_TRUE(c.gateway);
  EXPECT_EQ(c.gateway->base_url, "http://vllm.llm:443/v1") << "the port stays the upstream's";
  EXPECT_EQ(c.gateway->auth, "none");
  EXPECT_EQ(c.gateway->credentials_file, "");
  EXPECT_EQ(c.gateway->ca_bundle, "");
  EXPECT_EQ(c.gateway->ca_bundle_file, "");
  ASSERT_TRUE(c.repository);
  EXPECT_EQ(c.repository->url, "http://git.internal:443/team/a.git");
  ASSERT_TRUE(c.telemetry);
  EXPECT_EQ(c.telemetry->otlp_endpoint, "http://otel.obs:4318") << "unchanged: libcurl sends it through the proxy";
}

TEST(SessionObjectsEgress, NetworkPolicyAllowsDnsAndTheGatewayPodsOnly) {
  const json np = build_network_policy(through_gateway_session(), org());
  const json& egress = np["spec"]["egress"];
  ASSERT_EQ(egress.size(), 2u) << egress.dump();
  EXPECT_EQ(egress[0]["ports"][0]["port"], 53);
  EXPECT_EQ(egress[1]["to"][0]["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"], "droid-system");
  EXPECT_EQ(egress[1]["to"][0]["podSelector"]["matchLabels"]["app.kubernetes.io/name"], "droid-egress");
  EXPECT_EQ(egress[1]["ports"], json::array({{{"protocol", "TCP"}, {"port", 3128}}}));
  EXPECT_EQ(np["spec"]["ingress"], json::array());
  EXPECT_EQ(np.dump().find("10.20.0.0/16"), std::string::npos) << "the policy's CIDRs are the gateway's business";
}

TEST(EgressRoute, UrlsThroughTheGateway) {
  EXPECT_EQ(through_gateway("https://h.example/v1"), "http://h.example:443/v1");
  EXPECT_EQ(through_gateway("HTTPS://h:8443"), "http://h:8443");
  EXPECT_EQ(through_gateway("http://h/x?y=1"), "http://h:80/x?y=1");
  EXPECT_EQ(through_gateway("https://[fd00::1]:4000/v1"), "http://[fd00::1]:4000/v1");
  EXPECT_EQ(through_gateway("ssh://git@h/x.git"), "ssh://git@h/x.git") << "not http: unchanged (refused at admission)";
  EXPECT_FALSE(parse_http_url("https://u:p@h/x"));
  EXPECT_FALSE(parse_http_url("https://h:0/"));
  EXPECT_FALSE(parse_http_url("https://h:99999/"));
  EXPECT_FALSE(parse_http_url("https:///x"));
  EXPECT_FALSE(parse_http_url("git@h:x.git"));
}

}  // namespace
}  // namespace droid::op
