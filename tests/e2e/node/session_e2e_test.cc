// DroidSessions end to end on the node tier (issue 6), with real runner pods against the
// test bed of scripts/cluster/stack.sh: the chart's operator (two replicas, webhook), the
// scripted gateway, the OpenTelemetry Collector, the git server and Prometheus.
//
//   1. a session created with kubectl apply (and one with `kubectl droid run`) clones the
//      sample repository, talks to the gateway through its Service, runs tools in its
//      sandbox, pushes a branch and ends Succeeded with usage, result, branch and commit;
//      the branch is on the git server, the collector has its trace and metrics,
//      Prometheus counts it;
//   2. egress from inside a runner pod: the gateway answers (with the egress gateway:
//      only it), another Service, the API server and an address outside the cluster do
//      not, and do from a pod without the session's NetworkPolicy;
//   3. the runner pod runs under the Localhost seccomp profile and a syscall it denies
//      (unshare) fails there;
//   4. a session its policy forbids is refused by the webhook, and Denied by the
//      reconciler when the webhook is out of the way; neither gets a pod;
//   5. a session past its timeout ends TimedOut, a cancelled one Cancelled, TTL removes it;
//   6. approval: AwaitingApproval, `kubectl droid approve`, a second run, Succeeded (in a
//      namespace whose policy never waits in place: limits.maxApprovalWaitSeconds 0);
//   6b. approvals in place (issue 14): two approvals continue the same pod (same UID, one
//      clone) and one growing conversation at the gateway, with the approve->runs latency
//      printed; a rejection goes back to the model; a wait that expires, and a deleted
//      waiting pod, fall back to a new run that gets the earlier run's summary;
//   7. a secret planted in the repository reaches neither the gateway, the collector's
//      output nor the logs.
//
// Needs KUBECONFIG (DROID_KUBECTL) of a cluster with the node tier and the stack:
// DROID_STACK_INFO (default $DROID_CLUSTER_DIR/stack/stack.json, written by `stack.sh up`),
// DROID_KUBECTL_DROID (the kubectl-droid binary; set by CMake), curl and git on PATH.
// Each test sets the gateway's script (PUT /_gateway/script); they run one after another.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "kubectl.h"
#include "process/subprocess.h"

namespace droid::e2e {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

// The phases a session stops in (AwaitingApproval until someone approves).
const std::set<std::string> kFinal = {"Succeeded", "Failed", "Denied", "TimedOut", "Cancelled", "AwaitingApproval"};

// Connects to $0:$1 over TCP (5 s timeout); exit status 0 when the connection opens.
constexpr const char* kConnect =
    "python3 -c 'import socket, sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)' "
    "\"$0\" \"$1\"";
// unshare(CLONE_NEWUSER) through libc; prints "<return value> <errno>".
constexpr const char* kUnshare =
    "import ctypes; libc = ctypes.CDLL(None, use_errno=True); r = libc.unshare(0x10000000); "
    "print(r, ctypes.get_errno())";

std::string getenv_or(const char* name, const std::string& fallback) {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read before any thread starts; nothing calls setenv
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : fallback;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// A scripted-gateway turn: the model's answer with tool calls (and, unless given, no match).
json tool_turn(const std::string& name, const json& calls, int input_tokens, int output_tokens) {
  return {{"name", name},
          {"response",
           {{"toolCalls", calls}, {"usage", {{"inputTokens", input_tokens}, {"outputTokens", output_tokens}}}}}};
}
json text_turn(const std::string& name, const std::string& text, int input_tokens, int output_tokens) {
  return {{"name", name},
          {"response", {{"text", text}, {"usage", {{"inputTokens", input_tokens}, {"outputTokens", output_tokens}}}}}};
}
json call(const std::string& id, const std::string& tool, const json& arguments) {
  return {{"id", id}, {"name", tool}, {"arguments", arguments}};
}

class Sessions : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    kubectl_.emplace(Kubectl::FromEnvironment());
    const std::string info_file =
        getenv_or("DROID_STACK_INFO",
                  getenv_or("DROID_CLUSTER_DIR", getenv_or("HOME", "/root") + "/.cache/droid-operator/cluster") +
                      "/stack/stack.json");
    ASSERT_TRUE(fs::exists(info_file)) << info_file << " is missing: run scripts/cluster/stack.sh up";
    stack_ = json::parse(read_file(info_file));
    tmp_ = fs::temp_directory_path() / ("droid-e2e-sessions-" + std::to_string(getpid()));
    fs::create_directories(tmp_);
    fs::permissions(tmp_, fs::perms::owner_all);
    {
      // The gateway's key goes to curl in a header file, never on a command line.
      std::ofstream header(tmp_ / "auth-header");
      header << "Authorization: Bearer " << trim(read_file(stack_.value("gatewayKeyFile", ""))) << "\n";
    }
    kubectl_droid_ = getenv_or("DROID_KUBECTL_DROID", "");
    suffix_ = std::to_string(getpid());
    namespace_ = "droid-e2e-sessions-" + suffix_;
    auto created = kubectl_->Run({"create", "namespace", namespace_});
    ASSERT_TRUE(created.ok()) << created.describe();
    ASSERT_TRUE(kubectl_->WaitForDefaultServiceAccount(namespace_)) << "no default ServiceAccount in " << namespace_;
  }

  static void TearDownTestSuite() {
    if (kubectl_ && !namespace_.empty()) kubectl_->Run({"delete", "namespace", namespace_, "--wait=false"});
    for (const auto& ns : extra_namespaces_) {
      kubectl_->Run({"delete", "orgpolicy", ns, "--wait=false"});
      kubectl_->Run({"delete", "namespace", ns, "--wait=false"});
    }
    if (!approval_latencies_ms_.empty()) {
      std::sort(approval_latencies_ms_.begin(), approval_latencies_ms_.end());
      std::printf("approve -> command runs (in place, %zu samples): p50 %.0f ms, worst %.0f ms\n",
                  approval_latencies_ms_.size(), approval_latencies_ms_[(approval_latencies_ms_.size() - 1) / 2],
                  approval_latencies_ms_.back());
    }
    std::error_code ec;
    fs::remove_all(tmp_, ec);
  }

  // --- the gateway (through its ClusterIP from the host: kube-proxy) ---

  static process::Result curl(const std::vector<std::string>& args, const std::string& input = {}) {
    std::vector<std::string> argv = {"curl", "-sS", "--max-time", "30"};
    argv.insert(argv.end(), args.begin(), args.end());
    return process::run(argv, input, 60s);
  }

  static void set_script(const json& turns) {
    auto r =
        curl({"-f", "-X", "PUT", "-H", "@" + (tmp_ / "auth-header").string(), "-H", "Content-Type: application/json",
              "--data-binary", "@-", stack_.value("gatewayURL", "") + "/_gateway/script"},
             json{{"turns", turns}}.dump());
    ASSERT_TRUE(r.ok()) << r.describe();
  }

  static json gateway_requests() {
    auto r = curl(
        {"-f", "-H", "@" + (tmp_ / "auth-header").string(), stack_.value("gatewayURL", "") + "/_gateway/requests"});
    EXPECT_TRUE(r.ok()) << r.describe();
    return r.ok() ? json::parse(r.out, nullptr, false) : json::array();
  }

