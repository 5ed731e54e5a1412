// kubectl-droid (the built binary, run as a process) against a real control
// plane. No node runs pods here, so the test plays the operator: while
// `kubectl droid run` waits, it writes the session's status through the status
// subresource (Pending, Running with a pod, AwaitingApproval with a pending
// command, then a final phase) and checks what run prints and its exit code.
// Also: approve (appended, others kept, refusals), cancel, list/get, policy
// explain with two OrgPolicies, KUBECONFIG merging and --context, a
// ServiceAccount without rights, and logs of a pod that does not exist (log
// streaming itself needs a node: the node tier covers it).
// KUBECONFIG names the cluster (admin); KUBECTL_DROID_BIN is the binary.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include "background_process.h"
#include "kube/client.h"
#include "kube/config.h"
#include "kube/error.h"
#include "kubectl.h"
#include "process/subprocess.h"

namespace droid::e2e {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
namespace kube = droid::kube;
namespace fs = std::filesystem;

const std::string kId = std::to_string(getpid());
const std::string kNs = "kd-e2e-" + kId;         // team a
const std::string kOtherNs = "kd-e2e-b-" + kId;  // no team
const std::string kHighPolicy = "kd-e2e-high-" + kId;
const std::string kLowPolicy = "kd-e2e-low-" + kId;
const fs::path kDir = fs::temp_directory_path() / ("kubectl-droid-e2e-" + kId);

bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      if (pred()) return true;
    } catch (const std::exception&) {
      // not yet
    }
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

std::string now_rfc3339() {
  const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

json ready(const std::string& status, const std::string& reason, const std::string& message) {
  return json::array({{{"type", "Ready"},
                       {"status", status},
                       {"reason", reason},
                       {"message", message},
                       {"lastTransitionTime", now_rfc3339()}}});
}

class KubectlDroidE2E : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    // NOLINTNEXTLINE(concurrency-mt-unsafe): read before any thread starts
    const char* kc = std::getenv("KUBECONFIG");
    ASSERT_NE(kc, nullptr) << "KUBECONFIG must name the test cluster's admin kubeconfig";
    kubeconfig_ = kc;
    fs::create_directories(kDir);
    client_ = std::make_unique<kube::Client>(kube::load_kubeconfig(kubeconfig_));
    Kubectl kubectl = Kubectl::FromEnvironment();
    auto applied = kubectl.Run({"apply", "--server-side", "--force-conflicts", "--field-manager", "droid-e2e-kubectl",
                                "-f", std::string(DROID_SOURCE_DIR) + "/crds/"});
    ASSERT_TRUE(applied.ok()) << applied.describe();
    auto established = kubectl.Run({"wait", "--for=condition=Established", "--timeout=60s",
                                    "crd/droidsessions.droid.dev", "crd/orgpolicies.droid.dev"},
                                   {}, 90s);
    ASSERT_TRUE(established.ok()) << established.describe();
    create_namespace(kNs, {{"kd-e2e", kId}, {"kd-e2e-team", "a-" + kId}});
    create_namespace(kOtherNs, {{"kd-e2e", kId}});
  }

  static void TearDownTestSuite() {
    if (client_) {
      for (const auto& p : {kHighPolicy, kLowPolicy}) try_remove(kube::kOrgPolicies, "", p);
      for (const auto& ns : {kNs, kOtherNs}) try_remove(kube::kNamespaces, "", ns);
    }
    client_.reset();  // before static destruction: cpprestsdk's thread pool must still be there
    fs::remove_all(kDir);
  }

 protected:
  static void create_namespace(const std::string& name, const json& labels) {
    client_->create(kube::kNamespaces,
                    {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}, {"labels", labels}}}});
  }
  static void try_remove(const kube::Resource& r, const std::string& ns, const std::string& name) {
    try {
      client_->remove(r, ns, name);
    } catch (const std::exception&) {
      // already gone
    }
  }

  // Runs kubectl-droid to the end.
  static process::Result droid(const std::vector<std::string>& args, const std::string& kubeconfig = "") {
    std::vector<std::string> argv{KUBECTL_DROID_BIN};
    argv.insert(argv.end(), args.begin(), args.end());
    return process::run_with(
        argv, {.timeout = 120s, .env = {"KUBECONFIG=" + (kubeconfig.empty() ? kubeconfig_ : kubeconfig)}});
  }
  static std::unique_ptr<BackgroundProcess> droid_in_background(const std::vector<std::string>& args,
                                                                const std::string& tag) {
    std::vector<std::string> argv{KUBECTL_DROID_BIN};
    argv.insert(argv.end(), args.begin(), args.end());
    return std::make_unique<BackgroundProcess>(argv, std::vector<std::string>{"KUBECONFIG=" + kubeconfig_},
                                               (kDir / tag).string());
  }

  static json session(const std::string& name, const std::string& ns = kNs) {
    return client_->get(kube::kDroidSessions, ns, name);
  }
  static void create_session(const std::string& name, const json& spec = {{"prompt", "p"}},
                             const std::string& ns = kNs) {
    client_->create(kube::kDroidSessions, {{"apiVersion", "droid.dev/v1alpha1"},
                                           {"kind", "DroidSession"},
                                           {"metadata", {{"name", name}, {"namespace", ns}}},
                                           {"spec", spec}});
  }
  static void set_status(const std::string& name, const json& status, const std::string& ns = kNs) {
    client_->patch(kube::kDroidSessions, ns, name, kube::PatchType::Merge, {{"status", status}}, "status");
  }
  static bool session_exists(const std::string& name) {
    return wait_until([&] { return !session(name).is_null(); }, 30s);
  }

  // A kubeconfig holding the admin kubeconfig's cluster and user under other names.
  static std::string derived_kubeconfig(const std::string& file, const std::string& context, const std::string& ns,
                                        const std::string& token = "") {
    YAML::Node admin = YAML::LoadFile(kubeconfig_);
    YAML::Node cluster = admin["clusters"][0]["cluster"];
    YAML::Node user = admin["users"][0]["user"];
    if (!token.empty()) {
      user = YAML::Node(YAML::NodeType::Map);
      user["token"] = token;
    }
    YAML::Node out;
    out["apiVersion"] = "v1";
    out["kind"] = "Config";
    out["clusters"][0]["name"] = context + "-cluster";
    out["clusters"][0]["cluster"] = cluster;
    out["users"][0]["name"] = context + "-user";
    out["users"][0]["user"] = user;
    out["contexts"][0]["name"] = context;
    out["contexts"][0]["context"]["cluster"] = context + "-cluster";
    out["contexts"][0]["context"]["user"] = context + "-user";
    if (!ns.empty()) out["contexts"][0]["context"]["namespace"] = ns;
    out["current-context"] = context;
    const std::string path = (kDir / file).string();
    std::ofstream(path) << YAML::Dump(out);
    return path;
  }

  static std::string kubeconfig_;
  static std::unique_ptr<kube::Client> client_;
};

