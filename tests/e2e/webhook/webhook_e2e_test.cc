// The operator's admission webhook (operator/webhook) registered on a real
// kube-apiserver: the test process serves it on https://127.0.0.1:PORT with a
// certificate from a CA it generates, registers a Mutating- and a
// ValidatingWebhookConfiguration with that URL and caBundle, and acts through
// the apiserver as the admin and (kubectl --as) as another user.
//
// KUBECONFIG is required (the tests fail without it); DROID_KUBECTL may name
// kubectl. The webhooks are scoped to this run: DroidSessions by a
// namespaceSelector on the run's label, OrgPolicies (cluster-scoped, where a
// namespaceSelector does not apply) by an objectSelector on the same label, so
// other tests on the cluster are not affected. The configurations, the
// namespaces and the OrgPolicies are deleted at the end, also on failure.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <random>
#include <thread>

#include "kube/client.h"
#include "kube/config.h"
#include "kube/error.h"
#include "kubectl.h"
#include "policy/session_check.h"
#include "webhook/tls_testing.h"
#include "webhook/webhook_server.h"
#include "yaml/yaml_json.h"

namespace droid::op {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using kube::ApiError;
using kube::Client;
using kube::Resource;
using namespace std::chrono_literals;

const Resource kCrds{"apiextensions.k8s.io", "v1", "customresourcedefinitions", false};
const Resource kRoles{"rbac.authorization.k8s.io", "v1", "roles", true};
const Resource kRoleBindings{"rbac.authorization.k8s.io", "v1", "rolebindings", true};

constexpr const char* kRunLabel = "droid-e2e-webhook";
constexpr const char* kOtherUser = "alice@example.com";
constexpr const char* kOtherGroup = "droid-devs";

std::string kubeconfig_path() {
  const char* kc = std::getenv("KUBECONFIG");  // NOLINT(concurrency-mt-unsafe)
  return kc == nullptr ? "" : kc;
}

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout = 30s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(100ms);
  }
  return done();
}

std::string random_suffix() {
  std::random_device rd;
  std::mt19937 gen(rd());
  std::uniform_int_distribution<int> digit(0, 35);
  std::string s;
  for (int i = 0; i < 6; ++i) {
    const int d = digit(gen);
    s += static_cast<char>(d < 10 ? '0' + d : 'a' + d - 10);
  }
  return s;
}

// What the operator would read from its informer caches, here kept by the test.
class ClusterSnapshot {
 public:
  void set_policies(std::vector<policy::OrgPolicy> p) {
    const std::lock_guard lock(mu_);
    policies_ = std::move(p);
  }
  void set_namespace_labels(const std::string& ns, policy::Labels labels) {
    const std::lock_guard lock(mu_);
    labels_[ns] = std::move(labels);
  }
  AdmissionContext context() const {
    const std::lock_guard lock(mu_);
    AdmissionContext c;
    c.policies = policies_;
    c.namespace_labels = [labels = labels_](const std::string& ns) {
      const auto it = labels.find(ns);
      return it == labels.end() ? policy::Labels{} : it->second;
    };
    c.active_sessions = [](const std::string&) { return std::size_t{0}; };
    return c;
  }

 private:
  mutable std::mutex mu_;
  std::vector<policy::OrgPolicy> policies_;
  std::map<std::string, policy::Labels> labels_;
};

// Deletes what the test made on the cluster, webhooks first: a configuration
// left behind with failurePolicy Fail and a dead URL would refuse every
// DroidSession of its scope (and here its scope is only this run's).
struct Cleanup {
  Client* client = nullptr;
  std::string webhook_name;
  std::vector<std::string> namespaces;
  std::vector<std::string> policies;
  ~Cleanup() {
    const auto quietly = [](const std::function<void()>& f) {
      try {
        f();
      } catch (const ApiError& e) {
        if (!e.not_found()) std::cerr << "cleanup: " << e.what() << "\n";
      } catch (const std::exception& e) {
        std::cerr << "cleanup: " << e.what() << "\n";
      }
    };
    if (client == nullptr) return;
    if (!webhook_name.empty()) {
      quietly([&] { client->remove(kube::kValidatingWebhookConfigurations, "", webhook_name); });
      quietly([&] { client->remove(kube::kMutatingWebhookConfigurations, "", webhook_name); });
    }
    for (const auto& p : policies) quietly([&] { client->remove(kube::kOrgPolicies, "", p); });
    for (const auto& ns : namespaces) quietly([&] { client->remove(kube::kNamespaces, "", ns); });
  }
};

