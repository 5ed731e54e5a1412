#include "session_table.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "contract/egress_token.h"

namespace droid::egress {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

const std::string kKey(40, 'k');
const std::string kOldKey(40, 'o');
const char* const kUid = "6f1c2a4e-0b7d-4c1e-9a53-2d8e7f901234";

json grant(const std::string& pod = "fix-bug-runner-1", const std::string& expires = "2200-01-01T00:00:00Z") {
  return {{"version", 1},
          {"session", {{"namespace", "team-a"}, {"name", "fix-bug"}, {"uid", kUid}}},
          {"podName", pod},
          {"expiresAt", expires},
          {"pushBranch", "droid/fix-bug"},
          {"destinations",
           {{{"name", "llm"},
             {"kind", "http"},
             {"hosts", {"litellm.llm.svc"}},
             {"ports", {4000}},
             {"scheme", "https"},
             {"credential", {{"type", "bearer"}, {"secretRef", {{"name", "llm-key"}, {"key", "api-key"}}}}},
             {"caBundleSecretRef", {{"name", "llm-ca"}}},
             {"clientCertSecretRef", {{"name", "llm-client"}}}},
            {{"name", "git"},
             {"kind", "git"},
             {"hosts", {"git.corp"}},
             {"scheme", "http"},
             {"repositories", {"/org/repo.git"}},
             {"credential", {{"type", "basic"}, {"secretRef", {{"name", "git-creds"}, {"key", "userpass"}}}}}}}}};
}

std::string token(const std::string& key, const std::string& pod = "fix-bug-runner-1") {
  return contract::egress_token(key, {"team-a", "fix-bug", kUid, pod});
}

class SessionTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    table.set_keys(kKey, "");
    table.put_secret("llm-key", {{"api-key", "sk-real\n"}});
    table.put_secret("llm-ca", {{"ca.crt", "CA PEM"}});
    table.put_secret("llm-client", {{"tls.crt", "CERT PEM"}, {"tls.key", "KEY PEM"}});
    table.put_secret("git-creds", {{"userpass", "droid:s3cret"}});
    table.put_pod("team-a", "fix-bug-runner-1", "10.88.0.7");
  }
  Identity who(const std::string& t, const std::string& ip = "10.88.0.7") const {
    return registry->identify(t, ip, Clock::now());
  }
  std::shared_ptr<SessionRegistry> registry = std::make_shared<SessionRegistry>();
  SessionTable table{registry};
};

TEST_F(SessionTableTest, AGrantBecomesASessionWithItsSecretsResolved) {
  EXPECT_EQ(table.put_grant("droid-egress-x", grant().dump()), "");
  const Identity id = who(token(kKey));
  ASSERT_EQ(id.refusal, Refusal::None) << to_string(id.refusal);
  const Session& s = *id.session;
  EXPECT_EQ(s.id, "team-a/fix-bug");
  EXPECT_EQ(s.uid, kUid);
  EXPECT_EQ(s.key, "droid-egress-x");
  EXPECT_EQ(s.push_branch, "droid/fix-bug");
  ASSERT_EQ(s.destinations.size(), 2u);
  const Destination& llm = s.destinations[0];
  EXPECT_EQ(llm.unavailable, "");
  EXPECT_EQ(llm.credential.type, CredentialType::Bearer);
  EXPECT_EQ(llm.credential.value, "sk-real") << "the trailing newline of a Secret file is dropped";
  EXPECT_TRUE(llm.tls.enabled);
  EXPECT_EQ(llm.tls.ca_pem, "CA PEM");
  EXPECT_EQ(llm.tls.cert_pem, "CERT PEM");
  EXPECT_EQ(llm.tls.key_pem, "KEY PEM");
  EXPECT_EQ(s.destinations[1].credential.value, "droid:s3cret");
  EXPECT_TRUE(s.destinations[1].is_git());
  EXPECT_FALSE(s.destinations[1].tls.enabled);
  EXPECT_TRUE(table.problems().empty());

  // The token is the session's only from its pod, and no other token is.
  EXPECT_EQ(who(token(kKey), "10.88.0.8").refusal, Refusal::WrongSource);
  EXPECT_EQ(who(token(std::string(40, 'x'))).refusal, Refusal::UnknownToken);
  EXPECT_EQ(who(token(kKey, "fix-bug-runner-2")).refusal, Refusal::UnknownToken) << "another run's token";
}

TEST_F(SessionTableTest, AMissingSecretMakesOnlyItsDestinationUnavailable) {
  table.remove_secret("llm-key");
  table.put_secret("git-creds", {{"user", "droid"}});
  table.put_grant("g", grant().dump());
  Identity id = who(token(kKey));
  ASSERT_EQ(id.refusal, Refusal::None);
  EXPECT_EQ(id.session->destinations[0].unavailable, "credential: Secret llm-key not found");
  EXPECT_EQ(id.session->destinations[0].credential.value, "");
  EXPECT_EQ(id.session->destinations[1].unavailable, "credential: Secret git-creds has no key userpass");
  EXPECT_EQ(table.problems().size(), 2u);
  EXPECT_TRUE(table.secret_wanted("llm-key"));
  EXPECT_FALSE(table.secret_wanted("unrelated"));

  table.put_secret("llm-key", {{"api-key", "sk-late"}});
  table.put_secret("git-creds", {{"userpass", "no-colon"}});
  id = who(token(kKey));
  EXPECT_EQ(id.session->destinations[0].unavailable, "");
  EXPECT_EQ(id.session->destinations[0].credential.value, "sk-late");
  EXPECT_NE(id.session->destinations[1].unavailable.find("user:password"), std::string::npos);
  table.put_secret("llm-key", {{"api-key", "two\nlines"}});
  EXPECT_NE(who(token(kKey)).session->destinations[0].unavailable.find("one line"), std::string::npos);
  table.remove_secret("llm-client");
  EXPECT_EQ(who(token(kKey)).session->destinations[0].unavailable,
            "credential: Secret llm-key key api-key must hold one line");
  table.put_secret("llm-key", {{"api-key", "sk"}});
  EXPECT_EQ(who(token(kKey)).session->destinations[0].unavailable, "client certificate: Secret llm-client not found");
}