std::string KubectlDroidE2E::kubeconfig_;
std::unique_ptr<kube::Client> KubectlDroidE2E::client_;

TEST_F(KubectlDroidE2E, RunFollowsPhasesApprovalAndResult) {
  auto run = droid_in_background(
      {"run", "-n", kNs, "--name", "run-ok", "--prompt", "fix the flaky test", "--model", "qwen", "--auto", "medium",
       "--repo", "https://git.example/a.git", "--ref", "main", "--timeout", "30m"},
      "run-ok");
  ASSERT_TRUE(run->wait_for_output("droidsession.droid.dev/run-ok created in namespace " + kNs, 60s)) << run->err();
  ASSERT_TRUE(session_exists("run-ok"));
  const json spec = session("run-ok")["spec"];
  EXPECT_EQ(spec["model"], "qwen");
  EXPECT_EQ(spec["autonomyLevel"], "medium");
  EXPECT_EQ(spec["timeoutSeconds"], 1800);
  EXPECT_EQ(spec["repository"]["ref"], "main");

  set_status("run-ok",
             {{"phase", "Pending"}, {"conditions", ready("False", "PodCreating", "creating the runner pod")}});
  ASSERT_TRUE(run->wait_for_output("Pending (PodCreating): creating the runner pod", 30s)) << run->out();
  // A pod name that never exists (no node): run keeps trying to follow its log.
  set_status("run-ok", {{"phase", "Running"},
                        {"podName", "run-ok-runner-1"},
                        {"conditions", ready("False", "Running", "the runner is working")}});
  ASSERT_TRUE(run->wait_for_output("following the log of pod run-ok-runner-1", 30s)) << run->out();
  ASSERT_TRUE(run->wait_for_output("Running: the runner is working", 30s)) << run->out();

  set_status("run-ok",
             {{"phase", "AwaitingApproval"},
              {"pendingApproval",
               {{"command", "make deploy ENV=staging"},
                {"risk", "high"},
                {"reasons", {"deploys"}},
                {"requestedAt", now_rfc3339()}}},
              {"conditions", ready("False", "WaitingForApproval", "waiting for an approval of: make deploy")}});
  const std::string approve_line = "kubectl droid approve run-ok -n " + kNs + " --command 'make deploy ENV=staging'";
  ASSERT_TRUE(run->wait_for_output(approve_line, 30s)) << run->out();
  EXPECT_NE(run->out().find("waiting for approval: make deploy ENV=staging (approve with: " + approve_line +
                            ")\n  risk: high\n  reason: deploys\n  reject with: kubectl droid reject run-ok -n " + kNs +
                            " --reason '...'"),
            std::string::npos)
      << run->out();

  // The approver runs the printed command (run goes on waiting meanwhile).
  auto approved = droid({"approve", "run-ok", "-n", kNs});
  ASSERT_EQ(approved.exit_code, 0) << approved.describe();
  EXPECT_NE(approved.out.find("approved 'make deploy ENV=staging'"), std::string::npos) << approved.out;
  const json approvals = session("run-ok")["spec"]["approvals"];
  ASSERT_EQ(approvals.size(), 1u);
  EXPECT_EQ(approvals[0]["command"], "make deploy ENV=staging");

  set_status("run-ok", {{"phase", "Running"},
                        {"podName", "run-ok-runner-2"},
                        {"conditions", ready("False", "Running", "the runner is working")}});
  ASSERT_TRUE(run->wait_for_output("following the log of pod run-ok-runner-2", 30s)) << run->out();
  set_status(
      "run-ok",
      {{"phase", "Succeeded"},
       {"completionTime", now_rfc3339()},
       {"usage",
        {{"inputTokens", 1200}, {"outputTokens", 300}, {"llmRequests", 4}, {"toolCalls", 7}, {"commandsBlocked", 1}}},
       {"result",
        {{"summary", "Fixed the race in the retry loop."},
         {"filesChanged", 3},
         {"branch", "droid/fix"},
         {"commit", "0123abcd"}}},
       {"conditions", ready("True", "Completed", "the agent finished")}});
  const int code = run->wait(60s);
  const std::string out = run->out();
  EXPECT_EQ(code, 0) << out << run->err();
  for (const char* part :
       {"Session run-ok Succeeded (Completed): the agent finished\n", "Summary:\n  Fixed the race in the retry loop.\n",
        "Files changed: 3\n", "Branch: droid/fix\n", "Commit: 0123abcd\n",
        "Usage: 1200 input tokens, 300 output tokens, 4 LLM requests, 7 tool calls, 1 command blocked\n"})
    EXPECT_NE(out.find(part), std::string::npos) << part << "\n---\n" << out;
  // Phase changes came in order.
  EXPECT_LT(out.find("Pending (PodCreating)"), out.find("Running: the runner"));
  EXPECT_LT(out.find("AwaitingApproval (WaitingForApproval)"), out.find("Succeeded (Completed)"));
}

