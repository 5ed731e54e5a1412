#include "agent/approval_wait.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <thread>

namespace droid::runner::agent {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct Dirs {
  fs::path root;
  Dirs() {
    char tmpl[] = "/tmp/approval-wait-XXXXXX";
    root = ::mkdtemp(tmpl);
    fs::create_directories(root / "projected");
  }
  ~Dirs() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  std::string state() const { return (root / "state").string(); }
  std::string decision() const { return (root / "projected" / "decision").string(); }
  // As the kubelet does: a new file swapped in whole.
  void decide(const std::string& text) const {
    const fs::path tmp = root / "projected" / ".tmp";
    std::ofstream(tmp) << text;
    fs::rename(tmp, decision());
  }
  FileApprovalChannel channel(const std::atomic<bool>* stop = nullptr) const {
    return FileApprovalChannel({.state_dir = state(), .decision_file = decision(), .poll = 10ms, .stop = stop});
  }
};

// Waits (in another thread) until the runner's wait marker appears; false after 5 s.
bool await_marker(const std::string& state_dir) {
  for (int i = 0; i < 500; ++i) {
    if (approval_probe(state_dir) == 0) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

TEST(ApprovalDecision, ParsesTheOperatorsDocumentAndRefusesAnythingElse) {
  auto d = parse_approval_decision(
      R"({"id":"2","decision":"rejected","command":"terraform apply","by":"alice","at":"2026-12-06T10:02:00Z","reason":"not on prod"})");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->id, "2");
  EXPECT_FALSE(d->approved);
  EXPECT_EQ(d->command, "terraform apply");
  EXPECT_EQ(d->by, "alice");
  EXPECT_EQ(d->at, "2026-12-06T10:02:00Z");
  EXPECT_EQ(d->reason, "not on prod");
  EXPECT_TRUE(parse_approval_decision(R"({"id":"1","decision":"approved","command":"ls"})")->approved);
  for (const char* bad : {"", "not json", "[]", R"({"decision":"approved","command":"ls"})",
                          R"({"id":"1","decision":"maybe","command":"ls"})", R"({"id":"1","decision":"approved"})",
                          R"({"id":1,"decision":"approved","command":"ls"})"})
    EXPECT_FALSE(parse_approval_decision(bad)) << bad;
}

TEST(FileApprovalChannel, WaitsMarkedForTheProbeUntilItsOwnDecisionArrives) {
  Dirs d;
  auto channel = d.channel();
  EXPECT_EQ(approval_probe(d.state()), 1) << "ready before any wait";
  d.decide(R"({"id":"1","decision":"approved","command":"terraform plan","by":"old"})");  // an earlier wait's
  std::thread approver([&] {
    ASSERT_TRUE(await_marker(d.state()));
    std::ifstream in(FileApprovalChannel::waiting_file(d.state()));
    const auto request = nlohmann::json::parse(in);
    EXPECT_EQ(request["id"], "2");
    EXPECT_EQ(request["command"], "terraform plan");
    EXPECT_EQ(request["risk"], "high");
    std::this_thread::sleep_for(50ms);
    d.decide(R"({"id":"2","decision":"approved","command":"terraform plan -destroy","by":"mallory"})");
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(approval_probe(d.state()), 0) << "a decision for another command ended the wait";
    d.decide(R"({"id":"2","decision":"approved","command":"terraform plan","by":"alice","at":"2026-12-06T10:02:00Z"})");
  });
  const ApprovalAnswer a = channel.wait(
      {.id = "2", .command = "terraform plan", .risk = "high", .reasons = {"terraform"}}, Clock::now() + 10s);
  approver.join();
  EXPECT_EQ(a.verdict, ApprovalVerdict::Approved);
  EXPECT_EQ(a.by, "alice");
  EXPECT_EQ(a.at, "2026-12-06T10:02:00Z");
  EXPECT_GE(a.waited, 100ms);
  EXPECT_EQ(approval_probe(d.state()), 1) << "still marked waiting after the decision";
}

TEST(FileApprovalChannel, ARejectionCarriesItsReason) {
  Dirs d;
  auto channel = d.channel();
  std::thread rejecter([&] {
    ASSERT_TRUE(await_marker(d.state()));
    d.decide(R"({"id":"1","decision":"rejected","command":"rm -rf build","by":"bob","reason":"keep the cache"})");
  });
  const ApprovalAnswer a =
      channel.wait({.id = "1", .command = "rm -rf build", .risk = "high", .reasons = {}}, Clock::now() + 10s);
  rejecter.join();
  EXPECT_EQ(a.verdict, ApprovalVerdict::Rejected);
  EXPECT_EQ(a.by, "bob");
  EXPECT_EQ(a.reason, "keep the cache");
}

TEST(FileApprovalChannel, ExpiresAtItsDeadlineWithoutADecision) {
  Dirs d;
  auto channel = d.channel();
  const auto started = Clock::now();
  const ApprovalAnswer a =
      channel.wait({.id = "1", .command = "make deploy", .risk = "high", .reasons = {}}, started + 150ms);
  EXPECT_EQ(a.verdict, ApprovalVerdict::Expired);
  EXPECT_GE(Clock::now() - started, 150ms);
  EXPECT_LT(Clock::now() - started, 2s);
  EXPECT_EQ(approval_probe(d.state()), 1);
}

TEST(FileApprovalChannel, StopsAtOnceWhenAskedTo) {
  Dirs d;
  std::atomic<bool> stop{false};
  auto channel = d.channel(&stop);
  std::thread stopper([&] {
    ASSERT_TRUE(await_marker(d.state()));
    stop = true;
  });
  const auto started = Clock::now();
  const ApprovalAnswer a =
      channel.wait({.id = "1", .command = "make deploy", .risk = "high", .reasons = {}}, started + 60s);
  stopper.join();
  EXPECT_EQ(a.verdict, ApprovalVerdict::Stopped);
  EXPECT_LT(Clock::now() - started, 5s);
}

}  // namespace
}  // namespace droid::runner::agent
