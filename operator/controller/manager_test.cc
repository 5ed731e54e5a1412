// The Manager on the in-memory API server (kube::MemoryApi with its watches): its
// reflectors fill the caches from the twin's watch events, as from a real server,
// so the wiring is tested end to end without a cluster: a standby writes nothing,
// a leader resumes from the caches, pod events move sessions, a finished session
// wakes the one waiting for its slot, and a compaction loses nothing.
#include "controller/manager.h"

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "kube/memory_api.h"
#include "reconcile/rfc3339.h"

namespace droid::op {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout = 20s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return done();
}

json org_policy(json limits = json::object()) {
  json spec = {{"settings", {{"sessionDefaults", {{"model", "qwen"}}}}},
               {"gateways", {{{"name", "vllm"}, {"provider", "openai"}, {"baseURL", "http://vllm.llm:8000/v1"}}}}};
  if (!limits.empty()) spec["limits"] = std::move(limits);
  return {{"apiVersion", "droid.dev/v1alpha1"},
          {"kind", "OrgPolicy"},
          {"metadata", {{"name", "baseline"}}},
          {"spec", std::move(spec)}};
}

json new_session(const std::string& name) {
  return {{"apiVersion", "droid.dev/v1alpha1"},
          {"kind", "DroidSession"},
          {"metadata", {{"name", name}, {"namespace", "team-a"}}},
          {"spec", {{"prompt", "fix the tests"}}}};
}

class ManagerTest : public ::testing::Test {
 protected:
  // Objects are created "now": the session controller's own clock must not time them out.
  ManagerTest() : api(format_rfc3339(Clock::now())) {
    api.create(kube::kNamespaces, {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "team-a"}}}});
  }
  ~ManagerTest() override {
    if (manager) manager->stop();
  }

  void start(bool lead = true) {
    ManagerOptions options;
    options.session_workers = 2;
    options.session.timing.wait_recheck = std::chrono::hours(1);  // only an event may wake a waiting session
    manager = std::make_unique<Manager>(api, options);
    manager->start_informers();
    ASSERT_TRUE(manager->wait_for_sync(10s));
    if (lead) manager->start_controllers();
  }

  bool has(const kube::Resource& r, const std::string& name) {
    try {
      api.get(r, "team-a", name);
      return true;
    } catch (const kube::ApiError&) {
      return false;
    }
  }
  std::string phase(const std::string& session) {
    return api.get(kube::kDroidSessions, "team-a", session).value("status", json::object()).value("phase", "");
  }
  std::size_t pod_creates() {
    std::size_t n = 0;
    for (const auto& c : api.calls())
      if (c.rfind("create pods ", 0) == 0) ++n;
    return n;
  }
  // The kubelet's report on a runner pod.
  void report(const std::string& pod, json status) {
    json p = api.get(kube::kPods, "team-a", pod);
    p["status"] = std::move(status);
    api.replace(kube::kPods, p, "status");
  }

  kube::MemoryApi api;
  std::unique_ptr<Manager> manager;
};

TEST_F(ManagerTest, AStandbyKeepsWarmCachesAndWritesNothingUntilItLeads) {
  api.create(kube::kOrgPolicies, org_policy());
  api.create(kube::kDroidSessions, new_session("early"));
  start(/*lead=*/false);
  EXPECT_EQ(manager->caches().sessions->size(), 1U);
  EXPECT_EQ(manager->caches().policies->size(), 1U);
  EXPECT_EQ(manager->caches().namespaces->size(), 1U);
  api.create(kube::kDroidSessions, new_session("while-standing-by"));
  ASSERT_TRUE(eventually([&] { return manager->caches().sessions->size() == 2; }));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(pod_creates(), 0U) << "a standby reconciles nothing";
  EXPECT_FALSE(manager->controllers_running());

  // Leading, it resumes from what the caches show: both sessions get their pods.
  manager->start_controllers();
  ASSERT_TRUE(
      eventually([&] { return has(kube::kPods, "early-runner") && has(kube::kPods, "while-standing-by-runner"); }));
  EXPECT_TRUE(has(kube::kConfigMaps, "early-config"));
  EXPECT_TRUE(has(kube::kNetworkPolicies, "early-egress"));
  ASSERT_TRUE(eventually([&] {
    const json s = api.get(kube::kDroidSessions, "team-a", "early");
    return s.value("status", json::object()).value("podName", "") == "early-runner";
  }));
  // The caches follow the operator's own writes: the webhook's view counts both slots.
  EXPECT_TRUE(eventually([&] { return manager->active_sessions("team-a") == 2; }));
  EXPECT_TRUE(eventually([&] { return manager->sessions_by_phase()["Pending"] == 2; }));
  EXPECT_EQ(pod_creates(), 2U) << "one pod per session, however many events it saw";
}

