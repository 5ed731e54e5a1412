// The operator's side of the egress gateway against the in-memory API server
// (kube::MemoryApi): a session's run gets a grant in the operator's namespace before
// its pod, a token minted from the key Secret that verifies, a pod that holds no
// credential; the grant goes when the session finishes or is deleted, and the sweep
// removes what a missed event left behind.
#include "reconcile/egress_grants.h"

#include <algorithm>

#include <gtest/gtest.h>

#include "contract/egress_grant.h"
#include "contract/egress_token.h"
#include "contract/termination_message.h"
#include "controller/cache_transforms.h"
#include "kube/config.h"
#include "kube/memory_api.h"
#include "reconcile/session_reconciler.h"
#include "resources/egress_grant.h"

namespace droid::op {
namespace {

using json = nlohmann::json;

const Clock::time_point kNow = *parse_rfc3339("2026-01-01T00:00:10Z");
const std::string kKey(48, 'k');
std::string base64_of_key() {
  std::string out;
  for (int i = 0; i < 16; ++i) out += "a2tr";  // "kkk"
  return out;
}
const std::string kKeyBase64 = base64_of_key();
const std::string kGateway = "droid-egress.droid-system.svc:3128";

json policy() {
  return {{"apiVersion", "droid.dev/v1alpha1"},
          {"kind", "OrgPolicy"},
          {"metadata", {{"name", "baseline"}}},
          {"spec",
           {{"settings", {{"sessionDefaults", {{"model", "qwen"}}}}},
            {"gateways",
             {{{"name", "vllm"},
               {"provider", "openai"},
               {"baseURL", "https://vllm.llm:8443/v1"},
               {"credentialsSecretRef", {{"name", "vllm-key"}}}}}},
            {"telemetry", {{"otlpEndpoint", "http://otel.obs:4318"}}},
            {"egress",
             {{"destinations",
               {{{"name", "git"},
                 {"kind", "git"},
                 {"hosts", {"git.corp"}},
                 {"ports", {443}},
                 {"repositories", {"/team/app.git"}},
                 {"credentialType", "basic"},
                 {"credentialsSecretRef", {{"name", "git-push"}, {"key", "userpass"}}}}}}}}}}};
}

json new_session(const std::string& name, json spec) {
  return {{"apiVersion", "droid.dev/v1alpha1"},
          {"kind", "DroidSession"},
          {"metadata", {{"name", name}, {"namespace", "team-a"}}},
          {"spec", std::move(spec)}};
}

class EgressReconcileTest : public ::testing::Test {
 protected:
  EgressReconcileTest() {
    api.create(kube::kNamespaces, {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "team-a"}}}});
    api.create(kube::kOrgPolicies, policy());
    api.create(kube::kSecrets, {{"apiVersion", "v1"},
                                {"kind", "Secret"},
                                {"metadata", {{"name", "droid-egress-token-key"}, {"namespace", "droid-system"}}},
                                {"data", {{"key", kKeyBase64}}}});
    options.operator_namespace = "droid-system";
    options.egress_gateway = kGateway;
    options.approval_signing_key = "operator-signing-key";
  }
  SessionReconciler& reconciler() {
    if (!reconciler_) {
      SessionHooks hooks;
      hooks.now = [] { return kNow; };
      reconciler_ = std::make_unique<SessionReconciler>(api, caches, options, hooks);
    }
    return *reconciler_;
  }
  void sync() {
    std::vector<std::shared_ptr<const CachedSession>> sessions;
    for (json& s : api.objects(kube::kDroidSessions)) sessions.push_back(cache_session(std::move(s)));
    caches.sessions->replace_all(std::move(sessions));
    std::vector<std::shared_ptr<const CachedPod>> pods;
    for (json& p : api.objects(kube::kPods)) pods.push_back(cache_pod(std::move(p)));
    caches.pods->replace_all(std::move(pods));
    caches.policies->replace_all(api.objects(kube::kOrgPolicies));
    caches.namespaces->replace_all(api.objects(kube::kNamespaces));
  }
  std::size_t position(const std::string& call) {
    const auto calls = api.calls();
    return static_cast<std::size_t>(std::find(calls.begin(), calls.end(), call) - calls.begin());
  }
  std::vector<json> grants() {
    std::vector<json> out;
    for (const auto& cm : api.objects(kube::kConfigMaps))
      if (cm["metadata"].value("namespace", "") == "droid-system") out.push_back(cm);
    return out;
  }

  kube::MemoryApi api;
  Caches caches;
  SessionReconcilerOptions options;

 private:
  std::unique_ptr<SessionReconciler> reconciler_;
};