TEST_F(SessionTableTest, ThePodsAddressComesAndGoes) {
  table.remove_pod("team-a", "fix-bug-runner-1");
  table.put_grant("g", grant().dump());
  EXPECT_EQ(who(token(kKey)).refusal, Refusal::PodPending);
  table.put_pod("team-a", "fix-bug-runner-1", "");
  EXPECT_EQ(who(token(kKey)).refusal, Refusal::PodPending) << "scheduled, no address yet";
  table.put_pod("team-a", "fix-bug-runner-1", "10.88.0.9");
  EXPECT_EQ(who(token(kKey), "10.88.0.9").refusal, Refusal::None);
  table.put_pod("team-b", "fix-bug-runner-1", "10.88.0.7");  // same pod name, another namespace
  EXPECT_EQ(who(token(kKey), "10.88.0.7").refusal, Refusal::WrongSource);
  table.remove_pod("team-a", "fix-bug-runner-1");
  EXPECT_EQ(who(token(kKey), "10.88.0.9").refusal, Refusal::PodPending);
}

TEST_F(SessionTableTest, GrantsEndTheirTokens) {
  table.put_grant("g", grant().dump());
  ASSERT_EQ(who(token(kKey)).refusal, Refusal::None);
  // A new run: the old pod's token stops, the new one works once its pod has an address.
  table.put_grant("g", grant("fix-bug-runner-2").dump());
  EXPECT_EQ(who(token(kKey)).refusal, Refusal::UnknownToken);
  EXPECT_EQ(who(token(kKey, "fix-bug-runner-2")).refusal, Refusal::PodPending);
  table.put_pod("team-a", "fix-bug-runner-2", "10.88.0.10");
  EXPECT_EQ(who(token(kKey, "fix-bug-runner-2"), "10.88.0.10").refusal, Refusal::None);

  json finished = grant("fix-bug-runner-2");
  finished["finished"] = true;
  table.put_grant("g", finished.dump());
  EXPECT_EQ(who(token(kKey, "fix-bug-runner-2"), "10.88.0.10").refusal, Refusal::Finished);

  table.put_grant("g", grant("fix-bug-runner-2").dump());
  table.remove_grant("g");
  EXPECT_EQ(who(token(kKey, "fix-bug-runner-2"), "10.88.0.10").refusal, Refusal::Finished);

  table.put_grant("e", grant("fix-bug-runner-1", "2020-01-01T00:00:00Z").dump());
  EXPECT_EQ(who(token(kKey)).refusal, Refusal::Expired);

  // A grant that stops parsing is over too (fail closed), and says why.
  table.put_grant("e", grant().dump());
  ASSERT_EQ(who(token(kKey)).refusal, Refusal::None);
  json broken = grant();
  broken["destinations"][0]["hosts"] = {"a.*.b"};
  const std::string error = table.put_grant("e", broken.dump());
  EXPECT_EQ(error.rfind("grant.json: destinations[0].hosts[0]: ", 0), 0u) << error;
  EXPECT_EQ(who(token(kKey)).refusal, Refusal::Finished);
  EXPECT_EQ(table.problems().size(), 1u);
  EXPECT_NE(table.put_grant("e", ""), "");
}

TEST_F(SessionTableTest, KeyRotationAcceptsThePreviousKeyUntilItIsDropped) {
  table.put_grant("g", grant().dump());
  table.set_keys(kOldKey + "new", kKey);  // rotation: a new key, the old one still accepted
  EXPECT_EQ(who(token(kKey)).refusal, Refusal::None);
  EXPECT_EQ(who(token(kOldKey + "new")).refusal, Refusal::None);
  table.set_keys(kOldKey + "new", "");
  EXPECT_EQ(who(token(kKey)).refusal, Refusal::UnknownToken);
  EXPECT_EQ(who(token(kOldKey + "new")).refusal, Refusal::None);
  table.clear_keys();
  EXPECT_FALSE(table.has_key());
  EXPECT_EQ(who(token(kOldKey + "new")).refusal, Refusal::Finished);
  EXPECT_EQ(table.problems().back(), "no token key: every session token is refused");
  EXPECT_THROW(table.set_keys("short", ""), std::invalid_argument);
  EXPECT_THROW(table.set_keys(kKey, "short"), std::invalid_argument);
  table.set_keys(kKey, "");
  EXPECT_EQ(who(token(kKey)).refusal, Refusal::None);
}

}  // namespace
}  // namespace droid::egress
