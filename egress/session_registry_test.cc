#include "session_registry.h"

#include <gtest/gtest.h>

namespace droid::egress {
namespace {

using std::chrono::hours;

Session session(std::string id, std::string ip) {
  Session s;
  s.id = std::move(id);
  s.pod_ip = std::move(ip);
  s.expires_at = Clock::now() + hours(1);
  return s;
}

TEST(SessionRegistry, TokenAndPodAddressMustAgree) {
  SessionRegistry r;
  const std::string token = make_token();
  r.put(token, session("team-a/one", "10.88.0.7"));
  const auto now = Clock::now();
  Identity id = r.identify(token, "10.88.0.7", now);
  ASSERT_EQ(id.refusal, Refusal::None);
  EXPECT_EQ(id.session->id, "team-a/one");
  id = r.identify(token, "10.88.0.8", now);  // the token copied into another pod
  EXPECT_EQ(id.refusal, Refusal::WrongSource);
  EXPECT_EQ(r.identify("", "10.88.0.7", now).refusal, Refusal::NoToken);
  EXPECT_EQ(r.identify(make_token(), "10.88.0.7", now).refusal, Refusal::UnknownToken);
  EXPECT_EQ(r.identify(token.substr(1), "10.88.0.7", now).refusal, Refusal::UnknownToken);
}

TEST(SessionRegistry, FinishedAndExpiredSessionsAreRefused) {
  SessionRegistry r;
  const std::string a = make_token(), b = make_token();
  r.put(a, session("ns/a", "10.0.0.1"));
  Session expiring = session("ns/b", "10.0.0.2");
  expiring.expires_at = Clock::now() + std::chrono::seconds(10);
  r.put(b, expiring);
  r.finish("ns/a");
  EXPECT_EQ(r.identify(a, "10.0.0.1", Clock::now()).refusal, Refusal::Finished);
  EXPECT_EQ(r.identify(b, "10.0.0.2", Clock::now()).refusal, Refusal::None);
  EXPECT_EQ(r.identify(b, "10.0.0.2", Clock::now() + std::chrono::seconds(11)).refusal, Refusal::Expired);
  r.finish("ns/unknown");  // no effect, no throw
  EXPECT_EQ(r.active(Clock::now()), 1u);
  r.prune(Clock::now() + hours(3), hours(1));
  EXPECT_EQ(r.size(), 0u);
  EXPECT_EQ(r.identify(a, "10.0.0.1", Clock::now()).refusal, Refusal::UnknownToken);
}

TEST(SessionRegistry, ReplacingASessionRevokesItsOldToken) {
  SessionRegistry r;
  const std::string old_token = make_token(), new_token = make_token();
  r.put(old_token, session("ns/a", "10.0.0.1"));
  r.put(new_token, session("ns/a", "10.0.0.9"));  // the pod was recreated
  EXPECT_EQ(r.identify(old_token, "10.0.0.1", Clock::now()).refusal, Refusal::UnknownToken);
  EXPECT_EQ(r.identify(new_token, "10.0.0.9", Clock::now()).refusal, Refusal::None);
  EXPECT_EQ(r.size(), 1u);
}

TEST(SessionRegistry, RejectsWeakTokensAndMissingFields) {
  SessionRegistry r;
  EXPECT_THROW(r.put("short", session("ns/a", "10.0.0.1")), std::invalid_argument);
  EXPECT_THROW(r.put(make_token(), session("", "10.0.0.1")), std::invalid_argument);
  EXPECT_THROW(r.put(std::vector<std::string>{}, session("ns/a", "10.0.0.1")), std::invalid_argument);
  EXPECT_EQ(r.size(), 0u);
}

// Without the pod's address nothing is admitted, from anywhere: the caller may wait.
TEST(SessionRegistry, APodWithoutAddressIsPending) {
  SessionRegistry r;
  const std::string token = make_token();
  r.put(token, session("ns/a", ""));
  EXPECT_EQ(r.identify(token, "10.0.0.1", Clock::now()).refusal, Refusal::PodPending);
  EXPECT_EQ(r.identify(token, "", Clock::now()).refusal, Refusal::PodPending);
  r.put(token, session("ns/a", "10.0.0.1"));
  EXPECT_EQ(r.identify(token, "10.0.0.1", Clock::now()).refusal, Refusal::None);
}

// Two keys during a rotation: both tokens name the session; replacing it forgets both.
TEST(SessionRegistry, ASessionMayAnswerToSeveralTokens) {
  SessionRegistry r;
  const std::string a = make_token(), b = make_token(), c = make_token();
  Session s = session("ns/a", "10.0.0.1");
  s.key = "droid-egress-uid1";
  r.put({a, b}, s);
  EXPECT_EQ(r.identify(a, "10.0.0.1", Clock::now()).refusal, Refusal::None);
  EXPECT_EQ(r.identify(b, "10.0.0.1", Clock::now()).session->id, "ns/a");
  EXPECT_EQ(r.keys(), std::vector<std::string>{"droid-egress-uid1"});
  r.finish("droid-egress-uid1");
  EXPECT_EQ(r.identify(a, "10.0.0.1", Clock::now()).refusal, Refusal::Finished);
  EXPECT_EQ(r.identify(b, "10.0.0.1", Clock::now()).refusal, Refusal::Finished);
  r.put(c, s);
  EXPECT_EQ(r.identify(a, "10.0.0.1", Clock::now()).refusal, Refusal::UnknownToken);
  EXPECT_EQ(r.identify(b, "10.0.0.1", Clock::now()).refusal, Refusal::UnknownToken);
  EXPECT_EQ(r.identify(c, "10.0.0.1", Clock::now()).refusal, Refusal::None);
  EXPECT_TRUE(r.get("droid-egress-uid1"));
}

TEST(SessionRegistry, TokensAreRandomAndLongEnough) {
  const std::string a = make_token(), b = make_token();
  EXPECT_EQ(a.size(), 43u);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), std::string::npos);
}

}  // namespace
}  // namespace droid::egress
