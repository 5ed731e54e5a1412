// The objects the operator builds for a session (operator/resources), applied
// to a real API server: the runner pod passes Pod Security "restricted" in a
// namespace that enforces it, and the real garbage collector removes all of
// them when the session is deleted.
#include <gtest/gtest.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <thread>

#include "kubectl.h"
#include "resources/session_objects.h"

namespace droid::e2e {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kManager = "droid-e2e-session-objects";

class SessionObjects : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    kubectl_.emplace(Kubectl::FromEnvironment());
    const std::string crds = std::string(DROID_SOURCE_DIR) + "/crds/";
    auto applied =
        kubectl_->Run({"apply", "--server-side", "--force-conflicts", "--field-manager", kManager, "-f", crds});
    ASSERT_TRUE(applied.ok()) << applied.describe();
    auto established =
        kubectl_->Run({"wait", "--for=condition=Established", "--timeout=60s", "crd/droidsessions.droid.dev"}, {}, 90s);
    ASSERT_TRUE(established.ok()) << established.describe();
    namespace_ = "droid-e2e-objects-" + std::to_string(getpid());
    const std::string ns = R"({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ")" + namespace_ +
                           R"(", "labels": {"pod-security.kubernetes.io/enforce": "restricted",
                                         "pod-security.kubernetes.io/enforce-version": "latest"}}})";
    auto created = kubectl_->Run({"create", "-f", "-"}, ns);
    ASSERT_TRUE(created.ok()) << created.describe();
    // Pods need the namespace's default ServiceAccount, which the controller-manager creates.
    ASSERT_TRUE(kubectl_->WaitForDefaultServiceAccount(namespace_)) << "no default ServiceAccount in " << namespace_;
  }

  static void TearDownTestSuite() {
    if (kubectl_ && !namespace_.empty()) kubectl_->Run({"delete", "namespace", namespace_, "--wait=false"});
  }

  // Creates a DroidSession and returns it as the builders see it.
  static op::SessionRef create_session(const std::string& name) {
    json session = {
        {"apiVersion", "droid.dev/v1alpha1"},
        {"kind", "DroidSession"},
        {"metadata", {{"name", name}, {"namespace", namespace_}}},
        {"spec",
         {{"prompt", "fix the tests"},
          {"model", "qwen"},
          {"repository", {{"url", "https://git.internal/a.git"}, {"credentialsSecretRef", {{"name", "c"}}}}},
          {"resources", {{"limits", {{"cpu", "1"}, {"memory", "1Gi"}}}}}}}};
    auto r = kubectl_->Run({"create", "-o", "json", "-f", "-"}, session.dump());
    EXPECT_TRUE(r.ok()) << r.describe();
    json created = r.ok() ? json::parse(r.out) : json::object();
    return {name, namespace_, created["metadata"].value("uid", ""), created.value("spec", json::object()),
            "fix the tests"};
  }

  static process::Result apply(const json& obj) {
    return kubectl_->Run({"apply", "--server-side", "--field-manager", kManager, "-f", "-"}, obj.dump());
  }

  static policy::EffectivePolicy org() {
    return policy::resolve({{"baseline",
                             {{"runner", {{"image", "droid-runner:e2e"}, {"defaultTimeoutSeconds", 600}}},
                              {"network", {{"egress", {{{"name", "git"}, {"cidrs", {"10.20.0.0/16"}}}}}}}}}});
  }

  static std::optional<Kubectl> kubectl_;
  static std::string namespace_;
};

std::optional<Kubectl> SessionObjects::kubectl_;
std::string SessionObjects::namespace_;

TEST_F(SessionObjects, RunnerPodPassesRestrictedPodSecurity) {
  op::SessionRef s = create_session("restricted-ok");
  ASSERT_FALSE(s.uid.empty());
  const auto policy = org();
  const auto plan = policy::plan_session(s.spec, policy, 0);
  ASSERT_TRUE(plan.ok());
  for (const json& obj : {op::build_config_map(s, policy, plan), op::build_network_policy(s, policy),
                          op::build_pod(s, policy, plan, op::RunnerDefaults{})}) {
    auto r = apply(obj);
    EXPECT_TRUE(r.ok()) << obj["kind"] << ": " << r.describe();
    EXPECT_EQ(r.err.find("Warning"), std::string::npos) << r.err;  // no PodSecurity warnings either
  }
}

TEST_F(SessionObjects, TheNamespaceReallyEnforcesRestricted) {
  // The same pod with one property loosened is refused: the test above can fail.
  op::SessionRef s = create_session("restricted-refused");
  const auto policy = org();
  const auto plan = policy::plan_session(s.spec, policy, 0);
  json pod = op::build_pod(s, policy, plan, op::RunnerDefaults{});
  pod["spec"]["containers"][0]["securityContext"]["allowPrivilegeEscalation"] = true;
  auto r = apply(pod);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.err.find("violates PodSecurity \"restricted:latest\""), std::string::npos) << r.describe();
  EXPECT_NE(r.err.find("allowPrivilegeEscalation != false"), std::string::npos) << r.describe();
}

TEST_F(SessionObjects, DeletingTheSessionGarbageCollectsItsObjects) {
  op::SessionRef s = create_session("collected");
  const auto policy = org();
  const auto plan = policy::plan_session(s.spec, policy, 0);
  ASSERT_TRUE(apply(op::build_config_map(s, policy, plan)).ok());
  ASSERT_TRUE(apply(op::build_network_policy(s, policy)).ok());
  ASSERT_TRUE(apply(op::build_pod(s, policy, plan, op::RunnerDefaults{})).ok());

  auto deleted = kubectl_->Run({"delete", "droidsession", s.name, "-n", namespace_});
  ASSERT_TRUE(deleted.ok()) << deleted.describe();
  const std::string selector = std::string(op::kSessionLabel) + "=" + s.name;
  std::string left;
  for (int i = 0; i < 60; ++i) {  // the garbage collector works within seconds
    auto r = kubectl_->Run({"get", "configmap,networkpolicy,pod", "-n", namespace_, "-l", selector, "-o", "name"});
    ASSERT_TRUE(r.ok()) << r.describe();
    left = r.out;
    if (left.empty()) break;
    std::this_thread::sleep_for(1s);
  }
  EXPECT_EQ(left, "") << "objects still there a minute after the session was deleted";
}

}  // namespace
}  // namespace droid::e2e