  // --- sessions ---

  static json session(const std::string& name, const std::string& prompt, const json& extra = json::object()) {
    json spec = {{"prompt", prompt},
                 {"repository", {{"url", stack_.value("gitRepositoryURL", "")}, {"ref", "main"}}},
                 {"model", stack_.value("model", "")},
                 {"autonomyLevel", "medium"},
                 {"timeoutSeconds", 300}};
    spec.merge_patch(extra);
    return {{"apiVersion", "droid.dev/v1alpha1"},
            {"kind", "DroidSession"},
            {"metadata", {{"name", name}, {"namespace", namespace_}}},
            {"spec", spec}};
  }

  static process::Result apply(const json& obj) {
    return kubectl_->Run({"apply", "-n", namespace_, "-f", "-"}, obj.dump());
  }

  static std::optional<json> get(const std::string& kind, const std::string& name) {
    auto r = kubectl_->Run({"get", kind, name, "-n", namespace_, "-o", "json"});
    if (!r.ok()) return std::nullopt;
    return json::parse(r.out, nullptr, false);
  }

  static std::string phase_of(const json& s) { return s.contains("status") ? s["status"].value("phase", "") : ""; }

  // Polls the session until its phase is one of `phases`; returns the last object seen.
  static json wait_phase(const std::string& name, const std::set<std::string>& phases,
                         std::chrono::seconds within = 240s) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    json last = json::object();
    while (std::chrono::steady_clock::now() < deadline) {
      if (auto s = get("droidsession", name)) {
        last = *s;
        if (phases.contains(phase_of(last))) return last;
      }
      std::this_thread::sleep_for(1s);
    }
    return last;
  }

  static json pods_of(const std::string& session_name) {
    auto r = kubectl_->Run({"get", "pods", "-n", namespace_, "-l", "droid.dev/session=" + session_name, "-o", "json"});
    return r.ok() ? json::parse(r.out).value("items", json::array()) : json::array();
  }

  static std::string diagnose(const std::string& name) {
    std::string out = "\n--- session " + name + " ---\n" +
                      kubectl_->Run({"get", "droidsession", name, "-n", namespace_, "-o", "yaml"}).out;
    for (const auto& pod : pods_of(name)) {
      const std::string pod_name = pod["metadata"].value("name", "");
      out += "\n--- pod " + pod_name + " log (tail) ---\n";
      out += kubectl_->Run({"logs", "-n", namespace_, pod_name, "--tail=40"}).out;
    }
    return out;
  }

  static std::string pod_logs(const std::string& session_name) {
    std::string out;
    for (const auto& pod : pods_of(session_name))
      out += kubectl_->Run({"logs", "-n", namespace_, pod["metadata"].value("name", "")}).out;
    return out;
  }

  // --- the collector's file and Prometheus ---

  static std::string telemetry() { return read_file(stack_.value("telemetryFile", "")); }

  // Polls the collector's output until pred holds (the runner exports at its end; the
  // collector batches for a second).
  template <typename Pred>
  static bool eventually_in_telemetry(Pred pred, std::chrono::seconds within = 60s) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    while (true) {
      if (pred(telemetry())) return true;
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(1s);
    }
  }

  // The value of a PromQL query with one series (NaN-free), or nothing.
  static std::optional<double> prometheus(const std::string& query) {
    auto r =
        curl({"-f", "-G", "--data-urlencode", "query=" + query, stack_.value("prometheusURL", "") + "/api/v1/query"});
    if (!r.ok()) return std::nullopt;
    const auto doc = json::parse(r.out, nullptr, false);
    if (!doc.is_object() || doc["data"]["result"].empty()) return std::nullopt;
    return std::stod(doc["data"]["result"][0]["value"][1].get<std::string>());
  }

  // --- pods of the tests' own ---

  static std::string runner_image() {
    auto r = kubectl_->Run(
        {"get", "deployment", "-n", stack_.value("operatorNamespace", ""), stack_.value("release", ""), "-o", "json"});
    if (!r.ok()) return "";
    const json deployment = json::parse(r.out);  // named: a range-for over a temporary's member dangles
    for (const auto& arg : deployment["spec"]["template"]["spec"]["containers"][0]["args"]) {
      const auto a = arg.get<std::string>();
      if (a.starts_with("--runner-image=")) return a.substr(std::string("--runner-image=").size());
    }
    return "";
  }

  static bool exec_ok(const std::string& pod, const std::vector<std::string>& command) {
    std::vector<std::string> args = {"exec", "-n", namespace_, pod, "--"};
    args.insert(args.end(), command.begin(), command.end());
    return kubectl_->Run(args, {}, 30s).ok();
  }

  static bool connects(const std::string& pod, const std::string& host, int port) {
    return exec_ok(pod, {"sh", "-c", kConnect, host, std::to_string(port)});
  }

  // Polls connects() for up to `within` until it equals `want`; returns the last answer.
  static bool eventually_connects(const std::string& pod, const std::string& host, int port, bool want,
                                  std::chrono::seconds within = 30s) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    bool got = connects(pod, host, port);
    while (got != want && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(1s);
      got = connects(pod, host, port);
    }
    return got;
  }

  // --- approvals ---

  // A namespace (made once per suffix) governed by an extra OrgPolicy whose
  // limits.maxApprovalWaitSeconds is `wait`, so the tests below run there.
  static std::string namespace_with_wait(int wait) {
    const std::string ns = namespace_ + "-wait" + std::to_string(wait);
    const std::string label = "droid-e2e-wait-" + suffix_;
    if (kubectl_->Run({"get", "namespace", ns}).ok()) return ns;
    auto made = kubectl_->Run({"apply", "-f", "-"},
                              json{{"apiVersion", "v1"},
                                   {"kind", "Namespace"},
                                   {"metadata", {{"name", ns}, {"labels", {{label, std::to_string(wait)}}}}}}
                                  .dump());
    EXPECT_TRUE(made.ok()) << made.describe();
    auto policy = kubectl_->Run({"apply", "-f", "-"},
                                json{{"apiVersion", "droid.dev/v1alpha1"},
                                     {"kind", "OrgPolicy"},
                                     {"metadata", {{"name", ns}}},
                                     {"spec",
                                      {{"namespaceSelector", {{"matchLabels", {{label, std::to_string(wait)}}}}},
                                       {"limits", {{"maxApprovalWaitSeconds", wait}}}}}}
                                    .dump());
    EXPECT_TRUE(policy.ok()) << policy.describe();
    EXPECT_TRUE(kubectl_->WaitForDefaultServiceAccount(ns));
    extra_namespaces_.push_back(ns);
    return ns;
  }

  // Runs the rest of a test in `ns` (the helpers use namespace_).
  struct InNamespace {
    std::string saved;
    explicit InNamespace(const std::string& ns) : saved(namespace_) { namespace_ = ns; }
    ~InNamespace() { namespace_ = saved; }
    InNamespace(const InNamespace&) = delete;
    InNamespace& operator=(const InNamespace&) = delete;
  };

  static process::Result droid(std::vector<std::string> args) {
    args.insert(args.end(), {"--kubeconfig", kubectl_->kubeconfig(), "-n", namespace_});
    args.insert(args.begin(), kubectl_droid_);
    return process::run(args, {}, 60s);
  }

  // Polls until the session waits in place for `command` (pendingApproval.inPlace); the last object seen.
  static json wait_in_place(const std::string& name, const std::string& command, std::chrono::seconds within = 180s) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    json last = json::object();
    while (std::chrono::steady_clock::now() < deadline) {
      if (auto s = get("droidsession", name)) {
        last = *s;
        const json p = last.value("status", json::object()).value("pendingApproval", json::object());
        if (phase_of(last) == "AwaitingApproval" && p.value("inPlace", false) && p.value("command", "") == command)
          return last;
        if (kFinal.contains(phase_of(last)) && phase_of(last) != "AwaitingApproval") return last;
      }
      std::this_thread::sleep_for(200ms);
    }
    return last;
  }

  // The runner's audit records of `event` in the pod's log.
  static std::vector<json> audit_records(const std::string& pod, const std::string& event) {
    std::vector<json> out;
    std::istringstream in(kubectl_->Run({"logs", "-n", namespace_, pod, "-c", "runner"}).out);
    for (std::string line; std::getline(in, line);) {
      const json j = json::parse(line, nullptr, false);
      if (j.is_object() && j.value("event", "") == event) out.push_back(j);
    }
    return out;
  }

  static inline std::vector<std::string> extra_namespaces_;
  static inline std::vector<double> approval_latencies_ms_;
  static inline std::optional<Kubectl> kubectl_;
  static inline json stack_;
  static inline fs::path tmp_;
  static inline std::string namespace_, suffix_, kubectl_droid_;
};

