// The real droid-runner binary running whole sessions against the scripted
// gateway: `exec` in a local workspace, and `run` as in a pod — config files as
// the operator mounts them, the repository cloned from a git daemon, the
// changes pushed, the outcome in the termination message.
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "contract/termination_message.h"
#include "llm/testing/scripted_gateway.h"
#include "process/subprocess.h"
#include "telemetry/testing/collector.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;
using droid::process::Result;

const std::string kKey = "sk-exec-3b8f1c9e7a5d4f2e1c0b";

fs::path temp_dir(const char* tag) {
  std::string t = std::string("/tmp/droid-runner-") + tag + "-XXXXXX";
  return ::mkdtemp(t.data());
}

std::unique_ptr<droid::llm::testing::ScriptedGateway> gateway(const json& turns) {
  droid::llm::testing::GatewayOptions o;
  o.api_key = kKey;
  return std::make_unique<droid::llm::testing::ScriptedGateway>(droid::llm::testing::parse_script({{"turns", turns}}),
                                                                o);
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<json> json_lines(const std::string& text) {
  std::vector<json> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line[0] == '{') out.push_back(json::parse(line));
  return out;
}

Result runner(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) {
  droid::process::Options o;
  o.timeout = 120s;
  o.env = env;
  std::vector<std::string> argv = {DROID_RUNNER};
  argv.insert(argv.end(), args.begin(), args.end());
  return droid::process::run_with(argv, o);
}

TEST(Exec, RunsASessionInTheWorkspaceAndPrintsTheAnswer) {
  const fs::path ws = temp_dir("exec");
  std::ofstream(ws / "hello.txt") << "hello\n";
  auto gw = gateway(json::parse(R"([
    {"match": {"lastMessageContains": "shout"},
     "response": {"toolCalls": [{"id": "c1", "name": "edit",
                                 "arguments": {"path": "hello.txt", "old_string": "hello", "new_string": "HELLO"}}]}},
    {"response": {"text": "Shouted.", "usage": {"inputTokens": 7, "outputTokens": 3}}}])"));
  const Result r = runner({"exec", "--auto", "low", "--model", "m", "--gateway", gw->url() + "/v1", "--workspace",
                           ws.string(), "shout the greeting"},
                          {"DROID_API_KEY=" + kKey});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.out, "Shouted.\n");
  EXPECT_EQ(slurp(ws / "hello.txt"), "HELLO\n");
  // The audit log (stderr) has the session's decisions and never the key.
  const auto audit = json_lines(r.err);
  ASSERT_FALSE(audit.empty()) << r.err;
  EXPECT_EQ(audit.front()["event"], "session_start");
  EXPECT_EQ(audit.back()["event"], "session_end");
  EXPECT_EQ(r.err.find(kKey), std::string::npos);
  fs::remove_all(ws);
}

