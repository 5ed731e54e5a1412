// Client pieces that need no server: paths, query encoding, Status errors, and
// the refusal of unusable TLS material before any connection.
#include "kube/client.h"

#include <gtest/gtest.h>

#include "kube/error.h"

namespace droid::kube {
namespace {

TEST(Resource, Paths) {
  EXPECT_EQ(kConfigMaps.path("ns", "cm", ""), "/api/v1/namespaces/ns/configmaps/cm");
  EXPECT_EQ(kConfigMaps.path(), "/api/v1/configmaps");
  EXPECT_EQ(kDroidSessions.path("team", "s1", "status"),
            "/apis/droid.dev/v1alpha1/namespaces/team/droidsessions/s1/status");
  EXPECT_EQ(kOrgPolicies.path("ignored", "p"), "/apis/droid.dev/v1alpha1/orgpolicies/p");
  EXPECT_EQ(kNamespaces.path("", "a b"), "/api/v1/namespaces/a%20b");
}

TEST(Query, EncodesValuesAndDropsEmptyOnes) {
  EXPECT_EQ(query_string({}), "");
  EXPECT_EQ(query_string({{"a", ""}}), "");
  EXPECT_EQ(query_string({{"labelSelector", "app=x,tier!=db"}, {"limit", "5"}}),
            "?labelSelector=app%3Dx%2Ctier%21%3Ddb&limit=5");
  EXPECT_EQ(url_encode("a-b_c.d~e/f g+"), "a-b_c.d~e%2Ff%20g%2B");
}

TEST(ApiError, FromStatus) {
  auto e = api_error_from_response(
      404,
      R"({"kind":"Status","apiVersion":"v1","status":"Failure","message":"configmaps \"x\" not found","reason":"NotFound","code":404})");
  EXPECT_EQ(e.code(), 404);
  EXPECT_TRUE(e.not_found());
  EXPECT_EQ(e.reason(), "NotFound");
  EXPECT_EQ(e.status_message(), "configmaps \"x\" not found");
  EXPECT_NE(std::string(e.what()).find("404 NotFound"), std::string::npos);

  auto raw = api_error_from_response(502, "bad gateway");
  EXPECT_EQ(raw.code(), 502);
  EXPECT_EQ(raw.reason(), "");
  EXPECT_EQ(raw.status_message(), "bad gateway");
  EXPECT_TRUE(api_error_from_response(410, R"({"kind":"Status","code":410,"reason":"Expired"})").gone());
}

TEST(Client, RefusesUnusableTlsMaterial) {
  Config c;
  c.server = "https://127.0.0.1:1";
  c.ca_pem = "not a certificate";
  EXPECT_THROW(Client{c}, ConfigError);
  c.ca_pem.clear();
  c.client_cert_pem = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
  c.client_key_pem = "junk";
  EXPECT_THROW(Client{c}, ConfigError);
  EXPECT_THROW(Client{Config{}}, ConfigError);
}

TEST(Client, UnreachableServerIsATransportError) {
  Config c;
  c.server = "https://127.0.0.1:1";  // nothing listens on port 1
  Client client(c, {.request_timeout = std::chrono::seconds(5)});
  EXPECT_THROW(client.get(kConfigMaps, "default", "x"), TransportError);
}

}  // namespace
}  // namespace droid::kube
