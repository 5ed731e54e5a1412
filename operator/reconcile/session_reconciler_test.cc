// SessionReconciler against the in-memory API server (kube::MemoryApi): what it
// creates, in which order, what it records, and how it meets a stale cache, a
// refusal and failed creates. The informer caches are filled from the twin's
// objects by sync(), as the reflectors would after their watch events.
#include "reconcile/session_reconciler.h"

#include <algorithm>

#include <gtest/gtest.h>

#include "contract/approval_decision.h"
#include "contract/session_config.h"
#include "controller/cache_transforms.h"
#include "jsonutil/lookup.h"
#include "kube/memory_api.h"

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
  return {
      {"apiVersion", "droid.dev/v1alpha1"},
      {"kind", "DroidSession"},
      {"metadata",
       {{"name", name},
        {"namespace", "team-a"},
        {"annotations", {{contract::kRequesterAnnotation, R"({"username":"alice@example.com","groups":["devs"]})"}}}}},
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
      hooks.slot_freed = [this](const std::string& ns) { freed.push_back(ns); };
      reconciler_ = std::make_unique<SessionReconciler>(api, caches, options, hooks);
    }
    return *reconciler_;
  }

  // The caches as the reflectors would leave them after the twin's latest changes.
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

  ReconcileResult reconcile(const std::string& name) { return reconciler().reconcile("team-a/" + name); }
  json session(const std::string& name) { return api.get(kube::kDroidSessions, "team-a", name); }
  std::size_t position(const std::string& call) {
    const auto calls = api.calls();
    return static_cast<std::size_t>(std::find(calls.begin(), calls.end(), call) - calls.begin());
  }

  kube::MemoryApi api;
  Caches caches;
  std::vector<Recorded> events;
  std::vector<std::string> freed;  // slot_freed calls
  SessionReconcilerOptions options = [] {
    SessionReconcilerOptions o;
    o.approval_signing_key = "operator-signing-key";
    return o;
  }();

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

// What a session costs the API server until its pod runs: its four objects (the
// approval-key Secret with a signing key) and one
// status write; the pod's first watch event (still Pending) writes nothing more.
TEST_F(SessionReconcilerTest, ASessionCostsItsFourObjectsAndOneStatusWriteUntilItsPodRuns) {
  api.create(kube::kDroidSessions, new_session("fix"));
  sync();
  const std::size_t before = api.calls().size();
  EXPECT_FALSE(reconcile("fix").error);
  sync();
  EXPECT_FALSE(reconcile("fix").error);  // the runner pod ADDED, phase Pending
  sync();
  EXPECT_FALSE(reconcile("fix").error);
  std::vector<std::string> writes;
  const auto calls = api.calls();
  for (std::size_t i = before; i < calls.size(); ++i)
    if (calls[i].rfind("get ", 0) != 0 && calls[i].rfind("list ", 0) != 0) writes.push_back(calls[i]);
  std::sort(writes.begin(), writes.end());
  EXPECT_EQ(writes,
            (std::vector<std::string>{"create configmaps team-a/fix-config", "create networkpolicies team-a/fix-egress",
                                      "create pods team-a/fix-runner", "create secrets team-a/fix-approval",
                                      "replace droidsessions team-a/fix/status"}))
      << ::testing::PrintToString(writes);
  EXPECT_EQ(events.size(), 1u) << "PodCreated, once";
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
  EXPECT_EQ(caches.sessions->get("team-a/big")->phase, "Denied") << "written through to the cache";
  EXPECT_EQ(freed, (std::vector<std::string>{"team-a"})) << "waiting sessions may start";
}