TEST(Exec, ReadOnlyByDefaultJsonOutputAndExitCodes) {
  const fs::path ws = temp_dir("exec-ro");
  auto gw = gateway(json::parse(R"([
    {"match": {"lastMessageContains": "write"},
     "response": {"toolCalls": [{"id": "c1", "name": "write", "arguments": {"path": "x.txt", "content": "x"}}]}},
    {"response": {"text": "I may not write files here."}}])"));
  const Result r = runner({"exec", "--model", "m", "--gateway", gw->url() + "/v1", "--workspace", ws.string(),
                           "--output-format", "json", "--audit-log", (ws / "audit.jsonl").string(), "write a file"},
                          {"OPENAI_API_KEY=" + kKey});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const json out = json::parse(r.out);
  EXPECT_EQ(out["outcome"], "Succeeded");
  EXPECT_EQ(out["usage"]["toolCalls"], 1);
  EXPECT_EQ(out["traceId"].get<std::string>().size(), 32u);
  EXPECT_FALSE(fs::exists(ws / "x.txt")) << "--auto defaults to off (read-only)";
  EXPECT_NE(slurp(ws / "audit.jsonl").find("\"blocked_by\":\"autonomy\""), std::string::npos);

  // Usage errors name the flag and exit 2; a session that fails exits 1.
  const Result bad = runner({"exec", "--auto", "max", "--model", "m", "--gateway", "http://x", "p"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--auto"), std::string::npos) << bad.err;
  const Result no_prompt = runner({"exec", "--model", "m", "--gateway", "http://x"});
  EXPECT_EQ(no_prompt.exit_code, 2);
  EXPECT_NE(no_prompt.err.find("no prompt"), std::string::npos) << no_prompt.err;
  // --timeout leaves room for every retry (their backoff is jittered: 5 s was sometimes not enough,
  // and the session then ended TimedOut before the gateway was found unreachable).
  const Result down = runner({"exec", "--model", "m", "--gateway", "http://127.0.0.1:9/v1", "--workspace", ws.string(),
                              "--timeout", "120", "hello"},
                             {"DROID_API_KEY=" + kKey});
  EXPECT_EQ(down.exit_code, 1) << down.describe();
  EXPECT_NE(down.err.find("Gateway"), std::string::npos) << down.err;
  // No key anywhere: refused at the start, naming where a key comes from, unless the gateway needs none.
  const Result keyless = runner({"exec", "--model", "m", "--gateway", "http://127.0.0.1:9/v1", "--workspace",
                                 ws.string(), "--timeout", "5", "hello"},
                                {"DROID_API_KEY=", "OPENAI_API_KEY="});
  EXPECT_EQ(keyless.exit_code, 2) << keyless.describe();
  EXPECT_NE(keyless.err.find("no gateway API key: pass --api-key-file FILE or set DROID_API_KEY"), std::string::npos)
      << keyless.err;
  const Result no_key_needed = runner({"exec", "--model", "m", "--gateway", "http://127.0.0.1:9/v1", "--workspace",
                                       ws.string(), "--timeout", "120", "--no-api-key", "hello"},
                                      {"DROID_API_KEY=", "OPENAI_API_KEY="});
  EXPECT_EQ(no_key_needed.exit_code, 1) << no_key_needed.describe();  // started, then the gateway is down
  EXPECT_NE(no_key_needed.err.find("GatewayUnreachable"), std::string::npos) << no_key_needed.err;
  fs::remove_all(ws);
}

TEST(Exec, StreamPutsEachTurnsTextOnItsOwnLines) {
  const fs::path ws = temp_dir("exec-stream");
  std::ofstream(ws / "a.txt") << "a\n";
  auto gw = gateway(json::parse(R"([
    {"match": {"lastMessageContains": "look"},
     "response": {"text": "Let me read it.", "toolCalls": [{"id": "c1", "name": "read", "arguments": {"path": "a.txt"}}]}},
    {"response": {"text": "It says a."}}])"));
  const Result r = runner({"exec", "--model", "m", "--gateway", gw->url() + "/v1", "--workspace", ws.string(),
                           "--stream", "--audit-log", (ws / "audit.jsonl").string(), "look at a.txt"},
                          {"DROID_API_KEY=" + kKey});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.err, "Let me read it.\nIt says a.\n");
  EXPECT_EQ(r.out, "It says a.\n");
  fs::remove_all(ws);
}

TEST(Exec, SettingsFilesAreOrgLayersThatTheProjectCannotLoosen) {
  const fs::path ws = temp_dir("exec-settings");
  const fs::path org = ws.parent_path() / (ws.filename().string() + "-org.json");
  std::ofstream(org) << R"({"models": {"denied": ["gpt-4o"]}, "maxAutonomyLevel": "low"})";
  fs::create_directories(ws / ".factory");
  std::ofstream(ws / ".factory" / "settings.json") << R"({"maxAutonomyLevel": "high"})";
  const Result denied = runner({"exec", "--settings", org.string(), "--model", "gpt-4o", "--gateway", "http://x",
                                "--workspace", ws.string(), "hi"});
  EXPECT_EQ(denied.exit_code, 2);
  EXPECT_NE(denied.err.find("gpt-4o"), std::string::npos) << denied.err;
  const Result too_high = runner({"exec", "--settings", org.string(), "--model", "m", "--auto", "high", "--gateway",
                                  "http://x", "--workspace", ws.string(), "hi"});
  EXPECT_EQ(too_high.exit_code, 2);
  EXPECT_NE(too_high.err.find("--auto"), std::string::npos) << too_high.err;
  fs::remove_all(ws);
  fs::remove(org);
}

// The session's telemetry reaches the real OpenTelemetry Collector: the session,
// LLM and tool spans in one trace (the trace id exec reports), and the gateway
// key, which the agent read from a file, nowhere in what arrived.
TEST(Exec, SendsTheSessionsTelemetryToTheCollectorWithoutItsSecrets) {
  namespace tt = droid::runner::telemetry::testing;
  const fs::path ws = temp_dir("exec-otel");
  const fs::path otel = temp_dir("exec-otel-collector");
  tt::Collector collector(otel, "", "");
  std::ofstream(ws / "notes.txt") << "the gateway key is " << kKey << "\n";
  json turns = json::parse(R"([
    {"match": {"lastMessageContains": "notes"},
     "response": {"toolCalls": [{"id": "c1", "name": "shell", "arguments": {"command": "cat notes.txt"}},
                                {"id": "c2", "name": "shell", "arguments": {}}],
                  "usage": {"inputTokens": 21, "outputTokens": 5}}},
    {"response": {"text": "Read them.", "usage": {"inputTokens": 30, "outputTokens": 3}}}])");
  // The second call puts the key on a command line: the shield blocks it, and
  // the audit event that records the command carries it redacted.
  turns[0]["response"]["toolCalls"][1]["arguments"]["command"] = "grep -c " + kKey + " notes.txt";
  auto gw = gateway(turns);
  const Result r = runner({"exec", "--model", "m", "--gateway", gw->url() + "/v1", "--workspace", ws.string(),
                           "--output-format", "json", "--otlp-endpoint", collector.endpoint(), "read the notes"},
                          {"DROID_API_KEY=" + kKey});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const std::string trace_id = json::parse(r.out)["traceId"];
  std::string got;
  const bool arrived = tt::wait_for(
      [&] {
        got = tt::read_file(collector.output());
        return got.find("execute_tool shell") != std::string::npos && got.find("\"session\"") != std::string::npos &&
               got.find("droid.tokens") != std::string::npos && got.find("session_end") != std::string::npos;
      },
      std::chrono::seconds(60));
  ASSERT_TRUE(arrived) << got;
  EXPECT_NE(got.find("chat m"), std::string::npos);
  EXPECT_NE(got.find(trace_id), std::string::npos) << "the spans carry the trace id exec reported";
  EXPECT_NE(got.find("grep -c [REDACTED"), std::string::npos) << "the blocked command's audit record, redacted";
  EXPECT_EQ(got.find(kKey), std::string::npos) << "the gateway key reached the collector";
  EXPECT_EQ(tt::read_file(collector.log_path()).find(kKey), std::string::npos);
  fs::remove_all(ws);
  fs::remove_all(otel);
}