class WebhookE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(kubeconfig_path().empty()) << "KUBECONFIG is not set: these tests need a real API server "
                                               "(export KUBECONFIG=$(scripts/cluster/up.sh))";
    client_ = std::make_unique<Client>(kube::load_kubeconfig(kubeconfig_path()));
    cleanup_.client = client_.get();
    run_ = random_suffix();
    ns_ = "webhook-e2e-" + run_;
    webhook_name_ = "droid-webhook-e2e-" + run_;

    // The project's CRDs (server-side apply: they are ours).
    for (const auto& entry : fs::directory_iterator(std::string(DROID_SOURCE_DIR) + "/crds")) {
      if (entry.path().extension() != ".yaml") continue;
      const json crd = yaml::parse_file(entry.path());
      client_->apply(kCrds, crd, "droid-webhook-e2e", /*force=*/true);
      ASSERT_TRUE(eventually([&] {
        for (const auto& c :
             client_->get(kCrds, "", crd["metadata"]["name"])["status"].value("conditions", json::array()))
          if (c["type"] == "Established" && c["status"] == "True") return true;
        return false;
      })) << crd["metadata"]["name"]
          << " not established";
    }

    cleanup_.namespaces.push_back(ns_);
    const json ns = client_->create(
        kube::kNamespaces,
        {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns_}, {"labels", {{kRunLabel, run_}}}}}});
    snapshot_.set_namespace_labels(ns_, ns["metadata"]["labels"].get<policy::Labels>());

    // The webhook server, on a free loopback port, certificate for IP 127.0.0.1.
    dir_ = fs::temp_directory_path() / ("webhook-e2e-" + run_);
    fs::create_directories(dir_);
    write_serving_cert(1);
    for (int attempt = 0; attempt < 5 && !server_; ++attempt) {
      port_ = testing::free_tcp_port();
      auto server = std::make_unique<WebhookServer>(HttpsJsonServerOptions{.address = "127.0.0.1",
                                                                           .port = port_,
                                                                           .cert_file = (dir_ / "tls.crt").string(),
                                                                           .key_file = (dir_ / "tls.key").string(),
                                                                           .reload_interval = 200ms},
                                                    [this] { return snapshot_.context(); });
      try {
        server->start();
        server_ = std::move(server);
      } catch (const std::runtime_error& e) {
        std::cerr << "webhook server did not start, retrying: " << e.what() << "\n";
      }
    }
    ASSERT_TRUE(server_);

    // Registered, scoped to this run.
    WebhookRegistration registration;
    registration.name = webhook_name_;
    registration.client.url = "https://127.0.0.1:" + std::to_string(port_);
    registration.client.ca_bundle_pem = ca_.cert_pem();
    registration.namespace_match_labels = {{kRunLabel, run_}};
    registration.object_match_labels = {{kRunLabel, run_}};
    registration.timeout_seconds = 10;
    const WebhookConfigurations configs = webhook_configurations(registration);
    cleanup_.webhook_name = webhook_name_;
    client_->create(kube::kMutatingWebhookConfigurations, configs.mutating);
    client_->create(kube::kValidatingWebhookConfigurations, configs.validating);

    // The apiserver picks new configurations up asynchronously: wait until a
    // dry-run create comes back stamped.
    ASSERT_TRUE(eventually([&] {
      const auto r = client_->request("POST", kube::kDroidSessions.path(ns_) + "?dryRun=All",
                                      session("probe", "qwen2.5-coder-32b-instruct").dump());
      return r.status == 201 &&
             json::parse(r.body)["metadata"].value("annotations", json::object()).contains(kRequesterAnnotation);
    })) << "the mutating webhook never took effect";
  }

  void write_serving_cert(long serial) {
    const auto leaf = ca_.issue("droid-operator-webhook", {.ip_sans = {"127.0.0.1"}, .serial = serial});
    // Key first, then certificate: a reload between the two sees a mismatch
    // and keeps the old pair.
    std::ofstream(dir_ / "tls.key.tmp") << leaf.key_pem;
    std::ofstream(dir_ / "tls.crt.tmp") << leaf.cert_pem;
    fs::rename(dir_ / "tls.key.tmp", dir_ / "tls.key");
    fs::rename(dir_ / "tls.crt.tmp", dir_ / "tls.crt");
  }

  json session(const std::string& name, const std::string& model, const std::string& ns = "") const {
    json s = yaml::parse_file(std::string(DROID_SOURCE_DIR) + "/deploy/samples/ci-session.yaml");
    s["metadata"]["name"] = name;
    s["metadata"]["namespace"] = ns.empty() ? ns_ : ns;
    s["metadata"]["labels"][kRunLabel] = run_;
    s["spec"]["model"] = model;
    return s;
  }

  json org_policy(const std::string& name, json settings) const {
    return {
        {"apiVersion", "droid.dev/v1alpha1"},
        {"kind", "OrgPolicy"},
        {"metadata", {{"name", name}, {"labels", {{kRunLabel, run_}}}}},
        {"spec", {{"namespaceSelector", {{"matchLabels", {{kRunLabel, run_}}}}}, {"settings", std::move(settings)}}}};
  }

  static json requester_of(const json& object) {
    return json::parse(object["metadata"]["annotations"][kRequesterAnnotation].get<std::string>());
  }

  std::string username() {
    const auto r =
        client_->request("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews",
                         json{{"apiVersion", "authentication.k8s.io/v1"}, {"kind", "SelfSubjectReview"}}.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return json::parse(r.body)["status"]["userInfo"]["username"];
  }

  // Lets kOtherUser create and read DroidSessions in the test namespace.
  void grant_other_user() {
    client_->create(kRoles, {{"apiVersion", "rbac.authorization.k8s.io/v1"},
                             {"kind", "Role"},
                             {"metadata", {{"name", "session-creator"}, {"namespace", ns_}}},
                             {"rules",
                              {{{"apiGroups", {"droid.dev"}},
                                {"resources", {"droidsessions"}},
                                {"verbs", {"create", "get", "patch", "update"}}}}}});
    client_->create(
        kRoleBindings,
        {{"apiVersion", "rbac.authorization.k8s.io/v1"},
         {"kind", "RoleBinding"},
         {"metadata", {{"name", "session-creator"}, {"namespace", ns_}}},
         {"roleRef", {{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "Role"}, {"name", "session-creator"}}},
         {"subjects", {{{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "User"}, {"name", kOtherUser}}}}});
  }

  testing::TestCa ca_{"webhook-e2e-ca"};
  std::string run_;
  std::string ns_;
  std::string webhook_name_;
  int port_ = 0;
  fs::path dir_;
  ClusterSnapshot snapshot_;
  std::unique_ptr<Client> client_;
  std::unique_ptr<WebhookServer> server_;
  Cleanup cleanup_;  // destroyed before server_ and client_
};

