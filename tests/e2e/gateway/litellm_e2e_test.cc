// The runner's agent loop through a real LiteLLM proxy (label: gateway): LiteLLM
// (pinned, tools/litellm/requirements.txt; DROID_LITELLM names its program) runs
// on loopback with a master key in front of the scripted gateway, and
// `droid-runner exec` talks to LiteLLM as it would in a cluster:
//   - both APIs, streamed and not, and Anthropic requests translated by LiteLLM
//     to a chat-completions backend (use_chat_completions_url_for_anthropic_messages);
//   - a 429 retried through it; an upstream stream that breaks before any output
//     (LiteLLM's in-stream error event) retried;
//   - a wrong key refused, the key in none of the runner's outputs;
//   - a request held longer than the idle timeout: given up when the timeout is
//     shorter, answered when it is configured longer.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "background_process.h"
#include "llm/testing/scripted_gateway.h"
#include "process/subprocess.h"

namespace {

namespace fs = std::filesystem;
using droid::e2e::BackgroundProcess;
using droid::llm::testing::GatewayOptions;
using droid::llm::testing::ScriptedGateway;
using nlohmann::json;
using namespace std::chrono_literals;

const std::string kMasterKey = "sk-litellm-master-5d1e9a7c3b";  // what runners present to LiteLLM
const std::string kUpstreamKey = "sk-upstream-2f8b6d4a0c";      // what LiteLLM presents to the backend
const std::string kWrongKey = "sk-wrong-9c7e5a3f1d";

fs::path temp_dir(const char* tag) {
  std::string t = std::string("/tmp/droid-gateway-") + tag + "-XXXXXX";
  return ::mkdtemp(t.data());
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||     // NOLINT(*-reinterpret-cast)
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {  // NOLINT(*-reinterpret-cast)
    ::close(fd);
    throw std::runtime_error("no free port");
  }
  ::close(fd);
  return ntohs(a.sin_port);
}

// The models LiteLLM serves, all backed by the scripted gateway:
//   chat-model    openai/...    chat completions (vLLM's API): OpenAI runners, and
//                               Anthropic runners translated by LiteLLM
//   claude-model  anthropic/... the messages API, passed through
std::string litellm_config(const std::string& backend) {
  return "model_list:\n"
         "  - model_name: chat-model\n"
         "    litellm_params:\n"
         "      model: openai/backend-chat\n"
         "      api_base: " +
         backend +
         "/v1\n"
         "      api_key: os.environ/DROID_UPSTREAM_KEY\n"
         "  - model_name: claude-model\n"
         "    litellm_params:\n"
         "      model: anthropic/backend-claude\n"
         "      api_base: " +
         backend +
         "\n"
         "      api_key: os.environ/DROID_UPSTREAM_KEY\n"
         "litellm_settings:\n"
         "  num_retries: 0            # the runner retries; LiteLLM passes failures on\n"
         "  request_timeout: 600\n"
         "  use_chat_completions_url_for_anthropic_messages: true\n"
         "general_settings:\n"
         "  master_key: os.environ/LITELLM_MASTER_KEY\n";
}

class LiteLlm : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const char* program = std::getenv("DROID_LITELLM");  // NOLINT(concurrency-mt-unsafe): before any thread
    if (program == nullptr || !fs::exists(program)) {
      setup_error_ =
          "DROID_LITELLM does not name LiteLLM's program: run scripts/install-litellm.sh "
          "(scripts/test.sh gateway does)";
      return;
    }
    GatewayOptions o;
    o.api_key = kUpstreamKey;
    backend_ = std::make_unique<ScriptedGateway>(droid::llm::testing::parse_script({{"turns", json::array()}}), o);
    dir_ = temp_dir("litellm");
    std::ofstream(dir_ / "config.yaml") << litellm_config(backend_->url());
    port_ = free_port();
    proxy_ = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{program, "--config", (dir_ / "config.yaml").string(), "--host", "127.0.0.1", "--port",
                                 std::to_string(port_), "--num_workers", "1"},
        std::vector<std::string>{"LITELLM_MASTER_KEY=" + kMasterKey, "DROID_UPSTREAM_KEY=" + kUpstreamKey,
                                 "LITELLM_LOCAL_MODEL_COST_MAP=True", "LITELLM_TELEMETRY=False",
                                 "NO_PROXY=127.0.0.1,localhost", "HTTP_PROXY=", "HTTPS_PROXY="},
        (dir_ / "litellm").string());
    // A cold start imports a large Python tree: allow it time on a loaded machine.
    if (!proxy_->wait_for_output("Uvicorn running on", 300s)) {
      setup_error_ = "LiteLLM did not start:\n" + proxy_->out() + "\n" + proxy_->err();
    }
  }
  static void TearDownTestSuite() {
    proxy_.reset();
    backend_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  void SetUp() override {
    ASSERT_TRUE(setup_error_.empty()) << setup_error_;
    ws_ = temp_dir("ws");
    std::ofstream(ws_ / "notes.txt") << "the build is green\n";
    std::ofstream(ws_ / "key") << kMasterKey << "\n";
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(ws_, ec);
  }

  static std::string base_url(const std::string& provider) {
    const std::string root = "http://127.0.0.1:" + std::to_string(port_);
    return provider == "openai" ? root + "/v1" : root;
  }

  struct Run {
    droid::process::Result result;
    json output;  // --output-format json
    std::string audit;
    std::vector<json> audit_events(const std::string& event) const {
      std::vector<json> out;
      std::istringstream in(audit);
      for (std::string line; std::getline(in, line);) {
        if (line.empty()) continue;
        json e = json::parse(line, nullptr, false);
        if (e.is_object() && e.value("event", "") == event) out.push_back(e);
      }
      return out;
    }
  };

  Run exec(const std::string& provider, const std::string& model, const std::string& prompt,
           std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {DROID_RUNNER,      "exec",
                                     "--provider",      provider,
                                     "--model",         model,
                                     "--gateway",       base_url(provider),
                                     "--api-key-file",  (ws_ / "key").string(),
                                     "--workspace",     ws_.string(),
                                     "--output-format", "json",
                                     "--audit-log",     (ws_ / "audit.jsonl").string(),
                                     "--timeout",       "120"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back(prompt);
    droid::process::Options o;
    o.timeout = 180s;
    o.env = {
        "DROID_API_KEY=", "OPENAI_API_KEY=", "ANTHROPIC_API_KEY=", "NO_PROXY=127.0.0.1", "HTTP_PROXY=", "HTTPS_PROXY="};
    Run r;
    r.result = droid::process::run_with(argv, o);
    r.output = json::parse(r.result.out, nullptr, false);
    r.audit = slurp(ws_ / "audit.jsonl");
    fs::remove(ws_ / "audit.jsonl");
    return r;
  }

  static void script(const json& turns) { backend_->set_script(droid::llm::testing::parse_script({{"turns", turns}})); }
  static json backend_requests() { return backend_->requests(); }

  static std::unique_ptr<ScriptedGateway> backend_;
  static std::unique_ptr<BackgroundProcess> proxy_;
  static fs::path dir_;
  static int port_;
  static std::string setup_error_;
  fs::path ws_;
};

std::unique_ptr<ScriptedGateway> LiteLlm::backend_;
std::unique_ptr<BackgroundProcess> LiteLlm::proxy_;
fs::path LiteLlm::dir_;
int LiteLlm::port_ = 0;
std::string LiteLlm::setup_error_;

// A session of two turns: read a file, then answer from it.
json read_then_answer() {
  return json::parse(R"([
    {"match": {"lastMessageContains": "what does notes.txt say"},
     "response": {"text": "Reading it.", "toolCalls": [{"id": "call_1", "name": "read", "arguments": {"path": "notes.txt"}}],
                  "chunkSize": 4}},
    {"match": {"lastMessageContains": "the build is green"},
     "response": {"text": "It says the build is green.", "chunkSize": 5}}])");
}

