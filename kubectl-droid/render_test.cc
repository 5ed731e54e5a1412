#include "render.h"

#include <gtest/gtest.h>

namespace droid::kubectl {
namespace {

using json = nlohmann::json;
using std::chrono::seconds;

TimePoint at(const std::string& t) {
  std::tm tm{};
  strptime(t.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

const TimePoint kNow = at("2026-11-22T10:00:00Z");

json finished() {
  return json::parse(R"({
    "metadata": {"name": "fix-1", "namespace": "team", "creationTimestamp": "2026-11-22T09:55:00Z"},
    "spec": {"prompt": "fix it", "model": "qwen", "autonomyLevel": "medium", "environment": "ci",
             "repository": {"url": "https://git.example/a.git", "ref": "main"},
             "approvals": [{"command": "make deploy", "approvedBy": "bob", "approvedAt": "2026-11-22T09:57:00Z"}]},
    "status": {"phase": "Succeeded", "podName": "fix-1-runner", "requester": {"username": "alice"},
               "conditions": [{"type": "Ready", "status": "True", "reason": "Completed", "message": "done",
                               "lastTransitionTime": "2026-11-22T09:59:00Z"}],
               "usage": {"inputTokens": 1200, "outputTokens": 300, "llmRequests": 4, "toolCalls": 7,
                         "commandsBlocked": 1},
               "result": {"summary": "Fixed the race.\nAdded a test.", "filesChanged": 2, "branch": "droid/fix",
                          "commit": "abc123"}}})");
}

TEST(Render, Ages) {
  EXPECT_EQ(human_duration(seconds(45)), "45s");
  EXPECT_EQ(human_duration(seconds(200)), "3m20s");
  EXPECT_EQ(human_duration(seconds(1800)), "30m");
  EXPECT_EQ(human_duration(seconds(5 * 3600 + 600)), "5h10m");
  EXPECT_EQ(human_duration(seconds(20 * 3600)), "20h");
  EXPECT_EQ(human_duration(seconds(3 * 86400)), "3d");
  EXPECT_EQ(human_duration(seconds(40 * 86400)), "40d");
  EXPECT_EQ(age("2026-11-22T09:55:00Z", kNow), "5m");
  EXPECT_EQ(age("garbage", kNow), "<unknown>");
  EXPECT_EQ(rfc3339(kNow), "2026-11-22T10:00:00Z");
}

TEST(Render, Table) {
  json pending = json::parse(R"({"metadata": {"name": "a-much-longer-name", "namespace": "other",
                                              "creationTimestamp": "2026-11-22T09:59:30Z"},
                                 "spec": {"prompt": "p"},
                                 "status": {"phase": "AwaitingApproval",
                                            "pendingApproval": {"command": "make deploy"},
                                            "conditions": [{"type": "Ready", "status": "False",
                                                            "reason": "WaitingForApproval"}]}})");
  const json items = json::array({finished(), pending});
  EXPECT_EQ(sessions_table(items, {}, kNow),
            "NAME                 PHASE              MODEL    AUTONOMY   REASON               AGE   WAITING-FOR\n"
            "fix-1                Succeeded          qwen     medium     Completed            5m\n"
            "a-much-longer-name   AwaitingApproval   <none>   <none>     WaitingForApproval   30s   make deploy\n");
  EXPECT_EQ(sessions_table(json::array({finished()}), {}, kNow),
            "NAME    PHASE       MODEL   AUTONOMY   REASON      AGE\n"
            "fix-1   Succeeded   qwen    medium     Completed   5m\n")
      << "no column while no session waits";
  const std::string wide = sessions_table(items, {.all_namespaces = true, .wide = true}, kNow);
  EXPECT_EQ(wide.substr(0, wide.find('\n')),
            "NAMESPACE   NAME                 PHASE              MODEL    AUTONOMY   REASON               AGE   "
            "REQUESTER   POD            PENDING-APPROVAL");
  EXPECT_NE(wide.find("alice       fix-1-runner   <none>"), std::string::npos) << wide;
  EXPECT_NE(wide.find("<none>      <none>         make deploy"), std::string::npos) << wide;
}

TEST(Render, Description) {
  const std::string d = describe_session(finished(), kNow);
  for (const char* part :
       {"Name:              fix-1\n", "Phase:             Succeeded\n", "Reason:            Completed: done\n",
        "Repository:        https://git.example/a.git @ main\n", "Requester:         alice\n",
        "  - make deploy  (by bob, at 2026-11-22T09:57:00Z)\n",
        "  TYPE    STATUS   REASON      AGE   MESSAGE\n  Ready   True     Completed   60s   done\n",
        "Usage:\n  1200 input tokens, 300 output tokens, 4 LLM requests, 7 tool calls, 1 command blocked\n",
        "Result:\n  Fixed the race.\n  Added a test.\n  Files changed: 2\n  Branch:        droid/fix\n"})
    EXPECT_NE(d.find(part), std::string::npos) << part << "\n---\n" << d;
  json waiting = finished();
  waiting["status"]["phase"] = "AwaitingApproval";
  waiting["status"]["pendingApproval"] = {
      {"command", "rm -rf build"}, {"risk", "high"}, {"reasons", {"deletes files"}}};
  const std::string w = describe_session(waiting, kNow);
  EXPECT_NE(w.find("Pending approval:\n  Command:  rm -rf build\n  Risk:     high\n  Reason:   deletes files\n"
                   "  Approve:  kubectl droid approve fix-1 -n team\n"),
            std::string::npos)
      << w;
}

TEST(Render, RunOutput) {
  EXPECT_EQ(phase_line(finished()), "Succeeded (Completed): done");
  json running = json::parse(R"({"status": {"phase": "Running", "conditions": [{"type": "Ready",
                                 "reason": "Running", "message": "the runner is working"}]}})");
  EXPECT_EQ(phase_line(running), "Running: the runner is working");
  EXPECT_EQ(result_text(finished()),
            "Session fix-1 Succeeded (Completed): done\n"
            "Summary:\n  Fixed the race.\n  Added a test.\n"
            "Files changed: 2\nBranch: droid/fix\nCommit: abc123\n"
            "Usage: 1200 input tokens, 300 output tokens, 4 LLM requests, 7 tool calls, 1 command blocked\n");
}

TEST(Render, ShellQuote) {
  EXPECT_EQ(shell_quote("make"), "make");
  EXPECT_EQ(shell_quote("rm -rf build"), "'rm -rf build'");
  EXPECT_EQ(shell_quote("echo 'hi'"), "'echo '\\''hi'\\'''");
  EXPECT_EQ(shell_quote(""), "''");
}

}  // namespace
}  // namespace droid::kubectl