TEST_F(KubectlDroidE2E, RunExitCodesFollowTheOutcome) {
  struct Case {
    std::string phase, reason;
    int code;
  };
  for (const Case& c : {Case{"Denied", "ModelNotAllowed", 3}, Case{"Failed", "RunnerError", 1},
                        Case{"TimedOut", "DeadlineExceeded", 4}, Case{"Cancelled", "Cancelled", 5}}) {
    std::string name = "exit-" + c.phase;
    for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    auto run = droid_in_background({"run", "-n", kNs, "--name", name, "--prompt", "p", "--no-logs"}, name);
    ASSERT_TRUE(run->wait_for_output("created", 60s)) << run->err();
    ASSERT_TRUE(session_exists(name));
    set_status(name, {{"phase", c.phase}, {"conditions", ready("False", c.reason, "because of " + c.phase)}});
    EXPECT_EQ(run->wait(60s), c.code) << c.phase << "\n" << run->out() << run->err();
    EXPECT_NE(run->err().find("session " + name + " ended " + c.phase + " (" + c.reason + "): because of " + c.phase),
              std::string::npos)
        << run->err();
  }
}

TEST_F(KubectlDroidE2E, RunCanExitAtAnApprovalOrDetach) {
  auto run =
      droid_in_background({"run", "-n", kNs, "--name", "no-wait", "--prompt", "p", "--no-wait-approval"}, "no-wait");
  ASSERT_TRUE(run->wait_for_output("created", 60s)) << run->err();
  ASSERT_TRUE(session_exists("no-wait"));
  set_status("no-wait", {{"phase", "AwaitingApproval"}, {"pendingApproval", {{"command", "rm -rf build"}}}});
  EXPECT_EQ(run->wait(60s), 6) << run->out() << run->err();
  EXPECT_NE(run->out().find("kubectl droid approve no-wait -n " + kNs + " --command 'rm -rf build'"),
            std::string::npos);

  auto detached = droid({"run", "-n", kNs, "--generate-name", "ci-", "--prompt", "p", "--detach", "--label", "run=7"});
  ASSERT_EQ(detached.exit_code, 0) << detached.describe();
  const std::string name = detached.out.substr(0, detached.out.find('\n'));
  EXPECT_EQ(name.rfind("ci-", 0), 0u) << name;
  EXPECT_EQ(session(name)["metadata"]["labels"]["run"], "7");

  // A manifest file: the CI sample.
  auto from_file =
      droid({"run", "-n", kNs, "-f", std::string(DROID_SOURCE_DIR) + "/deploy/samples/ci-session.yaml", "--detach"});
  ASSERT_EQ(from_file.exit_code, 0) << from_file.describe();
  EXPECT_EQ(from_file.out, "ci-fix-flaky-test\n");
  EXPECT_EQ(session("ci-fix-flaky-test")["spec"]["output"]["pushBranch"], "droid/fix-flaky-settlement-retry");
  auto again = droid({"run", "-n", kNs, "-f", std::string(DROID_SOURCE_DIR) + "/deploy/samples/ci-session.yaml"});
  EXPECT_EQ(again.exit_code, 7);
  EXPECT_NE(again.err.find("droidsession \"ci-fix-flaky-test\" already exists in namespace \"" + kNs +
                           "\": choose another --name, or use --generate-name PREFIX"),
            std::string::npos)
      << again.err;
  // What the API server refuses comes back with its message.
  auto invalid = droid({"run", "-n", kNs, "--prompt", "p", "--repo", "not a url", "--detach"});
  EXPECT_EQ(invalid.exit_code, 7);
  EXPECT_NE(invalid.err.find("the API server refused the droidsession"), std::string::npos) << invalid.err;
}

