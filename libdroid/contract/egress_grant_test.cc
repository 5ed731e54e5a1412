#include "contract/egress_grant.h"

#include <functional>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace droid::contract {
namespace {

using json = nlohmann::json;

const char* const kPem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

// A grant with every kind of destination and every optional field.
json full_grant() {
  return json::parse(R"({
    "version": 1,
    "session": {"namespace": "team-a", "name": "fix-bug", "uid": "6f1c2a4e-0b7d-4c1e-9a53-2d8e7f901234"},
    "podName": "fix-bug-runner-1",
    "expiresAt": "2026-12-07T08:00:00Z",
    "finished": false,
    "pushBranch": "droid/fix-bug",
    "destinations": [
      {"name": "llm", "kind": "http", "hosts": ["litellm.llm.svc", "*.gw.corp"], "ports": [4000],
       "scheme": "https", "methods": ["POST", "GET"], "pathPrefixes": ["/v1/"],
       "credential": {"type": "bearer", "secretRef": {"name": "llm-key", "key": "api-key"}},
       "caBundleSecretRef": {"name": "llm-ca", "key": "ca.crt"},
       "clientCertSecretRef": {"name": "llm-client"}},
      {"name": "git", "kind": "git", "hosts": ["git.corp"], "ports": [443], "scheme": "https",
       "repositories": ["/org/repo.git"],
       "credential": {"type": "basic", "secretRef": {"name": "git-creds", "key": "userpass"}},
       "address": "10.0.0.9"},
      {"name": "otel", "kind": "http", "hosts": ["otel-collector.observability.svc"], "ports": [4318],
       "scheme": "http", "methods": ["POST"], "pathPrefixes": ["/v1/traces", "/v1/metrics", "/v1/logs"]},
      {"name": "mirror", "kind": "tunnel", "hosts": ["*.mirror.corp"], "ports": [443]}]})");
}

TEST(EgressGrant, RoundTrip) {
  const EgressGrant g = egress_grant_from_json(full_grant());
  EXPECT_EQ(g.identity,
            (EgressIdentity{"team-a", "fix-bug", "6f1c2a4e-0b7d-4c1e-9a53-2d8e7f901234", "fix-bug-runner-1"}));
  EXPECT_EQ(format_rfc3339(g.expires_at), "2026-12-07T08:00:00Z");
  EXPECT_EQ(g.push_branch, "droid/fix-bug");
  ASSERT_EQ(g.destinations.size(), 4u);
  const EgressDestination& llm = g.destinations[0];
  EXPECT_EQ(llm.kind, EgressKind::Http);
  EXPECT_TRUE(llm.https);
  EXPECT_TRUE(llm.hosts[1].matches("a.gw.corp"));
  EXPECT_EQ(llm.credential_type, CredentialType::Bearer);
  EXPECT_EQ(llm.credential_ref, (SecretKeyRef{"llm-key", "api-key"}));
  EXPECT_EQ(llm.ca_bundle_ref, (SecretKeyRef{"llm-ca", "ca.crt"}));
  EXPECT_EQ(llm.client_cert_secret, "llm-client");
  EXPECT_EQ(g.destinations[1].kind, EgressKind::Git);
  EXPECT_EQ(g.destinations[1].repositories, std::vector<std::string>{"/org/repo.git"});
  EXPECT_EQ(g.destinations[1].address, "10.0.0.9");
  EXPECT_FALSE(g.destinations[2].https);
  EXPECT_EQ(g.destinations[3].kind, EgressKind::Tunnel);

  // to_json -> from_json gives the same grant, and the JSON is what went in.
  EXPECT_EQ(to_json(g), full_grant());
  EXPECT_EQ(decode_egress_grant(encode_egress_grant(g)), g);

  // Defaults: caBundleSecretRef's key is ca.crt; finished and pushBranch may be absent.
  json j = full_grant();
  j["destinations"][0]["caBundleSecretRef"].erase("key");
  j.erase("finished");
  j.erase("pushBranch");
  const EgressGrant d = egress_grant_from_json(j);
  EXPECT_EQ(d.destinations[0].ca_bundle_ref.key, "ca.crt");
  EXPECT_FALSE(d.finished);
  EXPECT_EQ(d.push_branch, "");
  j["destinations"] = json::array();
  EXPECT_TRUE(egress_grant_from_json(j).destinations.empty()) << "an empty list: nothing reachable";
  j["destinations"] =
      json::array({{{"name", "gw"}, {"kind", "http"}, {"hosts", {"gw.svc"}}, {"scheme", "https"}, {"caBundle", kPem}}});
  EXPECT_EQ(egress_grant_from_json(j).destinations[0].ca_bundle, kPem);
  j["finished"] = false;  // always written
  EXPECT_EQ(to_json(egress_grant_from_json(j)), j);
}