const json kSpec = {{"prompt", "fix it"},
                    {"repository", {{"url", "https://git.corp/team/app.git"}}},
                    {"output", {{"pushBranch", "droid/fix"}}}};

TEST_F(EgressReconcileTest, TheRunGetsAGrantBeforeItsPodAndATokenThatVerifies) {
  const std::string uid = api.create(kube::kDroidSessions, new_session("fix", kSpec))["metadata"]["uid"];
  sync();
  const ReconcileResult r = reconciler().reconcile("team-a/fix");
  ASSERT_FALSE(r.error) << *r.error;

  // The grant: in the operator's namespace, before the pod, exactly the policy's destinations.
  const json cm = api.get(kube::kConfigMaps, "droid-system", "droid-egress-" + uid);
  EXPECT_LT(position("create configmaps droid-system/droid-egress-" + uid), position("create pods team-a/fix-runner"));
  const contract::EgressGrant grant = contract::decode_egress_grant(cm["data"]["grant.json"].get<std::string>());
  EXPECT_EQ(grant.identity, (contract::EgressIdentity{"team-a", "fix", uid, "fix-runner"}));
  EXPECT_EQ(grant.push_branch, "droid/fix");
  EXPECT_FALSE(grant.finished);
  EXPECT_GT(grant.expires_at, kNow + std::chrono::seconds(3600)) << "timeout (policy default) + grace";
  std::vector<std::string> names;
  for (const auto& d : grant.destinations) names.push_back(d.name);
  EXPECT_EQ(names, (std::vector<std::string>{"gateway-vllm", "telemetry", "git"}));
  EXPECT_EQ(grant.destinations[0].credential_ref, (contract::SecretKeyRef{"vllm-key", "api-key"}));
  EXPECT_TRUE(grant.destinations[0].https);

  // The pod: the token in its proxy URL verifies for this run; no credential Secret.
  const json pod = api.get(kube::kPods, "team-a", "fix-runner");
  const std::string token = contract::egress_token(kKey, grant.identity);
  std::map<std::string, std::string> env;
  for (const auto& e : pod["spec"]["containers"][0]["env"]) env[e["name"]] = e.value("value", "");
  EXPECT_EQ(env["HTTPS_PROXY"], "http://droid:" + token + "@" + kGateway);
  EXPECT_EQ(env["http_proxy"], env["HTTPS_PROXY"]);
  for (const auto& v : pod["spec"]["volumes"])
    if (v.contains("secret")) {
      EXPECT_EQ(v["secret"]["secretName"], "fix-approval") << v;
    }
  EXPECT_THROW(api.get(kube::kSecrets, "team-a", "fix-gateway"), kube::ApiError) << "no copy of the key";
  const json policy_np = api.get(kube::kNetworkPolicies, "team-a", "fix-egress");
  EXPECT_EQ(policy_np["spec"]["egress"].size(), 2U) << "DNS and the gateway";
  const auto config = contract::decode_session_config(
      api.get(kube::kConfigMaps, "team-a", "fix-config")["data"]["session.json"].get<std::string>());
  ASSERT_TRUE(config.config && config.config->gateway && config.config->repository);
  EXPECT_EQ(config.config->gateway->base_url, "http://vllm.llm:8443/v1");
  EXPECT_EQ(config.config->gateway->credentials_file, "");
  EXPECT_EQ(config.config->repository->url, "http://git.corp:443/team/app.git");
}