// A bare repository served by git daemon on a free port.
struct GitServer {
  fs::path root = temp_dir("git");
  int port = 0;
  pid_t pid = -1;
  GitServer() {
    droid::process::Options o;
    o.cwd = root.string();
    o.env = {"HOME=" + root.string(), "GIT_CONFIG_NOSYSTEM=1"};
    const Result seed = droid::process::run_with(
        {"sh", "-ec",
         "git init -q --bare -b main app.git && git init -q -b main seed && cd seed && echo 'int x;' > a.c && "
         "git add a.c && git -c user.name=t -c user.email=t@t commit -qm init && git push -q ../app.git main"},
        o);
    EXPECT_TRUE(seed.ok()) << seed.describe();
    for (int attempt = 0; attempt < 20 && pid < 0; ++attempt) {
      port = 20000 + static_cast<int>((::getpid() * 7 + attempt * 131) % 20000);
      pid = ::fork();
      if (pid == 0) {
        ::execlp("git", "git", "daemon", "--reuseaddr", "--export-all", "--enable=receive-pack",
                 ("--base-path=" + root.string()).c_str(), ("--port=" + std::to_string(port)).c_str(),
                 "--listen=127.0.0.1", root.c_str(), nullptr);
        ::_exit(127);
      }
      for (int i = 0; i < 50; ++i) {
        if (droid::process::run({"git", "ls-remote", url()}, {}, 5s).ok()) return;
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid) break;  // port taken: try another
        std::this_thread::sleep_for(100ms);
      }
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
      pid = -1;
    }
    ADD_FAILURE() << "git daemon did not start";
  }
  ~GitServer() {
    if (pid > 0) {
      ::kill(pid, SIGTERM);
      ::waitpid(pid, nullptr, 0);
    }
    fs::remove_all(root);
  }
  std::string url() const { return "git://127.0.0.1:" + std::to_string(port) + "/app.git"; }
  std::string show(const std::string& what) const {
    return droid::process::run({"git", "--git-dir", (root / "app.git").string(), "show", what}).out;
  }
};