struct Case {
  std::string provider;  // what the runner speaks
  std::string model;     // LiteLLM's model name
  bool stream;
  std::string backend_api;  // what reaches the backend
};

class LiteLlmApis : public LiteLlm, public ::testing::WithParamInterface<Case> {};

TEST_P(LiteLlmApis, ASessionRunsThroughIt) {
  const Case& c = GetParam();
  script(read_then_answer());
  const auto before = backend_requests().size();
  std::vector<std::string> extra;
  if (c.stream) extra.emplace_back("--stream");
  const Run r = exec(c.provider, c.model, "what does notes.txt say?", extra);
  ASSERT_EQ(r.result.exit_code, 0) << r.result.describe();
  EXPECT_EQ(r.output["outcome"], "Succeeded");
  EXPECT_EQ(r.output["summary"], "It says the build is green.");
  EXPECT_EQ(r.output["usage"]["toolCalls"], 1);
  EXPECT_EQ(r.output["usage"]["llmRequests"], 2);
  EXPECT_GT(r.output["usage"]["inputTokens"].get<int>(), 0);
  if (c.stream) {
    EXPECT_NE(r.result.err.find("Reading it.\nIt says the build is green.\n"), std::string::npos) << r.result.err;
  }
  // Both requests reached the backend through LiteLLM, in the expected dialect,
  // with LiteLLM's upstream key (recorded redacted) and never the runner's key.
  const json requests = backend_requests();
  ASSERT_EQ(requests.size(), before + 2) << requests.dump(1);
  for (std::size_t i = before; i < requests.size(); ++i) {
    EXPECT_EQ(requests[i]["api"], c.backend_api) << requests[i].dump();
    EXPECT_EQ(requests[i]["status"], 200) << requests[i].dump();
    EXPECT_EQ(requests[i].dump().find(kMasterKey), std::string::npos);
  }
}