// The pod's ADDED event usually comes before the session's MODIFIED one: the
// reconciler's own status write is in the cache already, so that look writes
// nothing (before: a second write from a stale cache, refused with 409).
TEST_F(SessionReconcilerTest, ItsOwnStatusWriteIsCachedBeforeThePodsEventComes) {
  api.create(kube::kDroidSessions, new_session("fix"));
  sync();
  EXPECT_FALSE(reconcile("fix").error);
  EXPECT_EQ(caches.sessions->get("team-a/fix")->pod_name, "fix-runner");
  EXPECT_EQ(caches.sessions->get("team-a/fix")->resource_version(),
            api.get(kube::kDroidSessions, "team-a", "fix")["metadata"]["resourceVersion"]);
  std::vector<std::shared_ptr<const CachedPod>> pods;
  for (json& p : api.objects(kube::kPods)) pods.push_back(cache_pod(std::move(p)));
  caches.pods->replace_all(std::move(pods));  // only the pod's event has come
  const std::size_t before = api.calls().size();
  const ReconcileResult r = reconcile("fix");
  EXPECT_FALSE(r.error);
  EXPECT_FALSE(r.conflict);
  EXPECT_EQ(api.calls().size(), before) << ::testing::PrintToString(api.calls());
  EXPECT_TRUE(freed.empty());
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

// --- waiting in place for an approval (issue 14) ---

// The runner pod running, its container Ready exactly while the runner waits.
void runner_running(kube::MemoryApi& api, const std::string& pod, bool ready) {
  api.patch(kube::kPods, "team-a", pod, kube::PatchType::Merge,
            {{"status",
              {{"phase", "Running"},
               {"startTime", "2026-01-01T00:00:02Z"},
               {"containerStatuses",
                {{{"name", "runner"}, {"ready", ready}, {"state", {{"running", {{"startedAt", "t"}}}}}}}}}}},
            "status");
}

// The runner's audit line on stdout when it starts to wait (runner/agent/loop.cc).
std::string asks(const std::string& id, const std::string& command) {
  return json{{"type", "audit"}, {"event", "approval_requested"}, {"id", id},           {"command", command},
              {"risk", "high"},  {"reasons", {"denylist"}},       {"wait_seconds", 900}}
             .dump() +
         "\n";
}

// The decision on the pod, verified as the runner does: signed with its session's key for run 1.
json decision_on(const json& pod, const std::string& session_uid) {
  const json* a = jsonutil::find(pod, {"metadata", "annotations", kApprovalDecisionAnnotation});
  if (a == nullptr) return json();
  const auto v = contract::decode_verified(a->get<std::string>(),
                                           contract::session_approval_key("operator-signing-key", session_uid), 1);
  EXPECT_TRUE(v.decision) << v.error << ": " << a->get<std::string>();
  return json::parse(a->get<std::string>());
}

std::size_t count_of(const std::vector<Recorded>& events, const std::string& reason) {
  return static_cast<std::size_t>(
      std::count_if(events.begin(), events.end(), [&](const Recorded& e) { return e.reason == reason; }));
}

class ApprovalInPlaceTest : public SessionReconcilerTest {
 protected:
  // A session whose runner (run 1) waits in place for `command`, as the operator has seen it.
  void waiting_for(const std::string& command) {
    api.create(kube::kDroidSessions, new_session("fix"));
    sync();
    ASSERT_FALSE(reconcile("fix").error);
    runner_running(api, "fix-runner", true);
    api.set_log("team-a", "fix-runner", "runner",
                "{\"type\":\"audit\",\"event\":\"session_start\"}\nnot json at all\n" + asks("1", command));
    sync();
    ASSERT_FALSE(reconcile("fix").error);
    sync();
  }
  void decide(const char* list, json entry) {
    json s = session("fix");
    s["spec"][list] = json::array({std::move(entry)});
    api.replace(kube::kDroidSessions, s);
    sync();
  }
};

// The session's approval key reaches the runner in a Secret of its own; without an
// operator signing key there is no channel (an "ask" ends the run, as before issue 14).
TEST_F(SessionReconcilerTest, TheRunnerGetsItsSessionsApprovalKeyOnlyWhenTheOperatorSigns) {
  const std::string uid = api.create(kube::kDroidSessions, new_session("fix"))["metadata"]["uid"];
  sync();
  ASSERT_FALSE(reconcile("fix").error);
  const json secret = api.get(kube::kSecrets, "team-a", "fix-approval");
  EXPECT_EQ(secret["stringData"]["key"], contract::session_approval_key("operator-signing-key", uid));
  EXPECT_EQ(secret["metadata"]["ownerReferences"][0]["uid"], uid);
  EXPECT_TRUE(api.get(kube::kPods, "team-a", "fix-runner")["spec"]["containers"][0].contains("readinessProbe"));
  EXPECT_LT(position("create secrets team-a/fix-approval"), position("create pods team-a/fix-runner"));

  SessionReconcilerOptions keyless;
  SessionReconciler unsigned_(api, caches, keyless, {});
  api.create(kube::kDroidSessions, new_session("other"));
  sync();
  ASSERT_FALSE(unsigned_.reconcile("team-a/other").error);
  EXPECT_FALSE(api.get(kube::kPods, "team-a", "other-runner")["spec"]["containers"][0].contains("readinessProbe"));
  EXPECT_EQ(position("create secrets team-a/other-approval"), api.calls().size());
}

TEST_F(ApprovalInPlaceTest, TheRequestIsReadFromTheReadyRunnersLogAndShownInStatus) {
  waiting_for("terraform plan");
  const json status = session("fix")["status"];
  EXPECT_EQ(status["phase"], "AwaitingApproval");
  EXPECT_EQ(status["pendingApproval"]["command"], "terraform plan");
  EXPECT_EQ(status["pendingApproval"]["inPlace"], true);
  EXPECT_EQ(status["pendingApproval"]["id"], "1");
  EXPECT_EQ(status["pendingApproval"]["podName"], "fix-runner");
  EXPECT_EQ(position("log pods team-a/fix-runner/log") < api.calls().size(), true) << "read through pods/log";
  // An undecided request is not read again on the next look.
  const auto reads = [&] {
    const auto calls = api.calls();
    return std::count(calls.begin(), calls.end(), "log pods team-a/fix-runner/log");
  };
  const auto before = reads();
  EXPECT_FALSE(reconcile("fix").error);
  EXPECT_EQ(reads(), before);
}

TEST_F(ApprovalInPlaceTest, AnApprovalIsHandedToTheWaitingPodWithoutANewRun) {
  waiting_for("terraform plan");
  decide("approvals", {{"command", "terraform plan"}, {"approvedBy", "alice"}, {"approvedAt", "2026-01-01T00:00:09Z"}});
  const ReconcileResult r = reconcile("fix");
  EXPECT_FALSE(r.error) << *r.error;

  const json pod = api.get(kube::kPods, "team-a", "fix-runner");
  const json d = decision_on(pod, session("fix")["metadata"]["uid"]);
  EXPECT_EQ(d["id"], "1");
  EXPECT_EQ(d["decision"], "approved");
  EXPECT_EQ(d["command"], "terraform plan");
  EXPECT_EQ(d["by"], "alice");
  EXPECT_EQ(api.objects(kube::kPods).size(), 1u) << "no new run";
  EXPECT_EQ(api.objects(kube::kConfigMaps).size(), 1u);
  const json status = session("fix")["status"];
  EXPECT_EQ(status["phase"], "Running");
  ASSERT_EQ(status["approvals"].size(), 1u);
  EXPECT_EQ(status["approvals"][0]["by"], "alice");
  EXPECT_EQ(status["approvals"][0]["inPlace"], true);
  EXPECT_EQ(count_of(events, kReasonApprovalReceived), 1u);
  ASSERT_TRUE(r.requeue_after) << "the runner's next request may follow before its container turns unready";

  // The next look: the annotation is there, nothing is handed or recorded twice.
  sync();
  const auto patches = [&] {
    const auto calls = api.calls();
    return std::count(calls.begin(), calls.end(), "patch pods team-a/fix-runner");
  };
  const auto before = patches();
  EXPECT_FALSE(reconcile("fix").error);
  EXPECT_EQ(patches(), before);
  EXPECT_EQ(session("fix")["status"]["approvals"].size(), 1u);
  EXPECT_EQ(count_of(events, kReasonApprovalReceived), 1u);

  // Its next request follows while the container is still Ready: it replaces the decided one.
  api.set_log("team-a", "fix-runner", "runner", asks("1", "terraform plan") + asks("2", "terraform apply"));
  EXPECT_FALSE(reconcile("fix").error);
  const json next = session("fix")["status"];
  EXPECT_EQ(next["phase"], "AwaitingApproval");
  EXPECT_EQ(next["pendingApproval"]["id"], "2");
  EXPECT_EQ(next["pendingApproval"]["command"], "terraform apply");
  EXPECT_FALSE(next["pendingApproval"].contains("decision"));
}

TEST_F(ApprovalInPlaceTest, ARejectionReachesThePodWithItsReason) {
  waiting_for("rm -rf /data");
  decide("rejections", {{"command", "rm -rf /data"}, {"rejectedBy", "bob"}, {"reason", "never on prod data"}});
  EXPECT_FALSE(reconcile("fix").error);
  const json d = decision_on(api.get(kube::kPods, "team-a", "fix-runner"), session("fix")["metadata"]["uid"]);
  EXPECT_EQ(d["decision"], "rejected");
  EXPECT_EQ(d["reason"], "never on prod data");
  EXPECT_EQ(d["by"], "bob");
  EXPECT_EQ(session("fix")["status"]["approvals"][0]["decision"], "Rejected");
  ASSERT_EQ(count_of(events, kReasonApprovalRejected), 1u);
  for (const auto& e : events) {
    if (e.reason == kReasonApprovalRejected) {
      EXPECT_EQ(e.type, "Warning");
    }
  }
}

// pods/log refused (RBAC) or failing: the session stays Running, nothing is guessed; the next look reads it.
TEST_F(ApprovalInPlaceTest, AnUnreadableLogLeavesTheSessionRunningUntilItCanBeRead) {
  api.create(kube::kDroidSessions, new_session("fix"));
  sync();
  ASSERT_FALSE(reconcile("fix").error);
  runner_running(api, "fix-runner", true);
  api.set_log("team-a", "fix-runner", "runner", asks("1", "make deploy"));
  sync();
  api.fail_next("log", kube::kPods, kube::ApiError(403, "Forbidden", "cannot get resource pods/log", ""));
  EXPECT_FALSE(reconcile("fix").error);
  EXPECT_EQ(session("fix")["status"]["phase"], "Running");
  EXPECT_FALSE(session("fix")["status"].contains("pendingApproval"));
  sync();
  EXPECT_FALSE(reconcile("fix").error);
  EXPECT_EQ(session("fix")["status"]["phase"], "AwaitingApproval");
  EXPECT_EQ(session("fix")["status"]["pendingApproval"]["command"], "make deploy");
}

// The pod deleted while it waited (drain, eviction): once approved, a new run starts
// whose config carries why the first ended and what was approved.
TEST_F(ApprovalInPlaceTest, APodLostWhileWaitingFallsBackToANewRunThatIsNotBlind) {
  waiting_for("terraform plan");
  api.remove(kube::kPods, "team-a", "fix-runner");
  sync();
  EXPECT_FALSE(reconcile("fix").error);
  json status = session("fix")["status"];
  EXPECT_EQ(status["phase"], "AwaitingApproval");
  EXPECT_EQ(status["pendingApproval"]["inPlace"], false);
  EXPECT_EQ(status["pendingApproval"]["endReason"], kReasonPodLostWhileWaiting);
  EXPECT_TRUE(api.objects(kube::kPods).empty());

  decide("approvals", {{"command", "terraform plan"}, {"approvedBy", "alice"}, {"approvedAt", "2026-01-01T00:00:09Z"}});
  EXPECT_FALSE(reconcile("fix").error);
  sync();
  EXPECT_FALSE(reconcile("fix").error);
  status = session("fix")["status"];
  EXPECT_EQ(status["runAttempt"], 2);
  EXPECT_EQ(status["podName"], "fix-runner-2");
  api.get(kube::kPods, "team-a", "fix-runner-2");
  const json cm = api.get(kube::kConfigMaps, "team-a", "fix-config-2");
  const auto config = contract::decode_session_config(cm["data"]["session.json"].get<std::string>());
  ASSERT_TRUE(config.config) << config.error;
  ASSERT_EQ(config.config->earlier_runs.size(), 1u);
  EXPECT_EQ(config.config->earlier_runs[0].run_attempt, 1);
  EXPECT_EQ(config.config->earlier_runs[0].end_reason, kReasonPodLostWhileWaiting);
  EXPECT_EQ(config.config->earlier_runs[0].approved_command, "terraform plan");
  ASSERT_EQ(config.config->approvals.size(), 1u);
  EXPECT_EQ(config.config->approvals[0].command, "terraform plan");
  EXPECT_GT(config.config->approval_wait_seconds, 0);
}

}  // namespace
}  // namespace droid::op