TEST_F(KubectlDroidE2E, ApproveKeepsOtherApprovalsAndRefusesWhenNothingIsPending) {
  auto created = droid(
      {"run", "-n", kNs, "-f", std::string(DROID_SOURCE_DIR) + "/deploy/samples/sandbox-approval.yaml", "--detach"});
  ASSERT_EQ(created.exit_code, 0) << created.describe();
  const std::string name = "sandbox-upgrade-deps";

  auto refused = droid({"approve", name, "-n", kNs});
  EXPECT_EQ(refused.exit_code, 7);
  EXPECT_EQ(refused.err, "error: session " + name +
                             " has no command waiting for an approval (phase Pending); to approve a command before "
                             "it is asked for, give --command 'CMD'\n");

  set_status(name, {{"phase", "AwaitingApproval"}, {"pendingApproval", {{"command", "make test"}}}});
  auto ok = droid({"approve", name, "-n", kNs, "--comment", "CHG-42"});
  ASSERT_EQ(ok.exit_code, 0) << ok.describe();
  const json review = client_->create(kube::Resource{"authentication.k8s.io", "v1", "selfsubjectreviews", false},
                                      {{"apiVersion", "authentication.k8s.io/v1"}, {"kind", "SelfSubjectReview"}});
  const std::string me = review["status"]["userInfo"]["username"];
  const json approvals = session(name)["spec"]["approvals"];
  ASSERT_EQ(approvals.size(), 2u) << approvals.dump();
  EXPECT_EQ(approvals[0]["command"], "make deps-update");
  EXPECT_EQ(approvals[0]["approvedBy"], "alice@example.com");  // kept
  EXPECT_EQ(approvals[1]["command"], "make test");
  EXPECT_EQ(approvals[1]["approvedBy"], me);
  EXPECT_EQ(approvals[1]["comment"], "CHG-42");
  EXPECT_TRUE(approvals[1].contains("approvedAt"));

  auto twice = droid({"approve", name, "-n", kNs});
  EXPECT_EQ(twice.exit_code, 0);
  EXPECT_EQ(twice.out, "session " + name + ": 'make test' is already approved\n");
  auto up_front = droid({"approve", name, "-n", kNs, "--command", "git push origin HEAD"});
  EXPECT_EQ(up_front.exit_code, 0) << up_front.describe();
  EXPECT_EQ(session(name)["spec"]["approvals"].size(), 3u);

  set_status(name, {{"phase", "Succeeded"}});
  auto finished = droid({"approve", name, "-n", kNs, "--command", "x"});
  EXPECT_EQ(finished.exit_code, 7);
  EXPECT_NE(finished.err.find("already finished (phase Succeeded); there is nothing to approve"), std::string::npos);
  auto missing = droid({"approve", "nope", "-n", kNs});
  EXPECT_EQ(missing.exit_code, 7);
  EXPECT_EQ(missing.err, "error: droidsession \"nope\" not found in namespace \"" + kNs +
                             "\": list them with: kubectl droid list -n " + kNs + "\n");
}