INSTANTIATE_TEST_SUITE_P(Apis, LiteLlmApis,
                         ::testing::Values(Case{"openai", "chat-model", false, "openai"},
                                           Case{"openai", "chat-model", true, "openai"},
                                           Case{"anthropic", "claude-model", false, "anthropic"},
                                           Case{"anthropic", "claude-model", true, "anthropic"},
                                           Case{"anthropic", "chat-model", false, "openai"},
                                           Case{"anthropic", "chat-model", true, "openai"}),
                         [](const auto& info) {
                           const Case& c = info.param;
                           return c.provider + "_to_" + c.backend_api + (c.stream ? "_streamed" : "_not_streamed");
                         });

TEST_F(LiteLlm, AnAnthropicToolErrorKeepsItsMarkerWhenTranslatedToChatCompletions) {
  script(json::parse(R"([
    {"match": {"lastMessageContains": "read the missing file"},
     "response": {"toolCalls": [{"id": "call_1", "name": "read", "arguments": {"path": "missing.txt"}}]}},
    {"response": {"text": "It does not exist."}}])"));
  const auto before = backend_requests().size();
  const Run r = exec("anthropic", "chat-model", "read the missing file");
  ASSERT_EQ(r.result.exit_code, 0) << r.result.describe();
  const json requests = backend_requests();
  ASSERT_EQ(requests.size(), before + 2);
  // LiteLLM turned the tool_result block into a tool message; is_error has no place there.
  const json& messages = requests[before + 1]["body"]["messages"];
  bool seen = false;
  for (const auto& m : messages) {
    if (m.value("role", "") != "tool") continue;
    const std::string content = m["content"].is_string() ? m["content"].get<std::string>() : m["content"].dump();
    EXPECT_NE(content.find("Error: "), std::string::npos) << m.dump();
    seen = true;
  }
  EXPECT_TRUE(seen) << messages.dump(1);
}

TEST_F(LiteLlm, ARateLimitIsRetriedThroughIt) {
  for (const std::string provider : {"openai", "anthropic"}) {
    script(json::parse(R"([
      {"failures": [{"status": 429, "retryAfter": "1", "type": "rate_limit_error", "message": "slow down"}],
       "response": {"text": "Done after waiting."}}])"));
    const Run r = exec(provider, provider == "openai" ? "chat-model" : "claude-model", "hello");
    ASSERT_EQ(r.result.exit_code, 0) << provider << ": " << r.result.describe() << "\n" << r.audit;
    EXPECT_EQ(r.output["summary"], "Done after waiting.");
    const auto calls = r.audit_events("llm_call");
    ASSERT_EQ(calls.size(), 1u) << r.audit;
    EXPECT_EQ(calls[0]["attempts"], 2) << r.audit;
  }
}