struct Pod {
  fs::path root = temp_dir("pod");
  fs::path config = root / "etc-droid";
  fs::path gateway_dir = root / "gateway";
  fs::path workspace = root / "workspace";
  fs::path termination = root / "termination-log";
  Pod() {
    fs::create_directories(config);
    fs::create_directories(gateway_dir);
    std::ofstream(gateway_dir / "api-key") << kKey << "\n";
  }
  ~Pod() { fs::remove_all(root); }
  void write(const std::string& name, const json& j) { std::ofstream(config / name) << j.dump(2); }
  Result run() {
    return runner({"run", "--config", config.string(), "--workspace", workspace.string(), "--termination-log",
                   termination.string(), "--git-credentials", (root / "no-git-creds").string(), "--private-dir",
                   (root / "private").string()});
  }
  droid::contract::TerminationMessage outcome() const {
    auto d = droid::contract::decode(slurp(termination));
    EXPECT_TRUE(d.message) << d.error << "\n" << slurp(termination);
    return d.message.value_or(droid::contract::TerminationMessage{});
  }
};

json session_json(const std::string& gateway_url, const std::string& repo_url, const json& extra = json::object()) {
  json s = {{"session", {{"name", "fix-1"}, {"namespace", "team-a"}, {"uid", "u-1"}}},
            {"prompt", "fix the declaration"},
            {"model", "m"},
            {"autonomyLevel", "high"},
            {"timeoutSeconds", 600},
            {"gateway", {{"provider", "openai"}, {"baseURL", gateway_url + "/v1"}, {"credentialsFile", ""}}},
            {"repository", {{"url", repo_url}, {"ref", "main"}}},
            {"output", {{"pushBranch", "droid/fix-1"}}}};
  s.update(extra);
  return s;
}

TEST(Run, ClonesRunsCommitsPushesAndReportsInTheTerminationMessage) {
  GitServer git;
  Pod pod;
  auto gw = gateway(json::parse(R"([
    {"match": {"lastMessageContains": "fix the declaration"},
     "response": {"toolCalls": [{"id": "c1", "name": "edit",
                                 "arguments": {"path": "a.c", "old_string": "int x;", "new_string": "int x = 0;"}}],
                  "usage": {"inputTokens": 50, "outputTokens": 9}}},
    {"response": {"text": "Initialised x.\nIt was uninitialised.", "usage": {"inputTokens": 60, "outputTokens": 4}}}])"));
  json s = session_json(gw->url(), git.url());
  s["gateway"]["credentialsFile"] = (pod.gateway_dir / "api-key").string();
  pod.write("session.json", s);
  pod.write("org-settings.json", {{"commandBlocklist", {"curl"}}});
  pod.write("user-settings.json", json::object());
  const Result r = pod.run();
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const auto m = pod.outcome();
  EXPECT_EQ(m.outcome, droid::contract::Outcome::Succeeded) << m.reason << ": " << m.message;
  EXPECT_EQ(m.result.files_changed, 1);
  EXPECT_EQ(m.result.branch, "droid/fix-1");
  EXPECT_EQ(m.result.commit.size(), 40u);
  EXPECT_EQ(m.usage.input_tokens, 110);
  EXPECT_EQ(m.usage.llm_requests, 2);
  EXPECT_EQ(m.trace_id.size(), 32u);
  EXPECT_EQ(git.show("droid/fix-1:a.c"), "int x = 0;\n");
  EXPECT_NE(git.show("droid/fix-1").find("Droid-Session: team-a/fix-1"), std::string::npos);
  EXPECT_EQ(git.show("main:a.c"), "int x;\n");
  // The audit log is on stdout, one JSON line per decision, the push included.
  bool pushed = false;
  for (const auto& e : json_lines(r.out)) pushed = pushed || e["event"] == "pushed";
  EXPECT_TRUE(pushed) << r.out;
  EXPECT_EQ(r.out.find(kKey), std::string::npos);
}