// The scenario of test 1: read, run the test, fix, run it again, finish (4 requests).
json fix_calc_turns(const std::string& token) {
  json first = tool_turn(
      "look",
      {call("c1", "read", {{"path", "calc.py"}}), call("c2", "shell", {{"command", "python3 -B test_calc.py"}})}, 800,
      60);
  first["match"] = {{"lastMessageContains", token}};
  return json::array(
      {first,
       tool_turn(
           "fix",
           json::array({call("c3", "edit",
                             {{"path", "calc.py"}, {"old_string", "return a - b"}, {"new_string", "return a + b"}})}),
           1200, 80),
       tool_turn("check", json::array({call("c4", "shell", {{"command", "python3 -B test_calc.py"}})}), 1400, 20),
       text_turn("done", "Fixed calc.add: it subtracted. test_calc.py passes.", 1500, 40)});
}

// Checks a Succeeded session of fix_calc_turns: status, the branch on the git server, the
// collector's trace and metrics.
void expect_fixed_and_pushed(const json& s, const std::string& branch, const std::string& git_url,
                             const std::string& telemetry_file) {
  ASSERT_EQ(s["status"].value("phase", ""), "Succeeded");
  const json& status = s["status"];
  EXPECT_EQ(status["usage"].value("llmRequests", -1), 4) << status.dump(2);
  EXPECT_EQ(status["usage"].value("inputTokens", -1), 800 + 1200 + 1400 + 1500);
  EXPECT_EQ(status["usage"].value("outputTokens", -1), 60 + 80 + 20 + 40);
  EXPECT_EQ(status["usage"].value("toolCalls", -1), 4);
  EXPECT_EQ(status["result"].value("branch", ""), branch);
  const std::string commit = status["result"].value("commit", "");
  EXPECT_EQ(commit.size(), 40U) << status.dump(2);
  EXPECT_GE(status["result"].value("filesChanged", 0), 1);
  EXPECT_NE(status["result"].value("summary", "").find("Fixed calc.add"), std::string::npos);
  const std::string trace_id = status.value("traceId", "");
  EXPECT_EQ(trace_id.size(), 32U);

  // The branch is on the git server, at the reported commit, with the fix.
  auto remote = process::run({"git", "ls-remote", git_url + "/sample.git", "refs/heads/" + branch});
  ASSERT_TRUE(remote.ok()) << remote.describe();
  EXPECT_EQ(remote.out.substr(0, 40), commit) << remote.out;
  const fs::path checkout = fs::temp_directory_path() / ("droid-e2e-checkout-" + std::to_string(getpid()));
  fs::remove_all(checkout);
  auto cloned = process::run({"git", "clone", "-q", "--branch", branch, git_url + "/sample.git", checkout.string()});
  ASSERT_TRUE(cloned.ok()) << cloned.describe();
  EXPECT_NE(read_file((checkout / "calc.py").string()).find("return a + b"), std::string::npos)
      << "the fix is not pushed";
  fs::remove_all(checkout);

  // The collector received the session's trace (spans with its traceId) and metrics.
  const std::string name = s["metadata"].value("name", "");
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  bool spans = false;
  bool metrics = false;
  while (!(spans && metrics) && std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(telemetry_file);
    for (std::string line; std::getline(in, line);) {
      const bool mine = line.find("\"droid.session\",\"value\":{\"stringValue\":\"" + name + "\"") != std::string::npos;
      if (line.starts_with("{\"resourceSpans\"") && line.find(trace_id) != std::string::npos) spans = true;
      if (line.starts_with("{\"resourceMetrics\"") && mine) metrics = true;
    }
    if (!(spans && metrics)) std::this_thread::sleep_for(1s);
  }
  EXPECT_TRUE(spans) << "no spans of trace " << trace_id << " in " << telemetry_file;
  EXPECT_TRUE(metrics) << "no metrics of session " << name << " in " << telemetry_file;
}

TEST_F(Sessions, KubectlApplySessionSucceedsAndPushesABranch) {
  const std::string token = "E2E-T1-" + suffix_;
  ASSERT_NO_FATAL_FAILURE(set_script(fix_calc_turns(token)));
  const std::string name = "fix-calc";
  const std::string branch = "droid/e2e-" + suffix_ + "-apply";
  // Autonomy high: the push (git push, high risk) needs no approval.
  auto created = apply(session(name, token + ": test_calc.py is failing, fix calc.py.",
                               {{"autonomyLevel", "high"}, {"output", {{"pushBranch", branch}}}}));
  ASSERT_TRUE(created.ok()) << created.describe();
  const json s = wait_phase(name, kFinal);
  ASSERT_EQ(phase_of(s), "Succeeded") << diagnose(name);
  expect_fixed_and_pushed(s, branch, stack_.value("gitURL", ""), stack_.value("telemetryFile", ""));

  // The gateway saw the session's requests through its Service, with the key redacted in its record.
  int mine = 0;
  for (const auto& r : gateway_requests()) {
    if (r.dump().find(token) != std::string::npos || r.value("turn", "") != "") ++mine;
    EXPECT_EQ(r.dump().find(trim(read_file(stack_.value("gatewayKeyFile", "")))), std::string::npos);
  }
  EXPECT_GE(mine, 4);

  // Prometheus (scraping the operator pods) counts it: its droid_sessions{phase="Succeeded"}
  // comes to the number of Succeeded sessions the API server has, ours among them (sessions of
  // earlier runs may still be going away with their namespaces, so the two are compared).
  std::optional<double> scraped;
  int in_api = -1;
  for (int i = 0; i < 90; ++i) {
    in_api = 0;
    auto all = kubectl_->Run({"get", "droidsessions", "-A", "-o", "json"});
    ASSERT_TRUE(all.ok()) << all.describe();
    for (const auto& item : json::parse(all.out).value("items", json::array()))
      if (phase_of(item) == "Succeeded") ++in_api;
    // Only recent samples: a restarted Prometheus keeps the series of gone targets for 5 minutes.
    scraped = prometheus("max(last_over_time(droid_sessions{phase=\"Succeeded\"}[15s]))");
    if (scraped && static_cast<int>(*scraped) == in_api) break;
    std::this_thread::sleep_for(1s);
  }
  ASSERT_TRUE(scraped.has_value()) << "no droid_sessions in Prometheus";
  EXPECT_GE(in_api, 1);
  EXPECT_EQ(static_cast<int>(*scraped), in_api);
}

