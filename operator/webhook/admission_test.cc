#include "webhook/admission.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "policy/session_check.h"

namespace droid::op {
namespace {

using json = nlohmann::json;

std::string unbase64(const std::string& in) {
  std::string out(in.size(), '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  out.resize(static_cast<std::size_t>(n));
  while (!out.empty() && out.back() == '\0') out.pop_back();  // padding
  return out;
}

json review(const std::string& kind, const std::string& operation, json object, json old = nullptr) {
  json request = {{"uid", "req-1"},
                  {"kind", {{"group", "droid.dev"}, {"version", "v1alpha1"}, {"kind", kind}}},
                  {"namespace", "team-a"},
                  {"operation", operation},
                  {"userInfo", {{"username", "alice@example.com"}, {"uid", "u-42"}, {"groups", {"devs"}}}},
                  {"object", std::move(object)}};
  if (!old.is_null()) request["oldObject"] = std::move(old);
  return {{"apiVersion", "admission.k8s.io/v1"}, {"kind", "AdmissionReview"}, {"request", request}};
}

AdmissionContext context() {
  AdmissionContext c;
  c.policies = {
      {"baseline",
       {{"settings", {{"maxAutonomyLevel", "medium"}, {"models", {{"denied", {"gpt-4o"}}}}}},
        {"limits", {{"maxConcurrentSessionsPerNamespace", 1}}}}},
      {"other-team",
       {{"namespaceSelector", {{"matchLabels", {{"team", "b"}}}}}, {"settings", {{"maxAutonomyLevel", "off"}}}}}};
  c.namespace_labels = [](const std::string& ns) {
    return ns == "team-a" ? policy::Labels{{"team", "a"}} : policy::Labels{};
  };
  c.active_sessions = [](const std::string&) { return std::size_t{0}; };
  return c;
}

TEST(Admission, StampsTheRequesterOnCreate) {
  json r = mutate(review("DroidSession", "CREATE", {{"metadata", {{"name", "s"}}}, {"spec", {{"prompt", "x"}}}}));
  const json& resp = r["response"];
  EXPECT_EQ(resp["uid"], "req-1");
  EXPECT_EQ(resp["allowed"], true);
  EXPECT_EQ(resp["patchType"], "JSONPatch");
  json patch = json::parse(unbase64(resp["patch"]));
  ASSERT_EQ(patch.size(), 2u);
  EXPECT_EQ(patch[0]["path"], "/metadata/annotations");
  EXPECT_EQ(patch[1]["path"], "/metadata/annotations/droid.dev~1requester");
  EXPECT_EQ(json::parse(patch[1]["value"].get<std::string>()),
            json({{"username", "alice@example.com"}, {"uid", "u-42"}, {"groups", {"devs"}}}));
}

TEST(Admission, OverwritesARequesterTheCreatorForged) {
  json forged = {{"metadata", {{"name", "s"}, {"annotations", {{kRequesterAnnotation, R"({"username":"admin"})"}}}}}};
  json patch = json::parse(unbase64(mutate(review("DroidSession", "CREATE", forged))["response"]["patch"]));
  ASSERT_EQ(patch.size(), 1u);
  EXPECT_EQ(patch[0]["op"], "add");  // add replaces an existing member (RFC 6902)
  EXPECT_NE(patch[0]["value"].get<std::string>().find("alice@example.com"), std::string::npos);
}

TEST(Admission, RefusesAChangedRequester) {
  json old = {{"metadata", {{"annotations", {{kRequesterAnnotation, "a"}}}}}};
  json changed = {{"metadata", {{"annotations", {{kRequesterAnnotation, "b"}}}}}};
  json r = validate(review("DroidSession", "UPDATE", changed, old), context());
  EXPECT_EQ(r["response"]["allowed"], false);
  EXPECT_NE(r["response"]["status"]["message"].get<std::string>().find("metadata.annotations[droid.dev/requester]"),
            std::string::npos);
  EXPECT_EQ(validate(review("DroidSession", "UPDATE", old, old), context())["response"]["allowed"], true);
}

TEST(Admission, RefusesWhatPolicyForbidsWithTheReconcilersMessage) {
  json spec = {{"prompt", "x"}, {"model", "gpt-4o"}, {"autonomyLevel", "high"}};
  json r = validate(review("DroidSession", "CREATE", {{"spec", spec}}), context());
  const json& resp = r["response"];
  EXPECT_EQ(resp["allowed"], false);
  EXPECT_EQ(resp["status"]["code"], 403);
  const std::string message = resp["status"]["message"];
  // The same refusals plan_session() gives the reconciler.
  auto plan =
      policy::plan_session(spec, policy::resolve(policy::governing_policies(context().policies, {{"team", "a"}})), 0);
  ASSERT_EQ(plan.refusals.size(), 2u);
  for (const auto& refusal : plan.refusals)
    EXPECT_NE(message.find(refusal.reason + ": " + refusal.str()), std::string::npos) << message;
}

TEST(Admission, AllowsWhatPolicyAllows) {
  json r = validate(review("DroidSession", "CREATE", {{"spec", {{"prompt", "x"}, {"model", "qwen"}}}}), context());
  EXPECT_EQ(r["response"]["allowed"], true);
}

TEST(Admission, AFullNamespaceAdmitsWithAWarningThatTheSessionWaits) {
  AdmissionContext busy = context();
  busy.active_sessions = [](const std::string&) { return std::size_t{1}; };
  json r = validate(review("DroidSession", "CREATE", {{"spec", {{"prompt", "x"}, {"model", "qwen"}}}}), busy);
  EXPECT_EQ(r["response"]["allowed"], true);
  ASSERT_TRUE(r["response"].contains("warnings")) << r.dump();
  EXPECT_NE(r["response"]["warnings"][0].get<std::string>().find("wait in Pending"), std::string::npos) << r.dump();
}

TEST(Admission, RefusesAnOrgPolicyWithInvalidSettings) {
  json object = {{"spec", {{"settings", {{"shield", {{"customPatterns", {{{"name", "p"}, {"regex", "(a"}}}}}}}}}}};
  json r = validate(review("OrgPolicy", "CREATE", object), context());
  EXPECT_EQ(r["response"]["allowed"], false);
  EXPECT_NE(r["response"]["status"]["message"].get<std::string>().find(
                "spec.settings.shield.customPatterns[0].regex: is not a valid regular expression"),
            std::string::npos)
      << r.dump();
  EXPECT_EQ(validate(review("OrgPolicy", "CREATE", {{"spec", {{"priority", 1}}}}), context())["response"]["allowed"],
            true);
}

TEST(Admission, WithTheEgressGatewayGitCredentialsInASessionAreRefused) {
  AdmissionContext egress = context();
  egress.egress_namespace = "droid-system";
  egress.policies[0].spec["egress"] = {
      {"destinations",
       {{{"name", "git"}, {"kind", "git"}, {"hosts", {"git.corp"}}, {"ports", {443}}, {"repositories", {"/a.git"}}}}}};
  const json spec = {{"prompt", "x"},
                     {"model", "qwen"},
                     {"repository", {{"url", "https://git.corp/a.git"}, {"credentialsSecretRef", {{"name", "g"}}}}}};
  json r = validate(review("DroidSession", "CREATE", {{"spec", spec}}), egress);
  EXPECT_EQ(r["response"]["allowed"], false);
  const std::string message = r["response"]["status"]["message"];
  EXPECT_NE(message.find("RepositoryCredentialsNotAllowed: spec.repository.credentialsSecretRef: runner pods hold no "
                         "git credentials with the egress gateway: the gateway adds them from the OrgPolicy's egress "
                         "destination"),
            std::string::npos)
      << message;
  // Direct mode mounts them as before; without them the egress mode allows the session.
  EXPECT_EQ(validate(review("DroidSession", "CREATE", {{"spec", spec}}), context())["response"]["allowed"], true);
  json without = spec;
  without["repository"].erase("credentialsSecretRef");
  EXPECT_EQ(validate(review("DroidSession", "CREATE", {{"spec", without}}), egress)["response"]["allowed"], true);
  without["repository"]["url"] = "ssh://git@git.corp/a.git";
  EXPECT_NE(validate(review("DroidSession", "CREATE", {{"spec", without}}), egress)["response"]["status"]["message"]
                .get<std::string>()
                .find("RepositoryNotAllowed: spec.repository.url"),
            std::string::npos);
}

TEST(Admission, WithTheEgressGatewayAPolicyNamingSecretsElsewhereIsRefused) {
  AdmissionContext egress = context();
  egress.egress_namespace = "droid-system";
  const json object = {{"spec",
                        {{"gateways",
                          {{{"name", "llm"},
                            {"provider", "openai"},
                            {"baseURL", "http://llm"},
                            {"credentialsSecretRef", {{"name", "k"}, {"namespace", "llm"}}}}}}}}};
  json r = validate(review("OrgPolicy", "CREATE", object), egress);
  EXPECT_EQ(r["response"]["allowed"], false);
  EXPECT_NE(r["response"]["status"]["message"].get<std::string>().find(
                "spec.gateways[0].credentialsSecretRef.namespace: the egress gateway reads Secrets in droid-system"),
            std::string::npos)
      << r.dump();
  EXPECT_EQ(validate(review("OrgPolicy", "CREATE", object), context())["response"]["allowed"], true)
      << "direct mode copies it into the session's namespace";
}

TEST(Admission, UnreadableReviewsAreRefused) {
  json r = validate(json::object(), context());
  EXPECT_EQ(r["response"]["allowed"], false);
  EXPECT_EQ(r["response"]["status"]["code"], 400);
  EXPECT_EQ(mutate(json::object())["response"]["allowed"], false);
}

TEST(Admission, RefusesAForgedRequesterAtCreate) {
  json forged = review("DroidSession", "CREATE",
                       {{"metadata", {{"annotations", {{kRequesterAnnotation, R"({"username":"admin"})"}}}}},
                        {"spec", {{"prompt", "x"}, {"model", "qwen"}}}});
  json r = validate(forged, context());
  EXPECT_EQ(r["response"]["allowed"], false) << r.dump();
  EXPECT_NE(r["response"]["status"]["message"].get<std::string>().find("does not match the authenticated creator"),
            std::string::npos);
  // What mutate() stamps for the authenticated creator passes.
  const std::string real = R"({"groups":["devs"],"uid":"u-42","username":"alice@example.com"})";
  json honest = review("DroidSession", "CREATE",
                       {{"metadata", {{"annotations", {{kRequesterAnnotation, real}}}}},
                        {"spec", {{"prompt", "x"}, {"model", "qwen"}}}});
  EXPECT_EQ(validate(honest, context())["response"]["allowed"], true);
}

}  // namespace
}  // namespace droid::op
