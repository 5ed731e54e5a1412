#include "audit.h"

#include <gtest/gtest.h>

namespace droid::egress {
namespace {

TEST(AuditLog, OneJsonLinePerRecordWithEveryField) {
  std::vector<std::string> lines;
  AuditLog log([&](const std::string& line) { lines.push_back(line); });
  AuditRecord r;
  r.session = "team-a/fix-1";
  r.source = "10.88.0.7";
  r.destination = "llm";
  r.method = "POST";
  r.host = "llm.svc";
  r.port = 4000;
  r.path = "/v1/chat/completions";
  r.status = 200;
  r.bytes_up = 10;
  r.bytes_down = 20;
  r.decision = "allowed";
  log.write(r);
  r.path = std::string("/bad\xff\xfe", 6);  // invalid UTF-8 from a hostile client
  log.write(r);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].find('\n'), std::string::npos);
  const auto j = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(j["audit"], "egress");
  EXPECT_EQ(j["session"], "team-a/fix-1");
  EXPECT_EQ(j["destination"], "llm");
  EXPECT_EQ(j["status"], 200);
  EXPECT_EQ(j["bytesUp"], 10);
  EXPECT_EQ(j["bytesDown"], 20);
  EXPECT_EQ(j["decision"], "allowed");
  EXPECT_TRUE(j.contains("ts"));
  EXPECT_EQ(nlohmann::json::parse(lines[1])["decision"], "allowed");
}

}  // namespace
}  // namespace droid::egress