TEST_F(KubectlDroidE2E, CancelSetsTheFlag) {
  create_session("to-cancel");
  auto c = droid({"cancel", "to-cancel", "-n", kNs});
  ASSERT_EQ(c.exit_code, 0) << c.describe();
  EXPECT_EQ(session("to-cancel")["spec"]["cancel"], true);
  EXPECT_EQ(droid({"cancel", "to-cancel", "-n", kNs}).out, "session to-cancel is already being cancelled\n");
  create_session("done");
  set_status("done", {{"phase", "Failed"}});
  auto f = droid({"cancel", "done", "-n", kNs});
  EXPECT_EQ(f.exit_code, 0);
  EXPECT_EQ(f.out, "session done already finished (phase Failed); nothing to cancel\n");
  EXPECT_EQ(session("done")["spec"].value("cancel", false), false);
}

TEST_F(KubectlDroidE2E, ListAndGet) {
  create_session("listed", {{"prompt", "p"}, {"model", "qwen-list"}, {"autonomyLevel", "low"}});
  set_status("listed", {{"phase", "Running"},
                        {"podName", "listed-pod"},
                        {"conditions", ready("False", "Running", "the runner is working")},
                        {"usage", {{"inputTokens", 5}}}});
  auto table = droid({"list", "-n", kNs});
  ASSERT_EQ(table.exit_code, 0) << table.describe();
  EXPECT_EQ(table.out.rfind("NAME ", 0), 0u) << table.out;
  bool found = false;
  std::istringstream lines(table.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("listed ", 0) != 0) continue;
    found = true;
    for (const char* part : {"Running", "qwen-list", "low"}) EXPECT_NE(line.find(part), std::string::npos) << line;
  }
  EXPECT_TRUE(found) << table.out;
  auto all = droid({"list", "-A", "-o", "wide"});
  ASSERT_EQ(all.exit_code, 0) << all.describe();
  EXPECT_EQ(all.out.rfind("NAMESPACE ", 0), 0u);
  EXPECT_NE(all.out.find("listed-pod"), std::string::npos);
  auto as_json = droid({"list", "-n", kNs, "-o", "json"});
  ASSERT_EQ(as_json.exit_code, 0);
  EXPECT_EQ(json::parse(as_json.out)["kind"], "DroidSessionList");
  EXPECT_EQ(droid({"list", "-n", "kd-e2e-empty-" + kId}).err,
            "No sessions found in namespace kd-e2e-empty-" + kId + ".\n");

  auto get = droid({"get", "listed", "-n", kNs});
  ASSERT_EQ(get.exit_code, 0) << get.describe();
  for (const char* part : {"Name:              listed\n", "Phase:             Running\n",
                           "Pod:               listed-pod\n", "Conditions:\n", "Usage:\n  5 input tokens"})
    EXPECT_NE(get.out.find(part), std::string::npos) << part << "\n" << get.out;
  auto yaml = droid({"get", "listed", "-n", kNs, "-o", "yaml"});
  ASSERT_EQ(yaml.exit_code, 0);
  EXPECT_EQ(YAML::Load(yaml.out)["spec"]["model"].as<std::string>(), "qwen-list");
  auto missing = droid({"get", "nope", "-n", kNs});
  EXPECT_EQ(missing.exit_code, 7);
  EXPECT_NE(missing.err.find("not found in namespace"), std::string::npos);
}

