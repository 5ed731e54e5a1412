#include "agent/audit_log.h"

#include <gtest/gtest.h>

#include <sstream>
#include <thread>
#include <vector>

namespace droid::runner::agent {
namespace {

using nlohmann::json;

std::vector<json> lines(const std::string& text) {
  std::vector<json> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(json::parse(line));
  return out;
}

TEST(AuditLog, WritesOneRedactedJsonLinePerEvent) {
  std::ostringstream out;
  std::vector<json> sunk;
  AuditLog log(
      &out, "team-a/fix-1",
      [](std::string_view s) {
        std::string r(s);
        for (auto p = r.find("hunter2"); p != std::string::npos; p = r.find("hunter2")) r.replace(p, 7, "[SECRET]");
        return r;
      },
      [&](const json& e) { sunk.push_back(e); });
  log.record("tool_call", {{"tool", "shell"}, {"command", "echo hunter2"}, {"reasons", {"uses hunter2"}}, {"n", 3}});
  log.record("session_end", {{"outcome", "Succeeded"}});
  const auto got = lines(out.str());
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0]["event"], "tool_call");
  EXPECT_EQ(got[0]["type"], "audit");
  EXPECT_EQ(got[0]["session"], "team-a/fix-1");
  EXPECT_EQ(got[0]["seq"], 1);
  EXPECT_EQ(got[0]["command"], "echo [SECRET]");
  EXPECT_EQ(got[0]["reasons"][0], "uses [SECRET]");
  EXPECT_EQ(got[0]["n"], 3);
  EXPECT_EQ(got[1]["seq"], 2);
  EXPECT_EQ(std::string(got[0]["ts"]).size(), 24u);
  EXPECT_EQ(out.str().find("hunter2"), std::string::npos);
  ASSERT_EQ(sunk.size(), 2u);
  EXPECT_EQ(sunk[1], got[1]);
}

TEST(AuditLog, LinesStayWholeUnderConcurrentWriters) {
  std::ostringstream out;
  AuditLog log(&out, "s");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) log.record("e", {{"t", t}, {"i", i}, {"pad", std::string(100, 'x')}});
    });
  for (auto& t : threads) t.join();
  const auto got = lines(out.str());
  EXPECT_EQ(got.size(), 800u);
  EXPECT_EQ(log.count(), 800u);
}

TEST(AuditLog, InvalidUtf8IsReplacedNotThrown) {
  std::ostringstream out;
  AuditLog log(&out, "s");
  log.record("e", {{"text", std::string("a\xFF"
                                        "b")}});
  EXPECT_EQ(lines(out.str())[0]["text"], "a\uFFFDb");
}

}  // namespace
}  // namespace droid::runner::agent
