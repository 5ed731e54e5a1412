// SessionReconciler against the in-memory API server (kube::MemoryApi): what it
// creates, in which order, what it records, and how it meets a stale cache, a
// refusal and failed creates. The informer caches are filled from the twin's
// objects by sync(), as the reflectors would after their watch events.
#include "reconcile/session_reconciler.h"

#include <algorithm>

#include <gtest/gtest.h>

#include "contract/session_config.h"
#include "kube/memory_api.h"
#include "webhook/admission.h"

namespace droid::op {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

const Clock::time_point kNow = *parse_rfc3339("2026-01-01T00:00:10Z");

json org_policy(json settings = {{"sessionDefaults", {{"model", "qwen"}}}}) {
  return {{"apiVersion", "droid.dev/v1alpha1"},
          {"kind", "OrgPolicy"},
          {"metadata", {{"name", "baseline"}}},
          {"spec",
           {{"settings", std::move(settings)},
            {"gateways", {{{"name", "vllm"}, {"provider", "openai"}, {"baseURL", "http://vllm.llm:8000/v1"}}}}}}};
}

json new_session(const std::string& name, json spec = {{"prompt", "fix the tests"}}) {
  return {{"apiVersion", "droid.dev/v1alpha1"},
          {"kind", "DroidSession"},
          {"metadata",
           {{"name", name},
            {"namespace", "team-a"},
            {"annotations", {{kRequesterAnnotation, R"({"username":"alice@example.com","groups":["devs"]})"}}}}},
          {"spec", std::move(spec)}};
}

struct Recorded {
  std::string type, reason;
};

class SessionReconcilerTest : public ::testing::Test {
 protected:
  SessionReconcilerTest() {
    api.create(kube::kNamespaces, {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "team-a"}}}});
    api.create(kube::kOrgPolicies, org_policy());
  }

  SessionReconciler& reconciler() {
    if (!reconciler_) {
      SessionHooks hooks;
      hooks.event = [this](const json&, const std::string& type, const std::string& reason, const std::string&,
                           const std::string&) {
        events.push_back({type, reason});
      };
      hooks.now = [] { return kNow; };
      reconciler_ = std::make_unique<SessionReconciler>(api, caches, SessionReconcilerOptions{}, hooks);
    }
    return *reconciler_;
  }

  // The caches as the reflectors would leave them after the twin's latest changes.
  void sync() {
    caches.sessions->replace_all(api.objects(kube::kDroidSessions));
    caches.pods->replace_all(api.objects(kube::kPods));
    caches.policies->replace_all(api.objects(kube::kOrgPolicies));
    caches.namespaces->replace_all(api.objects(kube::kNamespaces));
  }

  ReconcileResult reconcile(const std::string& name) { return reconciler().reconcile("team-a/" + name); }
  json session(const std::string& name) { return api.get(kube::kDroidSessions, "team-a", name); }
  std::size_t position(const std::string& call) {
    const auto calls = api.calls();
    return static_cast<std::size_t>(std::find(calls.begin(), calls.end(), call) - calls.begin());
  }

  kube::MemoryApi api;
  Caches caches;
  std::vector<Recorded> events;

 private:
  std::unique_ptr<SessionReconciler> reconciler_;
};

TEST_F(SessionReconcilerTest, CreatesTheOwnedObjectsFenceFirstAndRecordsTheRequester) {
  const std::string uid = api.create(kube::kDroidSessions, new_session("fix"))["metadata"]["uid"];
  sync();
  const ReconcileResult r = reconcile("fix");
  EXPECT_FALSE(r.error) << *r.error;
  ASSERT_TRUE(r.requeue_after) << "the operator's own clock ends a session whose kubelet never reports";

  const json pod = api.get(kube::kPods, "team-a", "fix-runner");
  EXPECT_EQ(pod["metadata"]["ownerReferences"][0]["uid"], uid);
  EXPECT_EQ(api.get(kube::kNetworkPolicies, "team-a", "fix-egress")["metadata"]["ownerReferences"][0]["uid"], uid);
  const json cm = api.get(kube::kConfigMaps, "team-a", "fix-config");
  const auto config = contract::decode_session_config(cm["data"]["session.json"].get<std::string>());
  ASSERT_TRUE(config.config) << config.error;
  ASSERT_TRUE(config.config->requester);
  EXPECT_EQ(config.config->requester->username, "alice@example.com");
  EXPECT_EQ(config.config->model, "qwen");

  // The pod after its fence and its configuration.
  const std::size_t pod_created = position("create pods team-a/fix-runner");
  EXPECT_LT(position("create networkpolicies team-a/fix-egress"), pod_created);
  EXPECT_LT(position("create configmaps team-a/fix-config"), pod_created);
  ASSERT_LT(pod_created, api.calls().size());

  const json status = session("fix")["status"];
  EXPECT_EQ(status["phase"], "Pending");
  EXPECT_EQ(status["podName"], "fix-runner");
  EXPECT_EQ(status["requester"]["username"], "alice@example.com");
  EXPECT_EQ(status["policy"]["names"], json({"baseline"}));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].reason, "PodCreated");
}

