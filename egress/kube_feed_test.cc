// The Kubernetes feed on MemoryApi (libdroid/kube's in-memory API server twin):
// grants, Secrets and runner pods reach the session registry through reflectors as
// they would from a real API server.
#include "kube_feed.h"

#include <functional>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "contract/egress_token.h"
#include "credential.h"
#include "kube/memory_api.h"

namespace droid::egress {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

const std::string kNs = "droid-system";
const std::string kKey(40, 'k');
const char* const kUid = "0a1b2c3d-0000-4000-8000-000000000001";

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return done();
}

json secret(const std::string& name, const std::map<std::string, std::string>& data) {
  json d = json::object();
  for (const auto& [k, v] : data) d[k] = base64(v);
  return {{"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", {{"name", name}, {"namespace", kNs}}}, {"data", d}};
}

json grant_map(const std::string& ns, const std::string& text, const std::string& component = "egress-grant") {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata",
           {{"name", "droid-egress-" + std::string(kUid)},
            {"namespace", ns},
            {"labels", {{"app.kubernetes.io/component", component}, {"droid.dev/session", "fix-bug"}}}}},
          {"data", {{"grant.json", text}}}};
}

std::string grant_text() {
  return json{{"version", 1},
              {"session", {{"namespace", "team-a"}, {"name", "fix-bug"}, {"uid", kUid}}},
              {"podName", "fix-bug-runner-1"},
              {"expiresAt", "2200-01-01T00:00:00Z"},
              {"destinations",
               {{{"name", "llm"},
                 {"kind", "http"},
                 {"hosts", {"llm.test"}},
                 {"scheme", "http"},
                 {"credential", {{"type", "bearer"}, {"secretRef", {{"name", "llm-key"}, {"key", "api-key"}}}}}}}}}
      .dump();
}

json pod(const std::string& ns, const std::string& name, bool labelled = true) {
  json labels = labelled ? json{{"droid.dev/session", "fix-bug"}} : json::object();
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", name}, {"namespace", ns}, {"labels", labels}}},
          {"spec", {{"containers", {{{"name", "runner"}, {"image", "r"}}}}}}};
}

void set_pod_status(kube::MemoryApi& api, const std::string& ns, const std::string& name, const json& status) {
  api.patch(kube::kPods, ns, name, kube::PatchType::Merge, {{"status", status}}, "status");
}

class KubeFeedTest : public ::testing::Test {
 protected:
  Refusal refusal(const std::string& ip = "10.88.0.7") const {
    return registry
        ->identify(contract::egress_token(kKey, {"team-a", "fix-bug", kUid, "fix-bug-runner-1"}), ip, Clock::now())
        .refusal;
  }
  bool has_problem(const std::string& text) {
    std::lock_guard lock(mu);
    for (const auto& p : problems) {
      if (p.find(text) != std::string::npos) return true;
    }
    return false;
  }
  KubeFeedOptions options() {
    return {kNs, [this](const std::string& m, const std::string& d) {
              std::lock_guard lock(mu);
              problems.push_back(m + ": " + d);
            }};
  }

  kube::MemoryApi api;
  std::shared_ptr<SessionRegistry> registry = std::make_shared<SessionRegistry>();
  std::shared_ptr<SessionTable> table = std::make_shared<SessionTable>(registry);
  std::mutex mu;
  std::vector<std::string> problems;
};