TEST(EgressGrant, OverWhenFinishedOrExpired) {
  EgressGrant g = egress_grant_from_json(full_grant());
  EXPECT_FALSE(g.over(g.expires_at - std::chrono::seconds(1)));
  EXPECT_TRUE(g.over(g.expires_at));
  g.finished = true;
  EXPECT_TRUE(g.over(g.expires_at - std::chrono::hours(1)));
  EXPECT_EQ(egress_grant_name("6f1c"), "droid-egress-6f1c");
}

struct Malformed {
  const char* field;  // the path the error must start with
  std::function<void(json&)> change;
};

// Every field, broken: the error names it.
TEST(EgressGrant, EveryMalformedFieldIsNamed) {
  const std::vector<Malformed> cases = {
      {"version", [](json& j) { j.erase("version"); }},
      {"version", [](json& j) { j["version"] = 2; }},
      {"version", [](json& j) { j["version"] = "1"; }},
      {"surprise", [](json& j) { j["surprise"] = true; }},
      {"session", [](json& j) { j.erase("session"); }},
      {"session", [](json& j) { j["session"] = "team-a/fix-bug"; }},
      {"session.namespace", [](json& j) { j["session"].erase("namespace"); }},
      {"session.namespace", [](json& j) { j["session"]["namespace"] = "Team A"; }},
      {"session.name", [](json& j) { j["session"]["name"] = ""; }},
      {"session.name", [](json& j) { j["session"]["name"] = 7; }},
      {"session.uid", [](json& j) { j["session"].erase("uid"); }},
      {"session.uid", [](json& j) { j["session"]["uid"] = "uid with spaces"; }},
      {"session.extra", [](json& j) { j["session"]["extra"] = 1; }},
      {"podName", [](json& j) { j.erase("podName"); }},
      {"podName", [](json& j) { j["podName"] = "Pod/1"; }},
      {"expiresAt", [](json& j) { j.erase("expiresAt"); }},
      {"expiresAt", [](json& j) { j["expiresAt"] = "2026-12-07 08:00"; }},
      {"expiresAt", [](json& j) { j["expiresAt"] = "2026-12-07T08:00:00"; }},
      {"finished", [](json& j) { j["finished"] = "no"; }},
      {"pushBranch", [](json& j) { j["pushBranch"] = "refs/heads/main"; }},
      {"pushBranch", [](json& j) { j["pushBranch"] = "a..b"; }},
      {"pushBranch", [](json& j) { j["pushBranch"] = "x:y"; }},
      {"pushBranch", [](json& j) { j["pushBranch"] = "x.lock"; }},
      {"pushBranch", [](json& j) { j["pushBranch"] = 1; }},
      {"destinations", [](json& j) { j.erase("destinations"); }},
      {"destinations", [](json& j) { j["destinations"] = json::object(); }},
      {"destinations[0]", [](json& j) { j["destinations"][0] = "llm"; }},
      {"destinations[1].name", [](json& j) { j["destinations"][1]["name"] = "llm"; }},
      {"destinations[0].name", [](json& j) { j["destinations"][0].erase("name"); }},
      {"destinations[0].name", [](json& j) { j["destinations"][0]["name"] = "LLM gateway"; }},
      {"destinations[0].kind", [](json& j) { j["destinations"][0].erase("kind"); }},
      {"destinations[0].kind", [](json& j) { j["destinations"][0]["kind"] = "ftp"; }},
      {"destinations[0].hosts", [](json& j) { j["destinations"][0]["hosts"] = json::array(); }},
      {"destinations[0].hosts", [](json& j) { j["destinations"][0]["hosts"] = "llm"; }},
      {"destinations[0].hosts[1]", [](json& j) { j["destinations"][0]["hosts"][1] = "a.*.corp"; }},
      {"destinations[0].hosts[0]", [](json& j) { j["destinations"][0]["hosts"][0] = "*"; }},
      {"destinations[0].hosts[0]", [](json& j) { j["destinations"][0]["hosts"][0] = 1; }},
      {"destinations[0].ports[0]", [](json& j) { j["destinations"][0]["ports"][0] = 0; }},
      {"destinations[0].ports[0]", [](json& j) { j["destinations"][0]["ports"][0] = 65536; }},
      {"destinations[0].ports[0]", [](json& j) { j["destinations"][0]["ports"][0] = "4000"; }},
      {"destinations[0].ports", [](json& j) { j["destinations"][0]["ports"] = 4000; }},
      {"destinations[0].scheme", [](json& j) { j["destinations"][0].erase("scheme"); }},
      {"destinations[0].scheme", [](json& j) { j["destinations"][0]["scheme"] = "ftp"; }},
      {"destinations[0].methods[1]", [](json& j) { j["destinations"][0]["methods"][1] = "get"; }},
      {"destinations[0].pathPrefixes[0]", [](json& j) { j["destinations"][0]["pathPrefixes"][0] = "/v1/../admin"; }},
      {"destinations[0].pathPrefixes[0]", [](json& j) { j["destinations"][0]["pathPrefixes"][0] = "v1/"; }},
      {"destinations[0].repositories", [](json& j) { j["destinations"][0]["repositories"] = {"/a.git"}; }},
      {"destinations[0].credential", [](json& j) { j["destinations"][0]["credential"] = "bearer"; }},
      {"destinations[0].credential.type", [](json& j) { j["destinations"][0]["credential"]["type"] = "Bearer"; }},
      {"destinations[0].credential.type", [](json& j) { j["destinations"][0]["credential"].erase("type"); }},
      {"destinations[0].credential.secretRef", [](json& j) { j["destinations"][0]["credential"].erase("secretRef"); }},
      {"destinations[0].credential.secretRef",
       [](json& j) {
         j["destinations"][0]["credential"] = {{"type", "none"}, {"secretRef", {{"name", "a"}}}};
       }},
      {"destinations[0].credential.secretRef.key",
       [](json& j) { j["destinations"][0]["credential"]["secretRef"].erase("key"); }},
      {"destinations[0].credential.secretRef.key",
       [](json& j) { j["destinations"][0]["credential"]["secretRef"]["key"] = "a/b"; }},
      {"destinations[0].credential.secretRef.name",
       [](json& j) { j["destinations"][0]["credential"]["secretRef"]["name"] = "Llm_Key"; }},
      {"destinations[0].credential.secretRef.namespace",
       [](json& j) { j["destinations"][0]["credential"]["secretRef"]["namespace"] = "kube-system"; }},
      {"destinations[0].credential.value",
       [](json& j) { j["destinations"][0]["credential"]["value"] = "sk-inline-secret"; }},
      {"destinations[0].caBundleSecretRef.namespace",
       [](json& j) { j["destinations"][0]["caBundleSecretRef"]["namespace"] = "x"; }},
      {"destinations[0].caBundleSecretRef", [](json& j) { j["destinations"][0]["caBundleSecretRef"] = "llm-ca"; }},
      {"destinations[0].caBundle", [](json& j) { j["destinations"][0]["caBundle"] = kPem; }},
      {"destinations[0].caBundle",
       [](json& j) {
         j["destinations"][0].erase("caBundleSecretRef");
         j["destinations"][0]["caBundle"] = "not a certificate";
       }},
      {"destinations[0].clientCertSecretRef.key",
       [](json& j) { j["destinations"][0]["clientCertSecretRef"]["key"] = "tls.crt"; }},
      {"destinations[0].clientCertSecretRef.name",
       [](json& j) { j["destinations"][0]["clientCertSecretRef"].erase("name"); }},
      {"destinations[2].caBundleSecretRef",
       [](json& j) {
         j["destinations"][2]["caBundleSecretRef"] = {{"name", "ca"}};
       }},
      {"destinations[2].clientCertSecretRef",
       [](json& j) {
         j["destinations"][2]["clientCertSecretRef"] = {{"name", "c"}};
       }},
      {"destinations[0].address", [](json& j) { j["destinations"][0]["address"] = "evil host"; }},
      {"destinations[0].address", [](json& j) { j["destinations"][0]["address"] = ""; }},
      {"destinations[0].tunnel", [](json& j) { j["destinations"][0]["tunnel"] = true; }},
      {"destinations[1].repositories", [](json& j) { j["destinations"][1].erase("repositories"); }},
      {"destinations[1].repositories[0]", [](json& j) { j["destinations"][1]["repositories"][0] = "/org/repo.git/"; }},
      {"destinations[1].repositories[0]", [](json& j) { j["destinations"][1]["repositories"][0] = "org/repo.git"; }},
      {"destinations[1].methods", [](json& j) { j["destinations"][1]["methods"] = {"POST"}; }},
      {"destinations[1].pathPrefixes", [](json& j) { j["destinations"][1]["pathPrefixes"] = {"/"}; }},
      {"destinations[3].scheme", [](json& j) { j["destinations"][3]["scheme"] = "https"; }},
      {"destinations[3].credential",
       [](json& j) {
         j["destinations"][3]["credential"] = {{"type", "none"}};
       }},
      {"destinations[3].pathPrefixes", [](json& j) { j["destinations"][3]["pathPrefixes"] = {"/"}; }},
  };
  for (const auto& c : cases) {
    json j = full_grant();
    c.change(j);
    try {
      egress_grant_from_json(j);
      ADD_FAILURE() << "accepted a broken " << c.field << ": " << j.dump();
    } catch (const EgressGrantError& e) {
      const std::string what = e.what();
      EXPECT_EQ(what.rfind(std::string(c.field) + ":", 0), 0u) << "wanted " << c.field << ", got: " << what;
    }
  }
}