TEST_F(SessionReconcilerTest, ARefusedSessionIsDeniedWithAWarningAndGetsNothing) {
  api.replace(kube::kOrgPolicies, [&] {
    json p = api.get(kube::kOrgPolicies, "", "baseline");
    p["spec"]["settings"]["models"] = {{"allowed", {"qwen"}}};
    return p;
  }());
  api.create(kube::kDroidSessions, new_session("big", {{"prompt", "p"}, {"model", "gpt-huge"}}));
  sync();
  const ReconcileResult r = reconcile("big");
  EXPECT_FALSE(r.error);
  const json status = session("big")["status"];
  EXPECT_EQ(status["phase"], "Denied");
  EXPECT_EQ(status["conditions"][0]["reason"], "ModelNotAllowed");
  EXPECT_TRUE(api.objects(kube::kPods).empty());
  EXPECT_TRUE(api.objects(kube::kConfigMaps).empty());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "Warning");
}

// A cache behind the server: the status write is refused (409) and the key goes back
// through the work queue's backoff; the next look, with the cache caught up, finds the
// objects it created and records them. Nothing is created twice, no update is lost.
TEST_F(SessionReconcilerTest, AStaleCacheIsAConflictRetriedWithBackoffNotALostUpdate) {
  api.create(kube::kDroidSessions, new_session("fix"));
  sync();
  api.patch(kube::kDroidSessions, "team-a", "fix", kube::PatchType::Merge,
            {{"metadata", {{"labels", {{"ci-run", "42"}}}}}});  // someone else's write, not yet seen
  const ReconcileResult first = reconcile("fix");
  ASSERT_TRUE(first.error);
  EXPECT_TRUE(first.conflict) << *first.error;
  EXPECT_FALSE(first.requeue_after) << "no hidden fixed delay: the queue's backoff decides";
  EXPECT_FALSE(session("fix").contains("status"));

  sync();
  const ReconcileResult second = reconcile("fix");
  EXPECT_FALSE(second.error) << *second.error;
  EXPECT_EQ(session("fix")["status"]["podName"], "fix-runner");
  EXPECT_EQ(session("fix")["metadata"]["labels"]["ci-run"], "42");
  EXPECT_EQ(api.objects(kube::kPods).size(), 1u);
  EXPECT_EQ(api.objects(kube::kConfigMaps).size(), 1u);
}

TEST_F(SessionReconcilerTest, AnInvalidPodFailsAtOnceATransientErrorIsRetried) {
  api.create(kube::kDroidSessions, new_session("bad"));
  api.create(kube::kDroidSessions, new_session("flaky"));
  sync();
  api.fail_next("create", kube::kPods, kube::ApiError(422, "Invalid", "spec.containers[0].image: Required value", ""));
  EXPECT_FALSE(reconcile("bad").error);
  json status = session("bad")["status"];
  EXPECT_EQ(status["phase"], "Failed");
  EXPECT_EQ(status["conditions"][0]["reason"], kReasonPodCreateFailed);

  api.fail_next("create", kube::kPods, kube::ApiError(500, "InternalError", "etcdserver: request timed out", ""));
  const ReconcileResult r = reconcile("flaky");
  status = session("flaky")["status"];
  EXPECT_EQ(status["phase"], "Pending");
  EXPECT_EQ(status["attempts"], 1);
  ASSERT_TRUE(r.requeue_after);
  sync();
  EXPECT_FALSE(reconcile("flaky").error);
  EXPECT_EQ(session("flaky")["status"]["podName"], "flaky-runner");
  EXPECT_EQ(api.objects(kube::kPods).size(), 1u) << "only the retried session has a pod";
}

// An object of the session's name that another session owns (an earlier session of the
// same name, not yet collected) is never taken for this session's own.
TEST_F(SessionReconcilerTest, AnObjectOfAnEarlierSessionOfTheSameNameIsNotAdopted) {
  api.create(kube::kDroidSessions, new_session("fix"));
  api.create(kube::kConfigMaps,
             {{"apiVersion", "v1"},
              {"kind", "ConfigMap"},
              {"metadata",
               {{"name", "fix-config"},
                {"namespace", "team-a"},
                {"ownerReferences", {{{"kind", "DroidSession"}, {"name", "fix"}, {"uid", "uid-of-the-old-one"}}}}}},
              {"immutable", true},
              {"data", {{"session.json", "{}"}}}});
  sync();
  const ReconcileResult r = reconcile("fix");
  EXPECT_FALSE(r.error);
  const json status = session("fix")["status"];
  EXPECT_EQ(status["phase"], "Pending");
  EXPECT_EQ(status["attempts"], 1);
  EXPECT_FALSE(status.contains("podName"));
  EXPECT_TRUE(api.objects(kube::kPods).empty());
}

}  // namespace
}  // namespace droid::op