TEST_F(KubectlDroidE2E, LogsOfAPodThatDoesNotExist) {
  create_session("no-pod-yet");
  auto none = droid({"logs", "no-pod-yet", "-n", kNs});
  EXPECT_EQ(none.exit_code, 7);
  EXPECT_NE(none.err.find("session no-pod-yet has no runner pod (phase Pending)"), std::string::npos) << none.err;
  // -f waits for a session that has no pod yet, showing its phases, and ends with it.
  create_session("follow-later");
  set_status("follow-later", {{"phase", "Pending"}, {"conditions", ready("False", "Unschedulable", "no node")}});
  auto follow = droid_in_background({"logs", "follow-later", "-n", kNs, "-f"}, "follow-later");
  ASSERT_TRUE(follow->wait_for_output("Pending", 60s)) << follow->out() << follow->err();
  set_status("follow-later", {{"phase", "Failed"}, {"conditions", ready("False", "RunnerError", "image missing")}});
  EXPECT_EQ(follow->wait(60s), 0) << follow->out() << follow->err();
  EXPECT_NE(follow->err().find("Failed (RunnerError): image missing"), std::string::npos) << follow->err();
  create_session("pod-gone");
  set_status("pod-gone", {{"phase", "Succeeded"}, {"podName", "pod-gone-runner"}});
  auto gone = droid({"logs", "pod-gone", "-n", kNs});
  EXPECT_EQ(gone.exit_code, 7);
  EXPECT_NE(gone.err.find("the runner pod pod-gone-runner of session pod-gone does not exist in namespace " + kNs),
            std::string::npos)
      << gone.err;
}

TEST_F(KubectlDroidE2E, PolicyExplainShowsOrderAndProvenance) {
  client_->create(kube::kOrgPolicies, {{"apiVersion", "droid.dev/v1alpha1"},
                                       {"kind", "OrgPolicy"},
                                       {"metadata", {{"name", kHighPolicy}}},
                                       {"spec",
                                        {{"priority", 100},
                                         {"namespaceSelector", {{"matchLabels", {{"kd-e2e-team", "a-" + kId}}}}},
                                         {"settings", {{"maxAutonomyLevel", "high"}, {"commandBlocklist", {"curl"}}}},
                                         {"runner", {{"image", "runner:team-a"}}}}}});
  client_->create(kube::kOrgPolicies, {{"apiVersion", "droid.dev/v1alpha1"},
                                       {"kind", "OrgPolicy"},
                                       {"metadata", {{"name", kLowPolicy}}},
                                       {"spec",
                                        {{"priority", 10},
                                         {"namespaceSelector", {{"matchLabels", {{"kd-e2e", kId}}}}},
                                         {"settings", {{"maxAutonomyLevel", "medium"}, {"commandBlocklist", {"dd"}}}},
                                         {"runner", {{"image", "runner:base"}, {"maxTimeoutSeconds", 3600}}},
                                         {"limits", {{"maxConcurrentSessionsPerNamespace", 2}}}}}});
  auto text = droid({"policy", "explain", "-n", kNs});
  ASSERT_EQ(text.exit_code, 0) << text.describe();
  const std::size_t high = text.out.find(". " + kHighPolicy + "  priority 100");
  const std::size_t low = text.out.find(". " + kLowPolicy + "  priority 10");
  ASSERT_NE(high, std::string::npos) << text.out;
  ASSERT_NE(low, std::string::npos) << text.out;
  EXPECT_LT(high, low);

  auto as_json = droid({"policy", "explain", "-n", kNs, "-o", "json"});
  ASSERT_EQ(as_json.exit_code, 0) << as_json.describe();
  const json e = json::parse(as_json.out);
  auto set_by = [&](const std::string& path) -> std::string {
    for (const auto& f : e["fields"])
      if (f["path"] == path) return f["setBy"].get<std::string>() + " " + f["value"].dump();
    return "(none)";
  };
  EXPECT_EQ(set_by("settings.maxAutonomyLevel"), kLowPolicy + " \"medium\"");  // stricter wins
  EXPECT_EQ(set_by("settings.commandBlocklist[0]"), kHighPolicy + " \"curl\"");
  EXPECT_EQ(set_by("settings.commandBlocklist[1]"), kLowPolicy + " \"dd\"");
  EXPECT_EQ(set_by("runner.image"), kHighPolicy + " \"runner:team-a\"");
  EXPECT_EQ(set_by("runner.maxTimeoutSeconds"), kLowPolicy + " 3600");
  EXPECT_EQ(set_by("limits.maxConcurrentSessionsPerNamespace"), kLowPolicy + " 2");

  // The other namespace lacks the team label: only the low-priority policy governs it.
  auto other = droid({"policy", "explain", "-n", kOtherNs, "-o", "json"});
  ASSERT_EQ(other.exit_code, 0) << other.describe();
  const json o = json::parse(other.out);
  std::vector<std::string> names;
  for (const auto& g : o["governing"])
    if (g["name"] == kHighPolicy || g["name"] == kLowPolicy) names.push_back(g["name"]);
  EXPECT_EQ(names, std::vector<std::string>{kLowPolicy});
}