TEST_F(KubeFeedTest, GrantsSecretsAndPodsBecomeSessions) {
  api.create(kube::kSecrets, secret("llm-key", {{"api-key", "sk-from-secret"}}));
  api.create(kube::kConfigMaps, grant_map(kNs, grant_text()));
  api.create(kube::kPods, pod("team-a", "fix-bug-runner-1"));
  set_pod_status(api, "team-a", "fix-bug-runner-1", {{"phase", "Running"}, {"podIP", "10.88.0.7"}});

  KubeFeed feed(api, table, options());
  feed.start();
  EXPECT_FALSE(feed.wait_until_ready(300ms));
  EXPECT_NE(feed.why_not_ready().find("droid-egress-token-key"), std::string::npos) << feed.why_not_ready();
  EXPECT_EQ(refusal(), Refusal::UnknownToken) << "no key: no session";

  api.create(kube::kSecrets, secret("droid-egress-token-key", {{"key", kKey}}));
  ASSERT_TRUE(feed.wait_until_ready(10s)) << feed.why_not_ready();
  ASSERT_TRUE(eventually([&] { return refusal() == Refusal::None; }));
  const auto id = registry->identify(contract::egress_token(kKey, {"team-a", "fix-bug", kUid, "fix-bug-runner-1"}),
                                     "10.88.0.7", Clock::now());
  EXPECT_EQ(id.session->destinations[0].credential.value, "sk-from-secret");

  // The Secret changes: the session follows.
  api.replace(kube::kSecrets, secret("llm-key", {{"api-key", "sk-rotated"}}));
  EXPECT_TRUE(eventually([&] {
    const auto s = registry->identify(contract::egress_token(kKey, {"team-a", "fix-bug", kUid, "fix-bug-runner-1"}),
                                      "10.88.0.7", Clock::now());
    return s.session && s.session->destinations[0].credential.value == "sk-rotated";
  }));

  // The pod finishes: its address may be another pod's now.
  set_pod_status(api, "team-a", "fix-bug-runner-1", {{"phase", "Succeeded"}, {"podIP", "10.88.0.7"}});
  EXPECT_TRUE(eventually([&] { return refusal() == Refusal::PodPending; }));
  api.remove(kube::kPods, "team-a", "fix-bug-runner-1");

  // The operator deletes the grant: the token is refused at once.
  api.remove(kube::kConfigMaps, kNs, "droid-egress-" + std::string(kUid));
  EXPECT_TRUE(eventually([&] { return refusal() == Refusal::Finished; }));

  // The key Secret goes: not ready, and every token is refused.
  api.remove(kube::kSecrets, kNs, "droid-egress-token-key");
  EXPECT_TRUE(eventually([&] { return !feed.ready(); }));
  EXPECT_TRUE(has_problem("deleted"));
  feed.stop();
}

TEST_F(KubeFeedTest, OnlyGrantsOfItsNamespaceWithTheLabelCount) {
  api.create(kube::kSecrets, secret("droid-egress-token-key", {{"key", kKey}}));
  api.create(kube::kSecrets, secret("llm-key", {{"api-key", "sk"}}));
  api.create(kube::kConfigMaps, grant_map("team-a", grant_text()));  // written where the runner's owner can write
  json unlabelled = grant_map(kNs, grant_text(), "something-else");
  unlabelled["metadata"]["name"] = "not-a-grant";
  api.create(kube::kConfigMaps, unlabelled);
  api.create(kube::kPods, pod("team-a", "fix-bug-runner-1"));
  set_pod_status(api, "team-a", "fix-bug-runner-1", {{"phase", "Running"}, {"podIP", "10.88.0.7"}});
  KubeFeed feed(api, table, options());
  feed.start();
  ASSERT_TRUE(feed.wait_until_ready(10s)) << feed.why_not_ready();
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(refusal(), Refusal::UnknownToken);
  EXPECT_EQ(table->grants(), 0u);

  // A broken grant is reported and refuses its session; a fixed one works.
  api.create(kube::kConfigMaps, grant_map(kNs, "{\"version\": 2}"));
  EXPECT_TRUE(eventually([&] { return has_problem("is not a grant version"); }));
  EXPECT_EQ(refusal(), Refusal::UnknownToken);
  api.replace(kube::kConfigMaps, grant_map(kNs, grant_text()));
  EXPECT_TRUE(eventually([&] { return refusal() == Refusal::None; }));

  // A bad key is reported and refuses everything.
  api.replace(kube::kSecrets, secret("droid-egress-token-key", {{"key", "short"}}));
  EXPECT_TRUE(eventually([&] { return has_problem("unusable"); }));
  EXPECT_TRUE(eventually([&] { return refusal() == Refusal::Finished; }));
  feed.stop();
}

// A runner pod without the label is not watched (the RBAC is cluster-wide; the
// selector keeps the cache to runner pods).
TEST_F(KubeFeedTest, PodsWithoutTheSessionLabelAreNotWatched) {
  api.create(kube::kSecrets, secret("droid-egress-token-key", {{"key", kKey}}));
  api.create(kube::kSecrets, secret("llm-key", {{"api-key", "sk"}}));
  api.create(kube::kConfigMaps, grant_map(kNs, grant_text()));
  api.create(kube::kPods, pod("team-a", "fix-bug-runner-1", /*labelled=*/false));
  set_pod_status(api, "team-a", "fix-bug-runner-1", {{"phase", "Running"}, {"podIP", "10.88.0.7"}});
  KubeFeed feed(api, table, options());
  feed.start();
  ASSERT_TRUE(feed.wait_until_ready(10s)) << feed.why_not_ready();
  EXPECT_TRUE(eventually([&] { return refusal() == Refusal::PodPending; }));
  feed.stop();
}

}  // namespace
}  // namespace droid::egress
