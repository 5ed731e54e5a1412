#include "refusal_events.h"

#include <gtest/gtest.h>

#include <vector>

namespace droid::egress {
namespace {

using namespace std::chrono_literals;

AuditRecord refused_record(const std::string& session, const std::string& host = "example.invalid") {
  AuditRecord r;
  r.session = session;
  r.source = "10.88.0.7";
  r.method = "POST";
  r.host = host;
  r.port = 80;
  r.path = "/upload";
  r.status = 403;
  r.decision = "denied";
  r.reason = "host " + host + " is not allowed";
  return r;
}

TEST(RefusalNote, NamesTheRequestStatusAndReason) {
  EXPECT_EQ(refusal_note(refused_record("team-a/s1")),
            "refused POST example.invalid:80/upload (403): host example.invalid is not allowed");
  AuditRecord identity;  // refused before its target was read: no host
  identity.method = "CONNECT";
  identity.status = 403;
  identity.reason = "the session has finished";
  EXPECT_EQ(refusal_note(identity), "refused CONNECT (403): the session has finished");
}

TEST(RefusalNote, KeepsOnlyPrintableAsciiAndCutsLongPaths) {
  AuditRecord r = refused_record("team-a/s1");
  r.path = std::string("/a\xff\n\x01z", 6);
  EXPECT_EQ(refusal_note(r), "refused POST example.invalid:80/a???z (403): host example.invalid is not allowed");
  r.path = "/" + std::string(1000, 'x');
  const std::string note = refusal_note(r);
  EXPECT_NE(note.find("/" + std::string(255, 'x') + "..."), std::string::npos) << note;
  EXPECT_EQ(note.find(std::string(256, 'x')), std::string::npos);
}

TEST(RefusalEvents, ReportsOnTheSessionAndLimitsEachSessionPerWindow) {
  std::vector<RefusalEvent> sent;
  RefusalEvents events({.burst = 3, .window = 60s}, [&](const RefusalEvent& e) { sent.push_back(e); });
  const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
  for (int i = 0; i < 10; ++i) events.refused(refused_record("team-a/s1"), "uid-1", t0 + i * 1s);
  ASSERT_EQ(sent.size(), 3U);
  EXPECT_EQ(sent[0].namespace_name, "team-a");
  EXPECT_EQ(sent[0].name, "s1");
  EXPECT_EQ(sent[0].uid, "uid-1");
  EXPECT_EQ(sent[0].note, refusal_note(refused_record("team-a/s1")));
  EXPECT_EQ(events.suppressed(), 7U);
  // Another session has its own allowance.
  EXPECT_TRUE(events.refused(refused_record("team-b/s2"), "uid-2", t0 + 10s));
  // The window slides: a minute after the first three, the session is reported again.
  EXPECT_FALSE(events.refused(refused_record("team-a/s1"), "uid-1", t0 + 59s));
  EXPECT_TRUE(events.refused(refused_record("team-a/s1"), "uid-1", t0 + 60s));
  EXPECT_EQ(sent.size(), 5U);
}

TEST(RefusalEvents, NothingWithoutAKnownSession) {
  int sent = 0;
  RefusalEvents events({}, [&](const RefusalEvent&) { ++sent; });
  const auto now = std::chrono::steady_clock::now();
  EXPECT_FALSE(events.refused(refused_record(""), "", now));           // no token, unknown token
  EXPECT_FALSE(events.refused(refused_record("team-a/s1"), "", now));  // no uid: nothing to point at
  EXPECT_FALSE(events.refused(refused_record("no-slash"), "uid-1", now));
  EXPECT_EQ(sent, 0);
}

TEST(RefusalEvents, TrackedSessionsAreBounded) {
  int sent = 0;
  RefusalEvents events({.burst = 1, .window = 60s, .max_sessions = 2}, [&](const RefusalEvent&) { ++sent; });
  const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
  EXPECT_TRUE(events.refused(refused_record("a/s1"), "u1", t0));
  EXPECT_TRUE(events.refused(refused_record("a/s2"), "u2", t0 + 70s));  // s1 is quiet by now
  EXPECT_TRUE(events.refused(refused_record("a/s3"), "u3", t0 + 71s));  // s1 forgotten, not s2
  EXPECT_FALSE(events.refused(refused_record("a/s2"), "u2", t0 + 72s));
  EXPECT_EQ(sent, 3);
}

}  // namespace
}  // namespace droid::egress