TEST(EgressGrant, DecodeNamesTheDocument) {
  try {
    decode_egress_grant("{not json");
    ADD_FAILURE();
  } catch (const EgressGrantError& e) {
    EXPECT_STREQ(e.what(), "grant.json: not JSON");
  }
  try {
    decode_egress_grant("[]");
    ADD_FAILURE();
  } catch (const EgressGrantError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("grant.json: grant:", 0), 0u) << e.what();
  }
  json j = full_grant();
  j["destinations"][0]["ports"][0] = 0;
  try {
    decode_egress_grant(j.dump());
    ADD_FAILURE();
  } catch (const EgressGrantError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("grant.json: destinations[0].ports[0]: ", 0), 0u) << e.what();
  }
}

TEST(EgressDestination, HostPatterns) {
  HostPattern exact("Git.Corp.");
  EXPECT_TRUE(exact.matches("git.corp"));
  EXPECT_TRUE(exact.matches("GIT.CORP."));
  EXPECT_FALSE(exact.matches("a.git.corp"));
  EXPECT_FALSE(exact.matches("git.corp.evil"));
  HostPattern wild("*.corp");
  EXPECT_TRUE(wild.matches("git.corp"));
  EXPECT_TRUE(wild.matches("a.b.corp"));
  EXPECT_FALSE(wild.matches("corp"));
  EXPECT_FALSE(wild.matches("evilcorp"));
  EXPECT_FALSE(wild.matches(".corp"));
  for (const char* bad : {"", "*", "*.", "a.*.b", "*.*.corp", "host name", "h/st", "*corp", "a..b", ".a", "*..a"}) {
    EXPECT_THROW(HostPattern{bad}, std::invalid_argument) << bad;
  }
}