TEST_F(WebhookE2E, StampsTheAuthenticatedCreator) {
  const std::string admin = username();
  ASSERT_FALSE(admin.empty());
  const json created = client_->create(kube::kDroidSessions, session("by-admin", "qwen2.5-coder-32b-instruct"));
  const json requester = requester_of(created);
  EXPECT_EQ(requester["username"], admin);
  EXPECT_TRUE(requester["groups"].is_array());

  // A forged annotation is replaced by the real creator.
  json forged = session("forged", "qwen2.5-coder-32b-instruct");
  forged["metadata"]["annotations"][kRequesterAnnotation] = R"({"username":"ceo@example.com"})";
  EXPECT_EQ(requester_of(client_->create(kube::kDroidSessions, forged))["username"], admin);

  // Another user, through impersonation.
  grant_other_user();
  const auto kubectl = e2e::Kubectl::FromEnvironment();
  const auto out = kubectl.Run(
      {"create", "-f", "-", "-o", "json", std::string("--as=") + kOtherUser, std::string("--as-group=") + kOtherGroup},
      session("by-alice", "qwen2.5-coder-32b-instruct").dump());
  ASSERT_TRUE(out.ok()) << out.describe();
  const json alice = requester_of(json::parse(out.out));
  EXPECT_EQ(alice["username"], kOtherUser);
  const auto groups = alice["groups"].get<std::vector<std::string>>();
  EXPECT_NE(std::find(groups.begin(), groups.end(), kOtherGroup), groups.end()) << alice.dump();
  EXPECT_NE(std::find(groups.begin(), groups.end(), "system:authenticated"), groups.end()) << alice.dump();
  // Stored as stamped.
  EXPECT_EQ(requester_of(client_->get(kube::kDroidSessions, ns_, "by-alice"))["username"], kOtherUser);
}