TEST_F(KubectlDroidE2E, KubeconfigMergeAndContext) {
  create_session("in-other", {{"prompt", "p"}}, kOtherNs);
  const std::string second = derived_kubeconfig("second.yaml", "kd-second", kOtherNs);
  // KUBECONFIG=admin:second: the admin file's current-context wins; --context picks the second's.
  auto first_wins = droid({"list"}, kubeconfig_ + ":" + second);
  ASSERT_EQ(first_wins.exit_code, 0) << first_wins.describe();
  EXPECT_EQ(first_wins.out.find("in-other"), std::string::npos) << first_wins.out;
  auto by_context = droid({"--context", "kd-second", "list"}, kubeconfig_ + ":" + second);
  ASSERT_EQ(by_context.exit_code, 0) << by_context.describe();
  EXPECT_NE(by_context.out.find("in-other"), std::string::npos) << by_context.out;
  // KUBECONFIG=second:admin: now the second file's current-context (and its namespace) wins.
  auto reversed = droid({"get", "in-other"}, second + ":" + kubeconfig_);
  EXPECT_EQ(reversed.exit_code, 0) << reversed.describe();
  // --kubeconfig overrides KUBECONFIG.
  auto flag = droid({"--kubeconfig", second, "get", "in-other"}, "/nonexistent/kubeconfig");
  EXPECT_EQ(flag.exit_code, 0) << flag.describe();
  auto bad = droid({"list", "--context", "no-such-context"}, kubeconfig_ + ":" + second);
  EXPECT_EQ(bad.exit_code, 7);
  EXPECT_NE(bad.err.find("contexts: no entry named \"no-such-context\""), std::string::npos) << bad.err;
}

TEST_F(KubectlDroidE2E, ForbiddenUserGetsAClearMessage) {
  client_->create(
      kube::kServiceAccounts,
      {{"apiVersion", "v1"}, {"kind", "ServiceAccount"}, {"metadata", {{"name", "kd-nobody"}, {"namespace", kNs}}}});
  Kubectl kubectl = Kubectl::FromEnvironment();
  auto token = kubectl.Run({"create", "token", "kd-nobody", "-n", kNs, "--duration", "10m"});
  ASSERT_TRUE(token.ok()) << token.describe();
  std::string t = token.out;
  while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
  const std::string nobody = derived_kubeconfig("nobody.yaml", "kd-nobody", kNs, t);
  auto list = droid({"list"}, nobody);
  EXPECT_EQ(list.exit_code, 7) << list.describe();
  EXPECT_NE(list.err.find("forbidden: you may not list droidsessions.droid.dev in namespace \"" + kNs + "\""),
            std::string::npos)
      << list.err;
  EXPECT_NE(list.err.find("check with: kubectl auth can-i list droidsessions.droid.dev -n " + kNs), std::string::npos)
      << list.err;
  auto run = droid({"run", "--prompt", "p", "--detach"}, nobody);
  EXPECT_EQ(run.exit_code, 7);
  EXPECT_NE(run.err.find("forbidden: you may not create droidsessions.droid.dev"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace droid::e2e