TEST_F(Sessions, KubectlDroidRunSessionSucceeds) {
  ASSERT_FALSE(kubectl_droid_.empty()) << "DROID_KUBECTL_DROID is not set (the kubectl-droid binary)";
  ASSERT_TRUE(fs::exists(kubectl_droid_)) << kubectl_droid_ << " does not exist: build the kubectl-droid target";
  const std::string token = "E2E-T1B-" + suffix_;
  ASSERT_NO_FATAL_FAILURE(set_script(fix_calc_turns(token)));
  const std::string name = "fix-calc-run";
  const std::string branch = "droid/e2e-" + suffix_ + "-run";
  auto r = process::run({kubectl_droid_,
                         "run",
                         "--kubeconfig",
                         kubectl_->kubeconfig(),
                         "-n",
                         namespace_,
                         "--name",
                         name,
                         "--prompt",
                         token + ": test_calc.py is failing, fix calc.py.",
                         "--repo",
                         stack_.value("gitRepositoryURL", ""),
                         "--ref",
                         "main",
                         "--model",
                         stack_.value("model", ""),
                         "--auto",
                         "high",
                         "--timeout",
                         "300",
                         "--push-branch",
                         branch,
                         "-o",
                         "json"},
                        {}, 300s);
  ASSERT_EQ(r.exit_code, 0) << r.describe() << diagnose(name);
  const auto printed = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(printed.is_object()) << r.out;
  EXPECT_EQ(phase_of(printed), "Succeeded");
  EXPECT_NE(r.err.find("Succeeded"), std::string::npos) << "no phase progress printed:\n" << r.err;
  // The runner pod's audit log, followed live and rendered one line per record.
  EXPECT_NE(r.err.find("llm      800 in / 60 out tokens, 2 tool calls"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("shell    python3 -B test_calc.py -> exit 0"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("pushed   " + branch + " at "), std::string::npos) << r.err;
  const auto s = get("droidsession", name);
  ASSERT_TRUE(s.has_value());
  expect_fixed_and_pushed(*s, branch, stack_.value("gitURL", ""), stack_.value("telemetryFile", ""));
}

TEST_F(Sessions, ForbiddenSessionIsRefusedByTheWebhookAndDeniedByTheReconciler) {
  const json forbidden = session("forbidden", "anything", {{"model", "not-an-allowed-model"}});
  auto refused = apply(forbidden);
  ASSERT_FALSE(refused.ok()) << "the webhook let a forbidden model in";
  EXPECT_NE(refused.err.find("denied the request"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("not-an-allowed-model"), std::string::npos) << refused.err;
  EXPECT_FALSE(get("droidsession", "forbidden").has_value());
  if (!kubectl_droid_.empty()) {
    // A CI job sees the refusal as the policy's (exit 3, the webhook's message), not as an RBAC problem.
    auto run = process::run({kubectl_droid_, "run", "--kubeconfig", kubectl_->kubeconfig(), "-n", namespace_, "--name",
                             "forbidden", "--prompt", "anything", "--model", "not-an-allowed-model"},
                            {}, 60s);
    EXPECT_EQ(run.exit_code, 3) << run.describe();
    EXPECT_NE(run.err.find("denied by policy at admission"), std::string::npos) << run.err;
    EXPECT_NE(run.err.find("not-an-allowed-model"), std::string::npos) << run.err;
    EXPECT_FALSE(get("droidsession", "forbidden").has_value());
  }

  // Out of the way: the validating webhook configuration, restored at the end.
  auto list = kubectl_->Run({"get", "validatingwebhookconfigurations", "-o", "json"});
  ASSERT_TRUE(list.ok()) << list.describe();
  json saved;
  const json configurations = json::parse(list.out);
  for (const auto& item : configurations["items"])
    if (item["metadata"].value("name", "").find("droid") != std::string::npos) saved = item;
  ASSERT_FALSE(saved.is_null()) << "no droid validating webhook configuration";
  const std::string config_name = saved["metadata"].value("name", "");
  for (const char* field : {"resourceVersion", "uid", "creationTimestamp", "managedFields", "generation"})
    saved["metadata"].erase(field);
  struct Restore {
    json obj;
    ~Restore() {
      auto r = kubectl_->Run({"create", "-f", "-"}, obj.dump());
      EXPECT_TRUE(r.ok()) << "could not restore the webhook configuration: " << r.describe();
    }
  };
  auto deleted = kubectl_->Run({"delete", "validatingwebhookconfiguration", config_name});
  ASSERT_TRUE(deleted.ok()) << deleted.describe();
  const Restore restore{saved};

  process::Result slipped;
  for (int i = 0; i < 30; ++i) {  // the apiserver notices the deleted configuration within a moment
    slipped = apply(session("slipped", "anything", {{"model", "not-an-allowed-model"}}));
    if (slipped.ok()) break;
    std::this_thread::sleep_for(1s);
  }
  ASSERT_TRUE(slipped.ok()) << slipped.describe();
  const json s = wait_phase("slipped", kFinal, 60s);
  ASSERT_EQ(phase_of(s), "Denied") << diagnose("slipped");
  bool reason = false;
  for (const auto& c : s["status"].value("conditions", json::array()))
    if (c.value("reason", "") == "ModelNotAllowed") reason = true;
  EXPECT_TRUE(reason) << s["status"].dump(2);
  EXPECT_TRUE(pods_of("slipped").empty());
  EXPECT_TRUE(pods_of("forbidden").empty());
}

TEST_F(Sessions, TimeoutCancelAndTtl) {
  // The gateway answers after two minutes: the runner waits in its first request.
  json slow = text_turn("slow", "late", 1, 1);
  slow["match"] = {{"lastMessageContains", "E2E-T5-" + suffix_}};
  slow["delayMs"] = 120000;
  slow["repeat"] = true;
  ASSERT_NO_FATAL_FAILURE(set_script(json::array({slow})));
  const std::string prompt = "E2E-T5-" + suffix_ + ": take your time.";

  ASSERT_TRUE(apply(session("too-slow", prompt, {{"timeoutSeconds", 20}})).ok());
  ASSERT_TRUE(apply(session("cancelled", prompt, {{"ttlSecondsAfterFinished", 15}})).ok());

  const json running = wait_phase("cancelled", {"Running"}, 120s);
  ASSERT_EQ(phase_of(running), "Running") << diagnose("cancelled");
  auto patched = kubectl_->Run(
      {"patch", "droidsession", "cancelled", "-n", namespace_, "--type=merge", "-p", R"({"spec":{"cancel":true}})"});
  ASSERT_TRUE(patched.ok()) << patched.describe();
  const json cancelled = wait_phase("cancelled", kFinal, 90s);
  EXPECT_EQ(phase_of(cancelled), "Cancelled") << diagnose("cancelled");
  bool pod_stopped = false;  // the cancelled session's pod is deleted (or at least no longer running)
  for (int i = 0; i < 60 && !pod_stopped; ++i) {
    pod_stopped = true;
    for (const auto& pod : pods_of("cancelled"))
      if (!pod["metadata"].contains("deletionTimestamp") && pod["status"].value("phase", "") == "Running")
        pod_stopped = false;
    if (!pod_stopped) std::this_thread::sleep_for(1s);
  }
  EXPECT_TRUE(pod_stopped) << diagnose("cancelled");

  const json timed_out = wait_phase("too-slow", kFinal, 120s);
  ASSERT_EQ(phase_of(timed_out), "TimedOut") << diagnose("too-slow");
  // The runner's own wall-time limit (timeoutSeconds less a grace) or, failing it, the pod's
  // activeDeadlineSeconds ends it.
  std::string reason;
  for (const auto& c : timed_out["status"].value("conditions", json::array()))
    if (c.value("type", "") == "Ready") reason = c.value("reason", "");
  EXPECT_TRUE(reason == "WallTimeExceeded" || reason == "DeadlineExceeded") << timed_out["status"].dump(2);
  for (const auto& pod : pods_of("too-slow")) {
    const std::string phase = pod["status"].value("phase", "");
    EXPECT_TRUE(phase == "Failed" || pod["metadata"].contains("deletionTimestamp"))
        << "the timed-out session's pod still runs: " << phase;
  }

  // TTL: the cancelled session (ttlSecondsAfterFinished 15) and its pod are deleted.
  bool gone = false;
  for (int i = 0; i < 90 && !gone; ++i) {
    gone = !get("droidsession", "cancelled").has_value();
    if (!gone) std::this_thread::sleep_for(1s);
  }
  EXPECT_TRUE(gone) << diagnose("cancelled");
}

TEST_F(Sessions, EgressAndSeccompInsideARunnerPod) {
  // A runner kept waiting for the gateway's answer, so that its pod can be inspected.
  json slow = text_turn("hold", "done", 1, 1);
  slow["match"] = {{"lastMessageContains", "E2E-T2-" + suffix_}};
  slow["delayMs"] = 150000;
  slow["repeat"] = true;
  ASSERT_NO_FATAL_FAILURE(set_script(json::array({slow})));
  ASSERT_TRUE(apply(session("held", "E2E-T2-" + suffix_ + ": wait.")).ok());
  const json s = wait_phase("held", {"Running"}, 120s);
  ASSERT_EQ(phase_of(s), "Running") << diagnose("held");
  const std::string pod = s["status"].value("podName", "");
  // Running, not Ready: the runner container is Ready only while it waits in place for an
  // approval (its readiness probe is the approval channel's signal).
  auto ready = kubectl_->Run(
      {"wait", "-n", namespace_, "--for=jsonpath={.status.phase}=Running", "--timeout=60s", "pod/" + pod}, {}, 90s);
  ASSERT_TRUE(ready.ok()) << ready.describe() << diagnose("held");

  // A pod without the session's NetworkPolicy, from the same image, for comparison.
  const std::string image = runner_image();
  ASSERT_FALSE(image.empty());
  const json bystander = {{"apiVersion", "v1"},
                          {"kind", "Pod"},
                          {"metadata", {{"name", "bystander"}, {"namespace", namespace_}}},
                          {"spec",
                           {{"terminationGracePeriodSeconds", 1},
                            {"automountServiceAccountToken", false},
                            {"containers",
                             {{{"name", "main"},
                               {"image", image},
                               {"imagePullPolicy", "Never"},
                               {"command", json::array({"sleep", "3600"})}}}}}}};
  ASSERT_TRUE(apply(bystander).ok());
  auto bystander_ready =
      kubectl_->Run({"wait", "-n", namespace_, "--for=condition=Ready", "--timeout=120s", "pod/bystander"}, {}, 150s);
  ASSERT_TRUE(bystander_ready.ok()) << bystander_ready.describe();

  // An address outside the cluster: a TCP server of this test on the node's own address.
  std::string node_ip;
  auto nodes = kubectl_->Run({"get", "nodes", "-o", "json"});
  ASSERT_TRUE(nodes.ok());
  const json node_list = json::parse(nodes.out);
  for (const auto& a : node_list["items"][0]["status"]["addresses"])
    if (a.value("type", "") == "InternalIP") node_ip = a.value("address", "");
  ASSERT_FALSE(node_ip.empty());
  const int outside_port = 40000 + static_cast<int>(getpid() % 20000);  // above the NodePort range
  const pid_t server = fork();
  ASSERT_GE(server, 0);
  if (server == 0) {
    execlp("python3", "python3", "-c",
           "import socket, sys, time\n"
           "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
           "s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(16); s.settimeout(600)\n"
           "while True:\n  c, _ = s.accept(); c.close()\n",
           node_ip.c_str(), std::to_string(outside_port).c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  struct Kill {
    pid_t pid;
    ~Kill() { kill(pid, SIGTERM); }
  } const stop_server{server};

  const std::string bed = stack_.value("testbedNamespace", "");
  const std::string gateway = "scripted-gateway." + bed + ".svc.cluster.local";
  const std::string collector = "otel-collector." + bed + ".svc.cluster.local";
  if (stack_.value("egress", false)) {
    // Through the egress gateway (issue 15): it alone (and DNS) is reachable; the LLM
    // gateway and the collector are not, directly (egress_e2e_test: through it).
    const std::string egress = stack_.value("egressGateway", "");
    const std::string egress_host = egress.substr(0, egress.rfind(':'));
    EXPECT_TRUE(eventually_connects(pod, egress_host, std::stoi(egress.substr(egress.rfind(':') + 1)), true))
        << "the runner pod cannot reach the egress gateway";
    EXPECT_FALSE(connects(pod, gateway, 8080)) << "the runner pod reached the LLM gateway around the egress gateway";
    EXPECT_FALSE(connects(pod, collector, 4318)) << "the runner pod reached the collector around the egress gateway";
    EXPECT_TRUE(eventually_connects("bystander", gateway, 8080, true));
  } else {
    // Allowed: the gateway (and DNS to find it).
    EXPECT_TRUE(eventually_connects(pod, gateway, 8080, true)) << "the runner pod cannot reach the gateway";
  }
  // Not allowed: another port of an allowed pod (the collector's gRPC; only OTLP/HTTP is),
  // the API server, an address outside the cluster.
  EXPECT_FALSE(connects(pod, collector, 4317)) << "the runner pod reached the collector's gRPC port";
  EXPECT_FALSE(connects(pod, "kubernetes.default.svc.cluster.local", 443)) << "the runner pod reached the API server";
  EXPECT_FALSE(connects(pod, node_ip, outside_port)) << "the runner pod reached " << node_ip << ":" << outside_port;
  // The same connections from a pod without the policy work: the NetworkPolicy blocked them.
  EXPECT_TRUE(eventually_connects("bystander", collector, 4317, true));
  EXPECT_TRUE(eventually_connects("bystander", "kubernetes.default.svc.cluster.local", 443, true));
  EXPECT_TRUE(eventually_connects("bystander", node_ip, outside_port, true));

  // Seccomp: the kubelet loaded the project's Localhost profile; unshare is denied (EPERM).
  const auto pod_json = get("pod", pod);
  ASSERT_TRUE(pod_json.has_value());
  const json& profile = (*pod_json)["spec"]["securityContext"]["seccompProfile"];
  EXPECT_EQ(profile.value("type", ""), "Localhost");
  EXPECT_EQ(profile.value("localhostProfile", ""), "profiles/droid-runner.json");
  auto status = kubectl_->Run({"exec", "-n", namespace_, pod, "--", "grep", "^Seccomp:", "/proc/self/status"}, {}, 30s);
  EXPECT_TRUE(status.ok()) << status.describe();
  EXPECT_NE(status.out.find("2"), std::string::npos) << "no seccomp filter in the runner pod: " << status.out;
  auto denied = kubectl_->Run({"exec", "-n", namespace_, pod, "--", "python3", "-c", kUnshare}, {}, 30s);
  ASSERT_TRUE(denied.ok()) << denied.describe();
  EXPECT_EQ(trim(denied.out), "-1 1") << "unshare in the runner pod";

  kubectl_->Run(
      {"patch", "droidsession", "held", "-n", namespace_, "--type=merge", "-p", R"({"spec":{"cancel":true}})"});
  kubectl_->Run({"delete", "pod", "bystander", "-n", namespace_, "--wait=false"});
}

TEST_F(Sessions, ApprovalWithKubectlDroidApprove) {
  ASSERT_FALSE(kubectl_droid_.empty()) << "DROID_KUBECTL_DROID is not set (the kubectl-droid binary)";
  ASSERT_TRUE(fs::exists(kubectl_droid_)) << kubectl_droid_ << " does not exist: build the kubectl-droid target";
  // rm -r asks at autonomy medium; after the approval the second run runs it and finishes.
  // The policy of this namespace never waits in place (the fallback path, as before issue 14).
  const InNamespace in(namespace_with_wait(0));
  json ask = tool_turn("clean", json::array({call("a1", "shell", {{"command", "rm -rf __pycache__"}})}), 100, 10);
  ask["match"] = {{"lastMessageContains", "E2E-T6-" + suffix_}};
  ask["repeat"] = true;
  json done = text_turn("done", "Cleaned the cache.", 120, 8);
  done["repeat"] = true;
  ASSERT_NO_FATAL_FAILURE(set_script(json::array({ask, done})));
  ASSERT_TRUE(apply(session("needs-approval", "E2E-T6-" + suffix_ + ": clean the python cache.")).ok());
  const json waiting =
      wait_phase("needs-approval", {"AwaitingApproval", "Succeeded", "Failed", "Denied", "TimedOut", "Cancelled"});
  ASSERT_EQ(phase_of(waiting), "AwaitingApproval") << diagnose("needs-approval");
  EXPECT_EQ(waiting["status"]["pendingApproval"].value("command", ""), "rm -rf __pycache__");

  auto approved = process::run({kubectl_droid_, "approve", "needs-approval", "--kubeconfig", kubectl_->kubeconfig(),
                                "-n", namespace_, "--comment", "e2e"},
                               {}, 60s);
  ASSERT_TRUE(approved.ok()) << approved.describe();
  const json s = wait_phase("needs-approval", kFinal);
  ASSERT_EQ(phase_of(s), "Succeeded") << diagnose("needs-approval");
  EXPECT_EQ(s["status"].value("runAttempt", 0), 2);
  EXPECT_EQ(pods_of("needs-approval").size(), 2U);
}

// The time (system clock, ms since the epoch) of an audit record's "ts".
double audit_ms(const json& record) {
  std::tm tm{};
  const std::string ts = record.value("ts", "");
  strptime(ts.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  const double millis = ts.size() >= 23 ? std::stod(ts.substr(20, 3)) : 0;
  return static_cast<double>(timegm(&tm)) * 1000 + millis;
}

double now_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Two approvals in place: the session continues in the same pod and conversation.
TEST_F(Sessions, ApprovalsInPlaceContinueTheSamePodAndConversation) {
  ASSERT_FALSE(kubectl_droid_.empty());
  const std::string token = "E2E-T8-" + suffix_;
  json first = tool_turn("clean build", json::array({call("p1", "shell", {{"command", "rm -rf build"}})}), 100, 10);
  first["match"] = {{"lastMessageContains", token}};
  json second = tool_turn("clean dist", json::array({call("p2", "shell", {{"command", "rm -rf dist"}})}), 150, 10);
  second["match"] = {{"lastMessageContains", "exit code: 0"}};
  json done = text_turn("done", "Removed build and dist.", 200, 8);
  done["match"] = {{"lastMessageContains", "exit code: 0"}};
  ASSERT_NO_FATAL_FAILURE(set_script(json::array({first, second, done})));
  const std::string name = "in-place";
  ASSERT_TRUE(apply(session(name, token + ": clean the build outputs.")).ok());

  std::string uid;
  for (const std::string command : {"rm -rf build", "rm -rf dist"}) {
    const json waiting = wait_in_place(name, command);
    ASSERT_EQ(phase_of(waiting), "AwaitingApproval") << diagnose(name);
    ASSERT_EQ(waiting["status"]["pendingApproval"].value("command", ""), command) << diagnose(name);
    const std::string pod = waiting["status"].value("podName", "");
    const auto pod_json = get("pod", pod);
    ASSERT_TRUE(pod_json.has_value());
    if (uid.empty()) uid = (*pod_json)["metadata"].value("uid", "");
    EXPECT_EQ((*pod_json)["metadata"].value("uid", ""), uid) << "a new pod for the second approval";
    // `kubectl droid list` shows what the session asks.
    auto listed = droid({"list"});
    EXPECT_NE(listed.out.find("WAITING-FOR"), std::string::npos) << listed.out;
    EXPECT_NE(listed.out.find(command), std::string::npos) << listed.out;
    if (command == "rm -rf build") {
      // Someone who may patch pods but has no key writes the decision himself: the runner
      // refuses it (unsigned by the operator for this session) and goes on waiting.
      const json forged = {{"id", "1"}, {"decision", "approved"}, {"command", command},         {"by", "mallory"},
                           {"at", ""},  {"reason", ""},           {"sig", std::string(64, '0')}};
      auto annotated = kubectl_->Run(
          {"annotate", "pod", pod, "-n", namespace_, "--overwrite", "droid.dev/approval-decision=" + forged.dump()});
      ASSERT_TRUE(annotated.ok()) << annotated.describe();
      std::vector<json> refused;
      for (int i = 0; i < 60 && refused.empty(); ++i) {
        std::this_thread::sleep_for(500ms);
        refused = audit_records(pod, "approval_decision_refused");
      }
      ASSERT_EQ(refused.size(), 1U) << "the forged decision was not refused (runner audit log)";
      EXPECT_NE(refused[0].value("why", "").find("signature does not match"), std::string::npos) << refused[0];
      EXPECT_TRUE(audit_records(pod, "approval_received").empty()) << "a forged decision was taken";
      const auto still = get("droidsession", name);
      ASSERT_TRUE(still.has_value());
      EXPECT_EQ(phase_of(*still), "AwaitingApproval") << diagnose(name);
    }
    const double approved_at = now_ms();
    auto approved = droid({"approve", name});
    ASSERT_TRUE(approved.ok()) << approved.describe();
    // The runner waiting in place runs it: its audit log says when.
    std::vector<json> received;
    for (int i = 0; i < 120; ++i) {
      received = audit_records(pod, "approval_received");
      if (received.size() >= (command == "rm -rf build" ? 1U : 2U)) break;
      std::this_thread::sleep_for(250ms);
    }
    ASSERT_FALSE(received.empty()) << diagnose(name);
    EXPECT_EQ(received.back().value("command", ""), command);
    EXPECT_FALSE(received.back().value("by", "").empty()) << "no approver in the runner's audit log";
    approval_latencies_ms_.push_back(audit_ms(received.back()) - approved_at);
  }
  const json s = wait_phase(name, {"Succeeded", "Failed", "TimedOut", "Cancelled"});
  ASSERT_EQ(phase_of(s), "Succeeded") << diagnose(name);
  EXPECT_EQ(s["status"].value("runAttempt", 1), 1);
  EXPECT_FALSE(s["status"].contains("previousRuns"));
  const json pods = pods_of(name);
  ASSERT_EQ(pods.size(), 1U) << "one pod for the whole session";
  EXPECT_EQ(pods[0]["metadata"].value("uid", ""), uid);
  // The history: two approvals in place, with who approved.
  const json history = s["status"].value("approvals", json::array());
  ASSERT_EQ(history.size(), 2U) << s["status"].dump(2);
  for (const auto& h : history) {
    EXPECT_EQ(h.value("decision", ""), "Approved");
    EXPECT_TRUE(h.value("inPlace", false));
    EXPECT_FALSE(h.value("by", "").empty());
  }
  // One clone, one growing conversation at the gateway (not a replay from the prompt).
  const std::string pod = pods[0]["metadata"].value("name", "");
  EXPECT_EQ(audit_records(pod, "session_start").size(), 1U);
  std::vector<json> mine;
  for (const auto& r : gateway_requests())
    if (r.dump().find(token) != std::string::npos) mine.push_back(r["body"]["messages"]);
  ASSERT_EQ(mine.size(), 3U);
  for (std::size_t i = 1; i < mine.size(); ++i) {
    ASSERT_GT(mine[i].size(), mine[i - 1].size());
    for (std::size_t m = 0; m < mine[i - 1].size(); ++m) EXPECT_EQ(mine[i][m], mine[i - 1][m]) << i << "/" << m;
  }
  // One ApprovalReceived event per decision, naming the approver (the operator writes
  // events asynchronously: looked for until they are there, 30 s at most).
  int approval_events = 0;
  std::string listed;
  for (int i = 0; i < 60 && approval_events < 2; ++i) {
    if (i > 0) std::this_thread::sleep_for(500ms);
    auto events = kubectl_->Run({"get", "events.events.k8s.io", "-n", namespace_, "-o", "json"});
    ASSERT_TRUE(events.ok()) << events.describe();
    listed.clear();
    approval_events = 0;
    // The parsed list is kept in a variable: a range-for over `json::parse(...)["items"]`
    // iterates a member of a temporary destroyed before the loop (nothing, or garbage).
    const json list = json::parse(events.out);
    for (const auto& e : list["items"]) {
      listed += e.value("reportingController", "") + " " + e.value("reason", "") + " about " +
                e["regarding"].value("name", "") + ": eventTime " + e["eventTime"].dump() + ", created " +
                e["metadata"].value("creationTimestamp", "") + "\n";
      if (e["regarding"].value("name", "") == name && e.value("reason", "") == "ApprovalReceived" &&
          e.value("reportingController", "") == "droid.dev/operator" &&
          e.value("note", "").find("by ") != std::string::npos)
        ++approval_events;
    }
  }
  EXPECT_EQ(approval_events, 2) << "events in " << namespace_ << " at " << now_ms() << " ms:\n" << listed;
}

TEST_F(Sessions, ARejectionInPlaceGoesBackToTheModel) {
  ASSERT_FALSE(kubectl_droid_.empty());
  const std::string token = "E2E-T9-" + suffix_;
  json ask = tool_turn("clean", json::array({call("r1", "shell", {{"command", "rm -rf build"}})}), 100, 10);
  ask["match"] = {{"lastMessageContains", token}};
  json answer = text_turn("answer", "Left build alone as asked.", 120, 8);
  answer["match"] = {{"lastMessageContains", "keep it for the release"}};
  ASSERT_NO_FATAL_FAILURE(set_script(json::array({ask, answer})));
  const std::string name = "rejected";
  ASSERT_TRUE(apply(session(name, token + ": clean up.")).ok());
  const json waiting = wait_in_place(name, "rm -rf build");
  ASSERT_EQ(phase_of(waiting), "AwaitingApproval") << diagnose(name);
  auto rejected = droid({"reject", name, "--reason", "keep it for the release"});
  ASSERT_TRUE(rejected.ok()) << rejected.describe();
  const json s = wait_phase(name, {"Succeeded", "Failed", "TimedOut", "Cancelled"});
  ASSERT_EQ(phase_of(s), "Succeeded") << diagnose(name);
  EXPECT_EQ(pods_of(name).size(), 1U);
  const json history = s["status"].value("approvals", json::array());
  ASSERT_EQ(history.size(), 1U);
  EXPECT_EQ(history[0].value("decision", ""), "Rejected");
  EXPECT_EQ(history[0].value("reason", ""), "keep it for the release");
  EXPECT_NE(gateway_requests().dump().find("keep it for the release"), std::string::npos);
  const std::string pod = s["status"].value("podName", "");
  ASSERT_EQ(audit_records(pod, "approval_rejected").size(), 1U);
}

// The earlier run's summary reaches the next run's prompt after a fallback.
void expect_fallback_run(const json& s, const std::string& end_reason, const json& requests, const std::string& token) {
  EXPECT_EQ(s["status"].value("runAttempt", 0), 2) << s["status"].dump(2);
  const json previous = s["status"].value("previousRuns", json::array());
  ASSERT_EQ(previous.size(), 1U);
  EXPECT_EQ(previous[0].value("endReason", ""), end_reason) << previous.dump(2);
  bool context = false;
  for (const auto& r : requests)
    if (r.dump().find(token) != std::string::npos && r.dump().find("[Context from the operator]") != std::string::npos)
      context = true;
  EXPECT_TRUE(context) << "the next run's prompt has no context from the earlier run";
}

TEST_F(Sessions, AWaitInPlaceThatExpiresFallsBackToANewRun) {
  ASSERT_FALSE(kubectl_droid_.empty());
  const InNamespace in(namespace_with_wait(20));
  const std::string token = "E2E-T10-" + suffix_;
  json ask = tool_turn("clean", json::array({call("x1", "shell", {{"command", "rm -rf build"}})}), 100, 10);
  ask["match"] = {{"lastMessageContains", token}};
  ask["repeat"] = true;
  json done = text_turn("done", "Cleaned.", 120, 8);
  done["match"] = {{"lastMessageContains", "exit code: 0"}};
  ASSERT_NO_FATAL_FAILURE(set_script(json::array({ask, done})));
  const std::string name = "wait-expires";
  ASSERT_TRUE(apply(session(name, token + ": clean up.")).ok());
  ASSERT_EQ(phase_of(wait_in_place(name, "rm -rf build")), "AwaitingApproval") << diagnose(name);
  // The wait (20 s) passes: the run ends, the session waits on.
  json ended;
  for (int i = 0; i < 120; ++i) {
    ended = get("droidsession", name).value_or(json::object());
    if (ended.value("status", json::object()).value("pendingApproval", json::object()).value("endReason", "") ==
        "ApprovalWaitExpired")
      break;
    std::this_thread::sleep_for(1s);
  }
  ASSERT_EQ(phase_of(ended), "AwaitingApproval") << diagnose(name);
  ASSERT_EQ(ended["status"]["pendingApproval"].value("endReason", ""), "ApprovalWaitExpired") << diagnose(name);
  EXPECT_FALSE(ended["status"]["pendingApproval"].value("inPlace", true));
  auto approved = droid({"approve", name});
  ASSERT_TRUE(approved.ok()) << approved.describe();
  const json s = wait_phase(name, {"Succeeded", "Failed", "TimedOut", "Cancelled"});
  ASSERT_EQ(phase_of(s), "Succeeded") << diagnose(name);
  expect_fallback_run(s, "ApprovalWaitExpired", gateway_requests(), token);
  EXPECT_FALSE(s["status"]["previousRuns"][0].value("summary", "").empty());
  EXPECT_EQ(pods_of(name).size(), 2U);
}

TEST_F(Sessions, DeletingTheWaitingPodFallsBackToANewRun) {
  ASSERT_FALSE(kubectl_droid_.empty());
  const std::string token = "E2E-T11-" + suffix_;
  json ask = tool_turn("clean", json::array({call("d1", "shell", {{"command", "rm -rf build"}})}), 100, 10);
  ask["match"] = {{"lastMessageContains", token}};
  ask["repeat"] = true;
  json done = text_turn("done", "Cleaned.", 120, 8);
  done["match"] = {{"lastMessageContains", "exit code: 0"}};
  ASSERT_NO_FATAL_FAILURE(set_script(json::array({ask, done})));
  const std::string name = "pod-deleted";
  ASSERT_TRUE(apply(session(name, token + ": clean up.")).ok());
  const json waiting = wait_in_place(name, "rm -rf build");
  ASSERT_EQ(phase_of(waiting), "AwaitingApproval") << diagnose(name);
  auto deleted = kubectl_->Run({"delete", "pod", "-n", namespace_, waiting["status"].value("podName", "")}, {}, 90s);
  ASSERT_TRUE(deleted.ok()) << deleted.describe();
  json fell_back;
  for (int i = 0; i < 60; ++i) {
    fell_back = get("droidsession", name).value_or(json::object());
    const json p = fell_back.value("status", json::object()).value("pendingApproval", json::object());
    if (phase_of(fell_back) == "AwaitingApproval" && !p.value("inPlace", true)) break;
    std::this_thread::sleep_for(1s);
  }
  ASSERT_EQ(phase_of(fell_back), "AwaitingApproval") << diagnose(name);
  const std::string why = fell_back["status"]["pendingApproval"].value("endReason", "");
  // Lost (the operator saw the deletion first) or interrupted (it saw the runner's report of SIGTERM).
  EXPECT_TRUE(why == "PodLostWhileWaiting" || why == "ApprovalWaitInterrupted") << why;
  auto approved = droid({"approve", name});
  ASSERT_TRUE(approved.ok()) << approved.describe();
  const json s = wait_phase(name, {"Succeeded", "Failed", "TimedOut", "Cancelled"});
  ASSERT_EQ(phase_of(s), "Succeeded") << diagnose(name);
  expect_fallback_run(s, why, gateway_requests(), token);
}

TEST_F(Sessions, PlantedSecretReachesNeitherGatewayNorTelemetryNorLogs) {
  // A branch of the sample repository with a credential in a file.
  const std::string secret = "ghp_" + std::string("Zq8Lw3Xr7Tn2Vb5Mk9Pd4Hs6Jf1Gc0Ya") + suffix_.substr(0, 3) + "Qe";
  const std::string branch = "e2e-secret-" + suffix_;
  const fs::path work = tmp_ / "secret-repo";
  const std::string url = stack_.value("gitURL", "") + "/sample.git";
  auto cloned = process::run({"git", "clone", "-q", url, work.string()});
  ASSERT_TRUE(cloned.ok()) << cloned.describe();
  {
    std::ofstream f(work / "deploy.env");
    f << "DATABASE_HOST=db.internal\nGITHUB_TOKEN=" << secret << "\n";
  }
  process::Options in_repo;
  in_repo.cwd = work.string();
  for (const std::vector<std::string>& cmd : std::vector<std::vector<std::string>>{
           {"git", "checkout", "-q", "-b", branch},
           {"git", "add", "deploy.env"},
           {"git", "-c", "user.name=e2e", "-c", "user.email=e2e@localhost", "commit", "-q", "-m", "deploy settings"},
           {"git", "push", "-q", "origin", branch}}) {
    auto r = process::run_with(cmd, in_repo);
    ASSERT_TRUE(r.ok()) << r.describe();
  }

  json look = tool_turn(
      "read the settings",
      {call("s1", "read", {{"path", "deploy.env"}}), call("s2", "shell", {{"command", "cat deploy.env"}})}, 300, 20);
  look["match"] = {{"lastMessageContains", "E2E-T7-" + suffix_}};
  ASSERT_NO_FATAL_FAILURE(
      set_script(json::array({look, text_turn("done", "The file sets the database host.", 400, 12)})));
  ASSERT_TRUE(apply(session("secret", "E2E-T7-" + suffix_ + ": what does deploy.env configure?",
                            {{"repository", {{"ref", branch}}}}))
                  .ok());
  const json s = wait_phase("secret", kFinal);
  ASSERT_EQ(phase_of(s), "Succeeded") << diagnose("secret");

  // The gateway got the file's content, without the token.
  const std::string requests = gateway_requests().dump();
  EXPECT_NE(requests.find("DATABASE_HOST=db.internal"), std::string::npos) << "the read never reached the gateway";
  EXPECT_EQ(requests.find(secret), std::string::npos) << "the secret reached the gateway";
  EXPECT_EQ(requests.find(secret.substr(4, 20)), std::string::npos) << "part of the secret reached the gateway";
  // Neither the collector's output (once it has the session's trace) nor the pod's log.
  const std::string trace_id = s["status"].value("traceId", "");
  EXPECT_TRUE(eventually_in_telemetry([&](const std::string& t) { return t.find(trace_id) != std::string::npos; }));
  EXPECT_EQ(telemetry().find(secret.substr(4, 20)), std::string::npos) << "the secret reached the collector";
  const std::string logs = pod_logs("secret");
  EXPECT_FALSE(logs.empty());
  EXPECT_NE(logs.find("\"redacted\":true"), std::string::npos) << "the runner's audit log shows no redaction";
  EXPECT_EQ(logs.find(secret.substr(4, 20)), std::string::npos) << "the secret is in the runner's log";
}

}  // namespace
}  // namespace droid::e2e