TEST_F(WebhookE2E, ANamespaceOutsideTheScopeIsNotTouched) {
  const std::string other = ns_ + "-out";
  cleanup_.namespaces.push_back(other);
  client_->create(kube::kNamespaces, {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", other}}}});
  const json created = client_->create(kube::kDroidSessions, session("unscoped", "qwen2.5-coder-32b-instruct", other));
  EXPECT_FALSE(created["metadata"].value("annotations", json::object()).contains(kRequesterAnnotation))
      << created["metadata"].dump();
}

TEST_F(WebhookE2E, RefusesASessionThePolicyForbidsWithTheReconcilersMessage) {
  const std::string name = "webhook-e2e-" + run_ + "-models";
  cleanup_.policies.push_back(name);
  const json created = client_->create(kube::kOrgPolicies, org_policy(name, {{"models", {{"denied", {"gpt-4o"}}}}}));
  snapshot_.set_policies({{name, created["spec"]}});

  try {
    client_->create(kube::kDroidSessions, session("forbidden", "gpt-4o"));
    FAIL() << "a session with a denied model was created";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), 403) << e.body();
    const std::string& message = e.status_message();
    EXPECT_NE(message.find("denied the request"), std::string::npos) << message;  // the apiserver's wording
    EXPECT_NE(message.find("spec.model"), std::string::npos) << message;
    // Exactly the refusals the reconciler computes.
    const auto plan =
        policy::plan_session(session("forbidden", "gpt-4o")["spec"],
                             policy::resolve(policy::governing_policies(snapshot_.context().policies,
                                                                        snapshot_.context().namespace_labels(ns_))),
                             0);
    ASSERT_FALSE(plan.refusals.empty());
    for (const auto& r : plan.refusals)
      EXPECT_NE(message.find(r.reason + ": " + r.str()), std::string::npos) << message;
  }
  EXPECT_THROW(client_->get(kube::kDroidSessions, ns_, "forbidden"), ApiError);
  // An allowed model still goes through.
  EXPECT_NO_THROW(client_->create(kube::kDroidSessions, session("allowed", "qwen2.5-coder-32b-instruct")));
}

TEST_F(WebhookE2E, RefusesAnOrgPolicyWithInvalidSettings) {
  const std::string name = "webhook-e2e-" + run_ + "-bad";
  cleanup_.policies.push_back(name);
  try {
    client_->create(
        kube::kOrgPolicies,
        org_policy(name, {{"shield", {{"customPatterns", {{{"name", "broken"}, {"regex", "(unclosed"}}}}}}}));
    FAIL() << "an OrgPolicy with an invalid RE2 pattern was created";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), 403) << e.body();
    EXPECT_NE(e.status_message().find("spec.settings.shield.customPatterns[0].regex"), std::string::npos)
        << e.status_message();
  }
  EXPECT_THROW(client_->get(kube::kOrgPolicies, "", name), ApiError);
}

TEST_F(WebhookE2E, RefusesAChangeOfTheRequester) {
  client_->create(kube::kDroidSessions, session("immutable", "qwen2.5-coder-32b-instruct"));
  try {
    client_->patch(kube::kDroidSessions, ns_, "immutable", kube::PatchType::Merge,
                   {{"metadata", {{"annotations", {{kRequesterAnnotation, R"({"username":"mallory"})"}}}}}});
    FAIL() << "the requester annotation was changed";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), 403) << e.body();
    EXPECT_NE(e.status_message().find("metadata.annotations[droid.dev/requester]"), std::string::npos)
        << e.status_message();
  }
  // Other changes are allowed.
  EXPECT_NO_THROW(client_->patch(kube::kDroidSessions, ns_, "immutable", kube::PatchType::Merge,
                                 {{"metadata", {{"labels", {{"extra", "yes"}}}}}}));
}

TEST_F(WebhookE2E, KeepsWorkingAcrossACertificateRotationAndARestart) {
  ASSERT_EQ(server_->https().credentials()->serial(), "01");
  write_serving_cert(2);
  ASSERT_TRUE(eventually([&] { return server_->https().credentials()->serial() == "02"; }, 10s));
  const json a = client_->create(kube::kDroidSessions, session("after-rotation", "qwen2.5-coder-32b-instruct"));
  EXPECT_TRUE(a["metadata"]["annotations"].contains(kRequesterAnnotation));

  // A restart on the same port: the apiserver's kept-alive connections break and it reconnects.
  // A request racing with the restart may still go to a connection the apiserver has not yet
  // seen closed ("broken pipe", seen when two runs share the machine) and fail, as any
  // request to a webhook being restarted can: wait until a dry run gets through, then create.
  server_->stop();
  server_->start();
  EXPECT_EQ(server_->https().credentials()->serial(), "02");
  ASSERT_TRUE(eventually([&] {
    const auto r = client_->request("POST", kube::kDroidSessions.path(ns_) + "?dryRun=All",
                                    session("probe", "qwen2.5-coder-32b-instruct").dump());
    return r.status == 201;
  })) << "the webhook did not come back after its restart";
  const json b = client_->create(kube::kDroidSessions, session("after-restart", "qwen2.5-coder-32b-instruct"));
  EXPECT_TRUE(b["metadata"]["annotations"].contains(kRequesterAnnotation));
}

}  // namespace
}  // namespace droid::op
