#include "errors.h"

#include <gtest/gtest.h>

namespace droid::kubectl {
namespace {

Context context() {
  Context c;
  c.source = "kubeconfig /home/dev/.kube/config";
  c.config.server = "https://10.0.0.1:6443";
  return c;
}

const Operation kCreate{"create", "droidsessions.droid.dev", "team-a", "fix-it"};

TEST(Errors, WebhookPolicyRefusalIsDeniedWithTheServersMessage) {
  const kube::ApiError e(403, "Forbidden",
                         "admission webhook \"validate.droidsessions.droid.dev\" denied the request: spec.model: "
                         "\"gpt-x\" is not allowed by OrgPolicy baseline (allowed: small)",
                         "{}");
  EXPECT_TRUE(refused_at_admission(e));
  EXPECT_EQ(exit_code_for_api_error(e), kExitDenied);
  const std::string m = explain_api_error(e, kCreate, context());
  EXPECT_EQ(m.rfind("denied by policy at admission: ", 0), 0U) << m;
  EXPECT_NE(m.find("spec.model"), std::string::npos) << m;
  EXPECT_NE(m.find("kubectl droid policy explain -n team-a"), std::string::npos) << m;
  EXPECT_EQ(m.find("Role"), std::string::npos) << "a policy refusal is not an RBAC problem: " << m;
}

TEST(Errors, RbacRefusalNamesThePermissionAndExitsWithTheApiCode) {
  const kube::ApiError e(403, "Forbidden",
                         "droidsessions.droid.dev is forbidden: User \"dev\" cannot create resource \"droidsessions\"",
                         "{}");
  EXPECT_FALSE(refused_at_admission(e));
  EXPECT_EQ(exit_code_for_api_error(e), kExitError);
  const std::string m = explain_api_error(e, kCreate, context());
  EXPECT_NE(m.find("kubectl auth can-i create droidsessions.droid.dev -n team-a"), std::string::npos) << m;
}

TEST(Errors, AnotherProductsWebhookIsNotOurPolicy) {
  // Only droid-operator's webhooks speak for the org policy; a third party's refusal stays an API error.
  for (const std::string message :
       {"admission webhook \"validate.kyverno.svc\" denied the request: label team is required",
        "admission webhook \"droid.dev.evil.example\" denied the request: no",
        "admission webhook \"validate.droidsessions.droid.dev\" failed calling webhook: timeout"}) {
    const kube::ApiError e(403, "Forbidden", message, "{}");
    EXPECT_FALSE(refused_at_admission(e)) << message;
    EXPECT_EQ(exit_code_for_api_error(e), kExitError) << message;
  }
}

TEST(Errors, MissingApiSaysHowToInstallIt) {
  const kube::ApiError e(404, "", "the server could not find the requested resource", "");
  const std::string m = explain_api_error(e, kCreate, context());
  EXPECT_NE(m.find("install the CRDs"), std::string::npos) << m;
}

TEST(Errors, NameTakenSuggestsAnother) {
  const kube::ApiError e(409, "AlreadyExists", "droidsessions.droid.dev \"fix-it\" already exists", "");
  const std::string m = explain_api_error(e, kCreate, context());
  EXPECT_NE(m.find("--generate-name"), std::string::npos) << m;
}

}  // namespace
}  // namespace droid::kubectl