TEST_F(LiteLlm, AStreamThatBreaksBeforeAnyOutputIsRetried) {
  for (const std::string provider : {"openai", "anthropic"}) {
    // The backend's stream ends after its first chunk (the role, no text) without a
    // finish_reason. LiteLLM has answered 200 already, so it reports it in the
    // stream: OpenAI {"error": {"type": "internal_server_error", "code": "500"}}
    // then [DONE]; Anthropic an error event (api_error). The runner asks again.
    script(json::parse(R"([
      {"name": "broken", "response": {"text": "lost", "truncateAfterEvents": 1}},
      {"name": "fine", "response": {"text": "Second time lucky."}}])"));
    const Run r = exec(provider, "chat-model", "hello", {"--stream"});
    ASSERT_EQ(r.result.exit_code, 0) << provider << ": " << r.result.describe() << "\n" << r.audit;
    EXPECT_EQ(r.output["summary"], "Second time lucky.");
    const auto calls = r.audit_events("llm_call");
    ASSERT_EQ(calls.size(), 1u) << r.audit;
    EXPECT_EQ(calls[0]["attempts"], 2) << r.audit;
  }
}

TEST_F(LiteLlm, AWrongKeyIsRefusedAndTheKeyAppearsNowhere) {
  script(json::parse(R"([{"response": {"text": "never"}}])"));
  const auto before = backend_requests().size();
  std::ofstream(ws_ / "key") << kWrongKey << "\n";
  for (const std::string provider : {"openai", "anthropic"}) {
    const Run r = exec(provider, provider == "openai" ? "chat-model" : "claude-model", "hello", {"--stream"});
    EXPECT_EQ(r.result.exit_code, 1) << r.result.describe();
    EXPECT_EQ(r.output["outcome"], "Failed");
    EXPECT_EQ(r.output["reason"], "GatewayError") << r.output.dump();
    // LiteLLM without a database answers an unknown key 400 ("No connected db."), with one 401.
    EXPECT_NE(r.output["message"].get<std::string>().find("HTTP 4"), std::string::npos) << r.output.dump();
    const auto calls = r.audit_events("llm_call");
    ASSERT_EQ(calls.size(), 1u) << r.audit;
    EXPECT_EQ(calls[0]["attempts"], 1) << r.audit;  // a refused key is not retried
    for (const std::string& where : {r.result.out, r.result.err, r.audit}) {
      EXPECT_EQ(where.find(kWrongKey), std::string::npos) << where;
      EXPECT_EQ(where.find(kMasterKey), std::string::npos) << where;
    }
  }
  EXPECT_EQ(backend_requests().size(), before) << "LiteLLM let a request with a wrong key through";
  EXPECT_EQ(proxy_->out().find(kWrongKey), std::string::npos);  // LiteLLM's own log neither
  EXPECT_EQ(proxy_->err().find(kWrongKey), std::string::npos);
}

TEST_F(LiteLlm, ARequestHeldLongerThanTheIdleTimeoutIsHandledAsConfigured) {
  // The backend holds each request 4 s before answering, as a gateway queueing
  // requests under its rate limits does; LiteLLM waits for it, sending nothing.
  const json slow = json::parse(R"([{"delayMs": 4000, "repeat": true, "response": {"text": "Worth the wait."}}])");

  // Idle timeout 1 s: every attempt gives up; the session ends GatewayUnreachable.
  script(slow);
  Run r = exec("openai", "chat-model", "hello", {"--idle-timeout", "1"});
  EXPECT_EQ(r.result.exit_code, 1) << r.result.describe();
  EXPECT_EQ(r.output["reason"], "GatewayUnreachable") << r.output.dump();
  EXPECT_NE(r.output["message"].get<std::string>().find("idle timeout"), std::string::npos) << r.output.dump();
  auto calls = r.audit_events("llm_call");
  ASSERT_EQ(calls.size(), 1u) << r.audit;
  EXPECT_GT(calls[0]["attempts"].get<int>(), 1) << r.audit;  // each idle timeout was retried

  // Idle timeout above the hold: answered by the first attempt.
  script(slow);
  r = exec("openai", "chat-model", "hello", {"--idle-timeout", "10", "--stream"});
  ASSERT_EQ(r.result.exit_code, 0) << r.result.describe();
  EXPECT_EQ(r.output["summary"], "Worth the wait.");
  calls = r.audit_events("llm_call");
  ASSERT_EQ(calls.size(), 1u) << r.audit;
  EXPECT_EQ(calls[0]["attempts"], 1) << r.audit;
}

}  // namespace
