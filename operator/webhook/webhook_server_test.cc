#include "webhook/webhook_server.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <vector>

#include "log/log.h"
#include "webhook/tls_testing.h"

namespace droid::op {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using testing::https_request;
using testing::post_request;
using testing::TestCa;

constexpr const char* kSecretPrompt = "fix the bug; the token is hunter2-SECRET";

json review(const std::string& kind, const std::string& operation, json object, json old = nullptr) {
  json request = {{"uid", "uid-" + kind + "-" + operation},
                  {"kind", {{"group", "droid.dev"}, {"version", "v1alpha1"}, {"kind", kind}}},
                  {"namespace", kind == "OrgPolicy" ? "" : "team-a"},
                  {"name", "obj-1"},
                  {"operation", operation},
                  {"userInfo", {{"username", "alice@example.com"}, {"uid", "u-42"}, {"groups", {"devs"}}}},
                  {"object", std::move(object)}};
  if (!old.is_null()) request["oldObject"] = std::move(old);
  return {{"apiVersion", "admission.k8s.io/v1"}, {"kind", "AdmissionReview"}, {"request", request}};
}

class WebhookServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("webhook-server-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    const auto leaf = ca_.issue("droid-operator-webhook", {.ip_sans = {"127.0.0.1"}, .serial = 77});
    std::ofstream(dir_ / "tls.crt") << leaf.cert_pem;
    std::ofstream(dir_ / "tls.key") << leaf.key_pem;
    log::set_sink([this](const std::string& line) {
      const std::lock_guard lock(mu_);
      lines_.push_back(line);
    });
    for (int attempt = 0; attempt < 5 && !server_; ++attempt) {
      auto server = std::make_unique<WebhookServer>(
          HttpsJsonServerOptions{.address = "127.0.0.1",
                                 .port = testing::free_tcp_port(),
                                 .cert_file = (dir_ / "tls.crt").string(),
                                 .key_file = (dir_ / "tls.key").string()},
          [this] {
            ++contexts_built_;
            AdmissionContext c;
            c.policies = {{"baseline", {{"settings", {{"models", {{"denied", {"gpt-4o"}}}}}}}}};
            c.namespace_labels = [](const std::string&) { return policy::Labels{}; };
            c.active_sessions = [](const std::string&) { return std::size_t{0}; };
            return c;
          });
      try {
        server->start();
        server_ = std::move(server);
      } catch (const std::runtime_error& e) {
        std::cerr << "start failed, retrying on another port: " << e.what() << "\n";
      }
    }
    ASSERT_TRUE(server_);
  }
  void TearDown() override {
    server_.reset();
    log::set_sink(nullptr);
    fs::remove_all(dir_);
  }
  json call(const std::string& path, const json& body) {
    const auto a = https_request(server_->https().options().port, ca_.cert_pem(), post_request(path, body.dump()));
    EXPECT_EQ(a.status, 200) << a.body;
    return json::parse(a.body);
  }
  // The decision lines logged so far.
  std::vector<json> decisions() {
    const std::lock_guard lock(mu_);
    std::vector<json> out;
    for (const auto& l : lines_) {
      json j = json::parse(l);
      if (j.value("logger", "") == "webhook.admission") out.push_back(j);
    }
    return out;
  }
  std::string all_logs() {
    const std::lock_guard lock(mu_);
    std::string out;
    for (const auto& l : lines_) out += l + "\n";
    return out;
  }

  TestCa ca_{"webhook-ca"};
  fs::path dir_;
  std::mutex mu_;
  std::vector<std::string> lines_;
  std::atomic<int> contexts_built_{0};
  std::unique_ptr<WebhookServer> server_;
};

TEST_F(WebhookServerTest, MutateStampsTheRequester) {
  const json answer =
      call(kMutateSessionPath, review("DroidSession", "CREATE", {{"spec", {{"prompt", kSecretPrompt}}}}));
  EXPECT_EQ(answer["kind"], "AdmissionReview");
  EXPECT_EQ(answer["response"]["uid"], "uid-DroidSession-CREATE");
  EXPECT_EQ(answer["response"]["allowed"], true);
  EXPECT_EQ(answer["response"]["patchType"], "JSONPatch");
  const auto d = decisions();
  ASSERT_EQ(d.size(), 1U) << all_logs();
  EXPECT_EQ(d[0]["msg"], "admitted");
  EXPECT_EQ(d[0]["endpoint"], kMutateSessionPath);
  EXPECT_EQ(d[0]["uid"], "uid-DroidSession-CREATE");
  EXPECT_EQ(d[0]["kind"], "droid.dev/DroidSession");
  EXPECT_EQ(d[0]["namespace"], "team-a");
  EXPECT_EQ(d[0]["name"], "obj-1");
  EXPECT_EQ(d[0]["user"], "alice@example.com");
  EXPECT_EQ(d[0]["allowed"], true);
  EXPECT_EQ(d[0]["patched"], true);
}

TEST_F(WebhookServerTest, ValidateRefusesWhatThePolicyForbidsAndLogsWhyButNotTheObject) {
  const json answer = call(kValidateSessionPath, review("DroidSession", "CREATE",
                                                        {{"spec", {{"prompt", kSecretPrompt}, {"model", "gpt-4o"}}}}));
  EXPECT_EQ(answer["response"]["allowed"], false);
  const std::string message = answer["response"]["status"]["message"];
  EXPECT_NE(message.find("spec.model"), std::string::npos) << message;
  EXPECT_EQ(contexts_built_.load(), 1);
  const auto d = decisions();
  ASSERT_EQ(d.size(), 1U);
  EXPECT_EQ(d[0]["msg"], "refused");
  EXPECT_EQ(d[0]["allowed"], false);
  EXPECT_EQ(d[0]["code"], 403);
  EXPECT_EQ(d[0]["message"], message);
  EXPECT_EQ(all_logs().find("hunter2"), std::string::npos) << "the prompt leaked into the logs:\n" << all_logs();

  EXPECT_EQ(call(kValidateSessionPath, review("DroidSession", "CREATE",
                                              {{"spec", {{"prompt", "x"}, {"model", "qwen"}}}}))["response"]["allowed"],
            true);
}