TEST_F(EgressReconcileTest, TheGrantGoesWhenTheSessionFinishesOrIsDeleted) {
  const std::string uid = api.create(kube::kDroidSessions, new_session("fix", kSpec))["metadata"]["uid"];
  api.create(kube::kDroidSessions, new_session("other", kSpec));
  sync();
  ASSERT_FALSE(reconciler().reconcile("team-a/fix").error);
  ASSERT_FALSE(reconciler().reconcile("team-a/other").error);
  ASSERT_EQ(grants().size(), 2U);

  // fix's runner ends Succeeded: its grant is deleted with the phase change.
  contract::TerminationMessage m;
  m.outcome = contract::Outcome::Succeeded;
  api.patch(
      kube::kPods, "team-a", "fix-runner", kube::PatchType::Merge,
      {{"status",
        {{"phase", "Succeeded"},
         {"containerStatuses",
          {{{"name", "runner"},
            {"state",
             {{"terminated", {{"exitCode", 0}, {"reason", "Completed"}, {"message", contract::encode(m)}}}}}}}}}}},
      "status");
  sync();
  ASSERT_FALSE(reconciler().reconcile("team-a/fix").error);
  EXPECT_EQ(api.get(kube::kDroidSessions, "team-a", "fix")["status"]["phase"], "Succeeded");
  EXPECT_THROW(api.get(kube::kConfigMaps, "droid-system", "droid-egress-" + uid), kube::ApiError);
  ASSERT_EQ(grants().size(), 1U);

  // other is deleted: the next look (no session in the cache) deletes its grant by label.
  api.remove(kube::kDroidSessions, "team-a", "other");
  sync();
  ASSERT_FALSE(reconciler().reconcile("team-a/other").error);
  EXPECT_TRUE(grants().empty());
}

TEST_F(EgressReconcileTest, TheSweepRemovesOrphansAndKeepsLiveGrants) {
  const std::string uid = api.create(kube::kDroidSessions, new_session("fix", kSpec))["metadata"]["uid"];
  sync();
  ASSERT_FALSE(reconciler().reconcile("team-a/fix").error);
  // An orphan: a grant whose session is gone (an operator stopped between the two).
  SessionRef gone{"gone", "team-b", "uid-gone", kSpec, "p"};
  api.create(kube::kConfigMaps, build_egress_grant(gone, "droid-system", json{{"session", {{"uid", "uid-gone"}}}}));
  ASSERT_EQ(grants().size(), 2U);
  EgressGrants sweeper(api, "droid-system", "droid-egress-token-key", "droid-operator");
  const std::size_t removed = sweeper.sweep([&](const std::string& ns, const std::string& name, const std::string& id) {
    return ns == "team-a" && name == "fix" && id == uid;
  });
  EXPECT_EQ(removed, 1U);
  ASSERT_EQ(grants().size(), 1U);
  EXPECT_EQ(grants()[0]["metadata"]["name"], "droid-egress-" + uid);
}

TEST_F(EgressReconcileTest, WithoutTheKeyTheRunFailsNamingTheSecretAndGitCredentialsAreDenied) {
  api.remove(kube::kSecrets, "droid-system", "droid-egress-token-key");
  api.create(kube::kDroidSessions, new_session("fix", kSpec));
  json with_creds = kSpec;
  with_creds["repository"]["credentialsSecretRef"] = {{"name", "git"}};
  api.create(kube::kDroidSessions, new_session("creds", with_creds));
  sync();
  ASSERT_FALSE(reconciler().reconcile("team-a/fix").error);
  const json status = api.get(kube::kDroidSessions, "team-a", "fix")["status"];
  EXPECT_EQ(status["conditions"][0]["reason"], kReasonEgressGrantFailed);
  EXPECT_NE(status["conditions"][0]["message"].get<std::string>().find("droid-system/droid-egress-token-key"),
            std::string::npos)
      << status.dump();
  EXPECT_TRUE(api.objects(kube::kPods).empty()) << "no pod without its grant and token";

  ASSERT_FALSE(reconciler().reconcile("team-a/creds").error);
  const json denied = api.get(kube::kDroidSessions, "team-a", "creds")["status"];
  EXPECT_EQ(denied["phase"], "Denied");
  EXPECT_EQ(denied["conditions"][0]["reason"], kRepositoryCredentialsNotAllowed);
}

}  // namespace
}  // namespace droid::op