TEST(EgressDestination, PlainPaths) {
  for (const char* ok : {"/", "/v1/", "/v1/chat/completions", "/org/repo.git/info/refs", "/a%20b"})
    EXPECT_TRUE(is_plain_path(ok)) << ok;
  for (const char* bad : {"", "v1", "/v1/../x", "/./x", "/a/..", "//x", "/a\\b", "/%2e%2e/x", "/a%2Fb", "/a%5cb",
                          "/a b", "/a\tb", "/a\x7f"})
    EXPECT_FALSE(is_plain_path(bad)) << bad;
}

TEST(EgressDestination, CredentialTypes) {
  EXPECT_EQ(parse_credential_type("bearer"), CredentialType::Bearer);
  EXPECT_EQ(parse_credential_type("x-api-key"), CredentialType::XApiKey);
  EXPECT_EQ(parse_credential_type("basic"), CredentialType::Basic);
  EXPECT_EQ(parse_credential_type("none"), CredentialType::None);
  EXPECT_THROW(parse_credential_type("Bearer"), std::invalid_argument);
  for (auto t : {CredentialType::None, CredentialType::Bearer, CredentialType::XApiKey, CredentialType::Basic})
    EXPECT_EQ(parse_credential_type(to_string(t)), t);
}

}  // namespace
}  // namespace droid::contract