TEST_F(WebhookServerTest, ValidateRefusesARequesterChange) {
  const json old = {{"metadata", {{"annotations", {{kRequesterAnnotation, "a"}}}}}};
  const json changed = {{"metadata", {{"annotations", {{kRequesterAnnotation, "b"}}}}}};
  const json answer = call(kValidateSessionPath, review("DroidSession", "UPDATE", changed, old));
  EXPECT_EQ(answer["response"]["allowed"], false);
}

TEST_F(WebhookServerTest, ValidatesOrgPolicies) {
  const json bad = {{"spec", {{"settings", {{"shield", {{"customPatterns", {{{"name", "p"}, {"regex", "(a"}}}}}}}}}}};
  const json answer = call(kValidatePolicyPath, review("OrgPolicy", "CREATE", bad));
  EXPECT_EQ(answer["response"]["allowed"], false);
  EXPECT_NE(answer["response"]["status"]["message"].get<std::string>().find("customPatterns[0].regex"),
            std::string::npos);
  EXPECT_EQ(
      call(kValidatePolicyPath, review("OrgPolicy", "CREATE", {{"spec", {{"priority", 1}}}}))["response"]["allowed"],
      true);
}

TEST_F(WebhookServerTest, AReviewWithoutRequestIsRefusedNotAllowed) {
  const json answer = call(kValidateSessionPath, json::object());
  EXPECT_EQ(answer["response"]["allowed"], false);
  EXPECT_EQ(answer["response"]["status"]["code"], 400);
}

std::string unbase64(const std::string& in) {
  std::string out(in.size(), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  out.resize(static_cast<std::size_t>(n));
  while (!out.empty() && out.back() == '\0') out.pop_back();
  return out;
}

TEST(WebhookConfigurationsTest, RegistersTheThreeWebhooksDeliberately) {
  WebhookRegistration r;
  r.name = "droid-test";
  r.client.url = "https://127.0.0.1:9443";
  r.client.ca_bundle_pem = "-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n";
  r.excluded_namespaces = {"kube-system", "droid-system"};
  r.namespace_match_labels = {{"e2e", "x"}};
  r.object_match_labels = {{"run", "y"}};
  const auto c = webhook_configurations(r);
  EXPECT_EQ(c.mutating["kind"], "MutatingWebhookConfiguration");
  EXPECT_EQ(c.validating["kind"], "ValidatingWebhookConfiguration");
  EXPECT_EQ(c.mutating["metadata"]["name"], "droid-test");
  ASSERT_EQ(c.mutating["webhooks"].size(), 1U);
  ASSERT_EQ(c.validating["webhooks"].size(), 2U);
  const json& m = c.mutating["webhooks"][0];
  EXPECT_EQ(m["clientConfig"]["url"], "https://127.0.0.1:9443/mutate-droidsession");
  EXPECT_EQ(unbase64(m["clientConfig"]["caBundle"]), r.client.ca_bundle_pem);
  EXPECT_EQ(m["rules"][0]["operations"], json::array({"CREATE"}));
  EXPECT_EQ(m["reinvocationPolicy"], "Never");
  for (const json* w : {&m, &c.validating["webhooks"][0], &c.validating["webhooks"][1]}) {
    EXPECT_EQ((*w)["failurePolicy"], "Fail");
    EXPECT_EQ((*w)["sideEffects"], "None");
    EXPECT_EQ((*w)["matchPolicy"], "Equivalent");
    EXPECT_EQ((*w)["timeoutSeconds"], 5);
    EXPECT_EQ((*w)["admissionReviewVersions"], json::array({"v1"}));
    EXPECT_EQ((*w)["namespaceSelector"]["matchExpressions"][0]["values"], json::array({"kube-system", "droid-system"}));
    EXPECT_EQ((*w)["namespaceSelector"]["matchLabels"]["e2e"], "x");
    EXPECT_EQ((*w)["objectSelector"]["matchLabels"]["run"], "y");
  }
  EXPECT_EQ(c.validating["webhooks"][0]["clientConfig"]["url"], "https://127.0.0.1:9443/validate-droidsession");
  EXPECT_EQ(c.validating["webhooks"][1]["clientConfig"]["url"], "https://127.0.0.1:9443/validate-orgpolicy");
  EXPECT_EQ(c.validating["webhooks"][1]["rules"][0]["resources"], json::array({"orgpolicies"}));

  WebhookRegistration in_cluster;
  in_cluster.client = {.service_namespace = "droid-system", .service_name = "droid-operator-webhook"};
  const auto s = webhook_configurations(in_cluster);
  const json& svc = s.validating["webhooks"][0]["clientConfig"]["service"];
  EXPECT_EQ(svc["namespace"], "droid-system");
  EXPECT_EQ(svc["name"], "droid-operator-webhook");
  EXPECT_EQ(svc["port"], 443);
  EXPECT_EQ(svc["path"], "/validate-droidsession");
  EXPECT_FALSE(s.validating["webhooks"][0]["clientConfig"].contains("url"));
  EXPECT_FALSE(s.validating["webhooks"][0].contains("objectSelector"));
}

}  // namespace
}  // namespace droid::op