TEST_F(ManagerTest, ThePodsEventsMoveItsSession) {
  api.create(kube::kOrgPolicies, org_policy());
  start();
  api.create(kube::kDroidSessions, new_session("s"));
  ASSERT_TRUE(eventually([&] { return has(kube::kPods, "s-runner"); }));
  report("s-runner",
         {{"phase", "Running"},
          {"startTime", format_rfc3339(Clock::now())},
          {"containerStatuses", {{{"name", "runner"}, {"ready", true}, {"state", {{"running", json::object()}}}}}}});
  EXPECT_TRUE(eventually([&] { return phase("s") == "Running"; })) << phase("s");
  EXPECT_TRUE(eventually([&] { return manager->sessions_by_phase()["Running"] == 1; }));
}

TEST_F(ManagerTest, AFinishedSessionWakesTheOneWaitingForItsSlot) {
  api.create(kube::kOrgPolicies, org_policy({{"maxConcurrentSessionsPerNamespace", 1}}));
  start();
  api.create(kube::kDroidSessions, new_session("first"));
  ASSERT_TRUE(eventually([&] { return has(kube::kPods, "first-runner"); }));
  api.create(kube::kDroidSessions, new_session("second"));
  ASSERT_TRUE(eventually([&] {
    const json s = api.get(kube::kDroidSessions, "team-a", "second");
    return s.contains("status") && s["status"].contains("conditions");
  }));
  std::this_thread::sleep_for(300ms);
  EXPECT_FALSE(has(kube::kPods, "second-runner")) << "the namespace's one slot is taken";
  EXPECT_EQ(phase("second"), "Pending");

  // The first run ends (its deadline): the second starts at once, not at its hourly recheck.
  report("first-runner", {{"phase", "Failed"}, {"reason", "DeadlineExceeded"}});
  ASSERT_TRUE(eventually([&] { return phase("first") == "TimedOut"; })) << phase("first");
  EXPECT_TRUE(eventually([&] { return has(kube::kPods, "second-runner"); }));
}

TEST_F(ManagerTest, ACompactionWhileTheWatchesAreDownLosesNothing) {
  api.create(kube::kOrgPolicies, org_policy());
  start();
  api.create(kube::kDroidSessions, new_session("before"));
  ASSERT_TRUE(eventually([&] { return has(kube::kPods, "before-runner"); }));
  // A write the manager does not watch, everything up to it compacted, the watches
  // ended: every reflector's resume is refused (410) and relists.
  api.create(
      kube::kConfigMaps,
      {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", "unwatched"}, {"namespace", "team-a"}}}});
  api.compact();
  api.close_watches();
  api.create(kube::kDroidSessions, new_session("after"));
  EXPECT_TRUE(eventually([&] { return has(kube::kPods, "after-runner"); }));
  ASSERT_TRUE(eventually([&] {
    const auto stats = manager->reflector_stats();
    for (const char* r : {"droidsessions", "pods", "orgpolicies", "namespaces"})
      if (stats.at(r).expired < 1 || stats.at(r).lists < 2) return false;
    return true;
  })) << "each reflector relisted after the 410: "
      << [&] {
           std::string out;
           for (const auto& [r, st] : manager->reflector_stats())
             out += r + " lists " + std::to_string(st.lists) + " expired " + std::to_string(st.expired) + " errors " +
                    std::to_string(st.errors) + "; ";
           return out;
         }();
  EXPECT_TRUE(
      eventually([&] { return manager->caches().sessions->size() == 2 && manager->caches().pods->size() == 2; }));
  EXPECT_EQ(pod_creates(), 2U);
}

}  // namespace
}  // namespace droid::op