TEST(Run, APushThePolicyAsksAboutWaitsForApprovalAndASecretInTheDiffIsNeverCommitted) {
  GitServer git;
  const json edit_turns = json::parse(R"([
    {"match": {"lastMessageContains": "fix the declaration"},
     "response": {"toolCalls": [{"id": "c1", "name": "write", "arguments": {"path": "b.c", "content": "int y;\n"}}]}},
    {"response": {"text": "Added b.c."}}])");
  {
    Pod pod;
    auto gw = gateway(edit_turns);
    json s = session_json(gw->url(), git.url());
    s["gateway"]["credentialsFile"] = (pod.gateway_dir / "api-key").string();
    pod.write("session.json", s);
    pod.write("org-settings.json", {{"commandDenylist", {"git push"}}});
    ASSERT_EQ(pod.run().exit_code, 0);
    const auto m = pod.outcome();
    EXPECT_EQ(m.outcome, droid::contract::Outcome::AwaitingApproval) << m.reason << ": " << m.message;
    ASSERT_TRUE(m.pending_approval);
    EXPECT_EQ(m.pending_approval->command, "git push origin droid/fix-1");
    EXPECT_EQ(git.show("droid/fix-1:b.c"), "") << "nothing was pushed";
  }
  {
    Pod pod;
    // The write tool refuses content holding a secret, and the command line is
    // shielded too; a command that assembles the key from pieces gets it into
    // the workspace all the same. The diff check is the last line of defence.
    json leak_turns = json::parse(R"([
      {"match": {"lastMessageContains": "fix the declaration"},
       "response": {"toolCalls": [{"id": "c1", "name": "shell",
                                   "arguments": {"command": "printf 'export AWS_KEY=%s%s\\n' AKIAZ5E7 AYF3BQ4KCWRT > deploy.sh"}}]}},
      {"response": {"text": "Wrote the deploy script."}}])");
    auto gw = gateway(leak_turns);
    json s = session_json(gw->url(), git.url(), {{"output", {{"pushBranch", "droid/leak"}}}});
    s["gateway"]["credentialsFile"] = (pod.gateway_dir / "api-key").string();
    pod.write("session.json", s);
    pod.write("org-settings.json", {{"shield", {{"mode", "redact"}}}});
    EXPECT_EQ(pod.run().exit_code, 1);
    const auto m = pod.outcome();
    EXPECT_EQ(m.outcome, droid::contract::Outcome::Failed);
    EXPECT_EQ(m.reason, "SecretInDiff") << m.message;
    EXPECT_EQ(git.show("droid/leak:deploy.sh"), "");
  }
}

// The requester the operator writes (libdroid/contract, the object of
// status.requester) is the session's enduser.id in what reaches the collector.
TEST(Run, TheRequesterIsTheEndUserInTheSessionsTelemetry) {
  namespace tt = droid::runner::telemetry::testing;
  const fs::path otel = temp_dir("run-otel-collector");
  tt::Collector collector(otel, "", "");
  Pod pod;
  auto gw = gateway(json::parse(R"([{"response": {"text": "Nothing to do."}}])"));
  json s = session_json(gw->url(), "");
  s.erase("repository");
  s.erase("output");
  s["gateway"]["credentialsFile"] = (pod.gateway_dir / "api-key").string();
  s["requester"] = {{"username", "alice@example.com"}, {"groups", {"devs"}}};
  s["telemetry"] = {{"otlpEndpoint", collector.endpoint()}, {"resourceAttributes", {{"droid.team", "payments"}}}};
  pod.write("session.json", s);
  const Result r = pod.run();
  ASSERT_EQ(r.exit_code, 0) << r.describe() << slurp(pod.termination);
  std::string got;
  const bool arrived = tt::wait_for(
      [&] {
        got = tt::read_file(collector.output());
        return got.find("session_end") != std::string::npos && got.find("\"session\"") != std::string::npos;
      },
      std::chrono::seconds(60));
  ASSERT_TRUE(arrived) << got;
  EXPECT_NE(got.find(R"({"key":"enduser.id","value":{"stringValue":"alice@example.com"}})"), std::string::npos) << got;
  EXPECT_NE(got.find(R"({"key":"droid.team","value":{"stringValue":"payments"}})"), std::string::npos);
  fs::remove_all(otel);
}

TEST(Run, AStartFailureStillWritesTheTerminationMessage) {
  Pod pod;
  pod.write("session.json", session_json("http://127.0.0.1:9", "git://127.0.0.1:9/none.git"));
  EXPECT_EQ(pod.run().exit_code, 1);
  const auto m = pod.outcome();
  EXPECT_EQ(m.outcome, droid::contract::Outcome::Failed);
  EXPECT_EQ(m.reason, "RepositoryCloneFailed") << m.message;

  std::ofstream(pod.config / "session.json") << "{not json";
  EXPECT_EQ(pod.run().exit_code, 1);
  EXPECT_EQ(pod.outcome().reason, "InvalidRunnerConfig");

  // A gateway without a key fails at the start, naming the OrgPolicy setting,
  // rather than sending requests without credentials.
  json keyless = session_json("http://127.0.0.1:9", "");
  keyless.erase("repository");
  keyless["gateway"]["name"] = "litellm";
  pod.write("session.json", keyless);
  EXPECT_EQ(pod.run().exit_code, 1);
  const auto k = pod.outcome();
  EXPECT_EQ(k.reason, "GatewayConfigError") << k.message;
  EXPECT_NE(k.message.find("credentialsSecretRef"), std::string::npos) << k.message;
}

}  // namespace
