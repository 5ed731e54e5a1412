// The LLM client against the real scripted gateway over loopback HTTP: both
// dialects, streaming and not, tool calls round-trip, usage, retries and their
// waits, what is never retried, timeouts, and the API key kept out of errors.
#include "llm/client.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "llm/error.h"
#include "llm/testing/scripted_gateway.h"

namespace droid::llm {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::steady_clock;
using testing::GatewayOptions;
using testing::ScriptedGateway;

const std::string kKey = "sk-test-4f9a8c7e6d5b4a39";

testing::Script script(const json& turns) { return testing::parse_script({{"turns", turns}}); }

std::unique_ptr<ScriptedGateway> start(const json& turns) {
  GatewayOptions o;
  o.api_key = kKey;
  return std::make_unique<ScriptedGateway>(script(turns), o);
}

GatewayConfig config_for(Provider p, const ScriptedGateway& g) {
  GatewayConfig c;
  c.provider = p;
  c.base_url = p == Provider::OpenAI ? g.url() + "/v1" : g.url();
  c.api_key = kKey;
  c.retry.initial_backoff = milliseconds(20);
  c.retry.max_backoff = milliseconds(100);
  return c;
}

Request ask(const std::string& text) {
  Request r;
  r.model = "test-model";
  r.messages = {Message::system("You are a test."), Message::user(text)};
  r.tools.push_back({"shell",
                     "Run a shell command",
                     {{"type", "object"},
                      {"properties", {{"command", {{"type", "string"}}}, {"env", {{"type", "object"}}}}},
                      {"required", {"command"}}}});
  return r;
}

long elapsed_ms(steady_clock::time_point since) {
  return static_cast<long>(std::chrono::duration_cast<milliseconds>(steady_clock::now() - since).count());
}

class ClientTest : public ::testing::TestWithParam<Provider> {
 protected:
  Provider provider() const { return GetParam(); }
};

TEST_P(ClientTest, AnswersWithTextAndUsage) {
  auto gw = start({{{"match", {{"lastMessageContains", "hello"}}},
                    {"response", {{"text", "Hello there."}, {"usage", {{"inputTokens", 12}, {"outputTokens", 5}}}}}}});
  auto client = make_client(config_for(provider(), *gw));
  Response r = client->complete(ask("hello"));
  EXPECT_EQ(r.message.role, Role::Assistant);
  EXPECT_EQ(r.message.text(), "Hello there.");
  EXPECT_TRUE(r.message.tool_calls().empty());
  EXPECT_EQ(r.stop_reason, StopReason::EndTurn);
  EXPECT_EQ(r.usage, (Usage{12, 5}));
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(r.model, "test-model");

  const json requests = gw->requests();
  ASSERT_EQ(requests.size(), 1u);
  const json& sent = requests[0];
  EXPECT_EQ(sent["status"], 200);
  EXPECT_EQ(sent["stream"], false);
  EXPECT_EQ(sent["body"]["model"], "test-model");
  if (provider() == Provider::OpenAI) {
    EXPECT_EQ(sent["path"], "/v1/chat/completions");
    EXPECT_EQ(sent["headers"]["authorization"], "[REDACTED]");  // Bearer, recorded without its value
    EXPECT_EQ(sent["body"]["messages"][0]["role"], "system");
  } else {
    EXPECT_EQ(sent["path"], "/v1/messages");
    EXPECT_EQ(sent["headers"]["x-api-key"], "[REDACTED]");
    EXPECT_EQ(sent["headers"]["anthropic-version"], "2023-06-01");
    EXPECT_EQ(sent["body"]["system"], "You are a test.");
  }
  EXPECT_EQ(sent.dump().find(kKey), std::string::npos);
}

TEST_P(ClientTest, StreamsTextDeltasAsTheyArrive) {
  const std::string text = "The quick brown fox jumps over the lazy dog, twice: the quick brown fox.";
  auto gw = start({{{"response",
                     {{"text", text},
                      {"chunkSize", 5},
                      {"chunkDelayMs", 2},
                      {"usage", {{"inputTokens", 40}, {"outputTokens", 17}}}}}}});
  auto client = make_client(config_for(provider(), *gw));
  std::vector<std::string> deltas;
  Response r = client->complete(ask("go"), [&](std::string_view d) { deltas.emplace_back(d); });
  EXPECT_GE(deltas.size(), text.size() / 5);  // piece by piece, not one block at the end
  std::string joined;
  for (const auto& d : deltas) joined += d;
  EXPECT_EQ(joined, text);
  EXPECT_EQ(r.message.text(), text);
  EXPECT_EQ(r.usage, (Usage{40, 17}));
  const json sent = gw->requests()[0];
  EXPECT_EQ(sent["stream"], true);
  EXPECT_EQ(sent["headers"]["accept"], "text/event-stream");
  if (provider() == Provider::OpenAI) {
    EXPECT_EQ(sent["body"]["stream_options"]["include_usage"], true);
  }
}

// Two turns: the model calls two tools (arguments split across many stream events
// and TCP writes), the client sends the results back, the model answers. The
// gateway refuses tool results that do not answer the calls it made.
void tool_round_trip(Provider provider, bool stream) {
  const json args1 = {{"command", "grep -rn \"TODO\" src | head -n 5"}, {"env", {{"LANG", "C.UTF-8"}, {"X", "é€\\n"}}}};
  const json args2 = {{"command", "ls -la"}};
  auto gw =
      start({{{"name", "call tools"},
              {"match", {{"lastMessageContains", "find the TODOs"}}},
              {"response",
               {{"text", "Searching."},
                {"toolCalls",
                 {{{"id", "call_a"}, {"name", "shell"}, {"arguments", args1}},
                  {{"id", "call_b"}, {"name", "shell"}, {"arguments", args2}}}},
                {"chunkSize", 3},
                {"splitEvents", true},
                {"usage", {{"inputTokens", 100}, {"outputTokens", 30}}}}}},
             {{"name", "final answer"},
              {"match", {{"lastMessageContains", "src/a.cc:3: TODO"}}},
              {"response", {{"text", "Found one TODO."}, {"usage", {{"inputTokens", 150}, {"outputTokens", 8}}}}}}});
  auto client = make_client(config_for(provider, *gw));
  Request req = ask("find the TODOs");
  req.stream = stream;
  Usage total;
  Response first = client->complete(req);
  total += first.usage;
  EXPECT_EQ(first.stop_reason, StopReason::ToolUse);
  EXPECT_EQ(first.message.text(), "Searching.");
  auto calls = first.message.tool_calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].id, "call_a");
  EXPECT_EQ(calls[0].name, "shell");
  EXPECT_EQ(calls[0].arguments, args1);
  EXPECT_EQ(calls[1].id, "call_b");
  EXPECT_EQ(calls[1].arguments, args2);

  req.messages.push_back(first.message);
  Message results = Message::tool_result("call_a", "src/a.cc:3: TODO fix");
  results.parts.emplace_back(ToolResult{"call_b", "denied: policy", true});
  req.messages.push_back(results);
  Response second = client->complete(req);
  total += second.usage;
  EXPECT_EQ(second.message.text(), "Found one TODO.");
  EXPECT_EQ(second.stop_reason, StopReason::EndTurn);
  EXPECT_EQ(total, (Usage{250, 38}));

  const json requests = gw->requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0]["turn"], "call tools");
  EXPECT_EQ(requests[1]["turn"], "final answer");
  EXPECT_EQ(requests[1]["status"], 200);  // the gateway accepted the tool results
  EXPECT_EQ(gw->unused_turns(), 0u);
}

TEST_P(ClientTest, ToolCallsRoundTrip) { tool_round_trip(provider(), false); }
TEST_P(ClientTest, StreamedToolCallsRoundTrip) { tool_round_trip(provider(), true); }

TEST_P(ClientTest, HonoursRetryAfterSeconds) {
  auto gw = start({{{"failures", {{{"status", 429}, {"retryAfter", "1"}, {"type", "rate_limit_error"}}}},
                    {"response", {{"text", "finally"}}}}});
  auto client = make_client(config_for(provider(), *gw));
  const auto t0 = steady_clock::now();
  Response r = client->complete(ask("x"));
  EXPECT_GE(elapsed_ms(t0), 1000);  // the backoff alone would be 20 ms
  EXPECT_EQ(r.message.text(), "finally");
  EXPECT_EQ(r.attempts, 2);
  const json requests = gw->requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0]["status"], 429);
}

TEST_P(ClientTest, RetriesServerErrorsWithBackoffAndRetryAfterMs) {
  auto gw = start({{{"failures", {{{"status", 503}}, {{"status", 529}, {"retryAfterMs", "300"}, {"retryAfter", "30"}}}},
                    {"response", {{"text", "ok"}}}}});
  auto client = make_client(config_for(provider(), *gw));
  const auto t0 = steady_clock::now();
  Response r = client->complete(ask("x"));
  const long ms = elapsed_ms(t0);
  EXPECT_GE(ms, 300);    // retry-after-ms honoured...
  EXPECT_LT(ms, 10000);  // ...in preference to Retry-After: 30
  EXPECT_EQ(r.attempts, 3);
}

TEST_P(ClientTest, DoesNotRetryBadRequests) {
  auto gw = start(
      {{{"failures", {{{"status", 400}, {"type", "invalid_request_error"}, {"message", "max_tokens is too large"}}}},
        {"response", {{"text", "never"}}}}});
  auto client = make_client(config_for(provider(), *gw));
  try {
    client->complete(ask("x"));
    FAIL() << "no error";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status(), 400);
    EXPECT_EQ(e.type(), "invalid_request_error");
    EXPECT_EQ(e.attempts(), 1);
    const std::string what = e.what();
    EXPECT_NE(what.find("400"), std::string::npos) << what;
    EXPECT_NE(what.find("max_tokens is too large"), std::string::npos) << what;
  }
  EXPECT_EQ(gw->requests().size(), 1u);
}

TEST_P(ClientTest, GivesUpAfterTheLastAttempt) {
  auto gw = start({{{"failures", {{{"status", 500}}, {{"status", 502}}, {{"status", 504}}, {{"status", 500}}}},
                    {"response", {{"text", "late"}}}}});
  auto config = config_for(provider(), *gw);
  config.retry.max_attempts = 3;
  auto client = make_client(config);
  try {
    client->complete(ask("x"));
    FAIL() << "no error";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status(), 504);
    EXPECT_EQ(e.attempts(), 3);
  }
  EXPECT_EQ(gw->requests().size(), 3u);
}

TEST_P(ClientTest, DoesNotWaitPastTheDeadline) {
  auto gw = start({{{"failures", {{{"status", 429}, {"retryAfter", "30"}}}}, {"response", {{"text", "never"}}}}});
  auto config = config_for(provider(), *gw);
  config.deadline = std::chrono::seconds(3);
  auto client = make_client(config);
  const auto t0 = steady_clock::now();
  EXPECT_THROW(client->complete(ask("x")), ApiError);
  EXPECT_LT(elapsed_ms(t0), 2000);  // failed at once rather than sleeping 30 s
}

TEST_P(ClientTest, ApiKeyNeverAppearsInErrors) {
  auto gw = start({{{"response", {{"text", "never"}}}}});
  auto config = config_for(provider(), *gw);
  config.api_key = "sk-wrong-key-77e1c0ffee";
  auto client = make_client(config);
  try {
    client->complete(ask("x"));
    FAIL() << "no error";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status(), 401);
    EXPECT_EQ(e.attempts(), 1);
    const std::string what = e.what();
    EXPECT_EQ(what.find("sk-wrong-key-77e1c0ffee"), std::string::npos) << what;
    EXPECT_EQ(e.gateway_message().find("sk-wrong-key-77e1c0ffee"), std::string::npos);
    EXPECT_NE(what.find("invalid API key: [REDACTED]"), std::string::npos) << what;  // the gateway did echo it
  }
  // A transport error names the URL, never the key either.
  auto dead = config;
  dead.base_url = "http://127.0.0.1:1";
  dead.retry.max_attempts = 1;
  try {
    make_client(dead)->complete(ask("x"));
    FAIL() << "no error";
  } catch (const TransportError& e) {
    EXPECT_EQ(std::string(e.what()).find("sk-wrong"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("127.0.0.1:1"), std::string::npos) << e.what();
  }
}

TEST_P(ClientTest, RetriesAStreamThatFailedBeforeAnyOutput) {
  auto gw = start({{{"name", "overloaded"}, {"response", {{"text", "lost"}, {"streamError", {{"afterEvents", 1}}}}}},
                   {{"name", "fine"}, {"response", {{"text", "second try"}}}}});
  auto client = make_client(config_for(provider(), *gw));
  std::string seen;
  Response r = client->complete(ask("x"), [&](std::string_view d) { seen += d; });
  EXPECT_EQ(seen, "second try");
  EXPECT_EQ(r.attempts, 2);
}

TEST_P(ClientTest, NeverRetriesAStreamThatProducedOutput) {
  auto gw =
      start({{{"name", "breaks"},
              {"response", {{"text", "partial answer here"}, {"chunkSize", 4}, {"streamError", {{"afterEvents", 5}}}}}},
             {{"name", "fine"}, {"response", {{"text", "must not be asked"}}}}});
  auto client = make_client(config_for(provider(), *gw));
  std::string seen;
  try {
    client->complete(ask("x"), [&](std::string_view d) { seen += d; });
    FAIL() << "no error";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.type(), "overloaded_error");
    EXPECT_EQ(e.attempts(), 1);
  }
  EXPECT_FALSE(seen.empty());
  EXPECT_EQ(gw->requests().size(), 1u);
}

TEST_P(ClientTest, ATruncatedStreamIsAnError) {
  auto gw = start({{{"response", {{"text", "cut short"}, {"chunkSize", 2}, {"truncateAfterEvents", 4}}}},
                   {{"response", {{"text", "must not be asked"}}}}});
  auto client = make_client(config_for(provider(), *gw));
  try {
    client->complete(ask("x"), [](std::string_view) {});
    FAIL() << "no error";
  } catch (const TransportError& e) {
    EXPECT_NE(std::string(e.what()).find("ended before"), std::string::npos) << e.what();
  }
  EXPECT_EQ(gw->requests().size(), 1u);  // output was delivered: not retried
}

TEST_P(ClientTest, AMalformedAnswerIsAProtocolError) {
  auto gw = start({{{"response", {{"malformed", true}}}}, {{"response", {{"text", "must not be asked"}}}}});
  auto client = make_client(config_for(provider(), *gw));
  EXPECT_THROW(client->complete(ask("x")), ProtocolError);
  EXPECT_EQ(gw->requests().size(), 1u);
}

TEST_P(ClientTest, AStreamRequestAnsweredWithPlainJsonStillWorks) {
  auto gw = start({{{"response", {{"text", "not streamed"}, {"ignoreStream", true}}}}});
  auto client = make_client(config_for(provider(), *gw));
  std::string seen;
  Response r = client->complete(ask("x"), [&](std::string_view d) { seen += d; });
  EXPECT_EQ(seen, "not streamed");
  EXPECT_EQ(r.message.text(), "not streamed");
}

TEST_P(ClientTest, RequestTimeoutAndCallerDeadline) {
  auto gw = start({{{"delayMs", 3000}, {"repeat", true}, {"response", {{"text", "slow"}}}}});
  auto config = config_for(provider(), *gw);
  config.request_timeout = milliseconds(400);
  config.retry.max_attempts = 2;
  auto client = make_client(config);
  auto t0 = steady_clock::now();
  try {
    client->complete(ask("x"));
    FAIL() << "no error";
  } catch (const TimeoutError& e) {
    EXPECT_EQ(e.attempts(), 2);  // the attempt timed out, was retried once, then gave up
  }
  EXPECT_LT(elapsed_ms(t0), 2500);
  EXPECT_GE(elapsed_ms(t0), 800);

  config.request_timeout = std::chrono::seconds(60);
  client = make_client(config);
  Request r = ask("x");
  r.deadline = steady_clock::now() + milliseconds(500);
  t0 = steady_clock::now();
  EXPECT_THROW(client->complete(r), TimeoutError);
  EXPECT_LT(elapsed_ms(t0), 2500);
}

TEST_P(ClientTest, ConnectionRefusedIsRetriedThenATransportError) {
  GatewayConfig c;
  c.provider = provider();
  c.base_url = "http://127.0.0.1:1";
  c.api_key = kKey;
  c.retry = {.max_attempts = 3, .initial_backoff = milliseconds(10), .max_backoff = milliseconds(20)};
  try {
    make_client(c)->complete(ask("x"));
    FAIL() << "no error";
  } catch (const TransportError& e) {
    EXPECT_EQ(e.attempts(), 3);
  }
}

INSTANTIATE_TEST_SUITE_P(Providers, ClientTest, ::testing::Values(Provider::OpenAI, Provider::Anthropic),
                         [](const auto& info) { return std::string(to_string(info.param)); });

TEST_P(ClientTest, HonoursTheProvidersRetryAfterThatLiteLlmForwards) {
  auto gw = start({{{"failures", {{{"status", 429}, {"headers", {{"llm_provider-retry-after", "1"}}}}}},
                    {"response", {{"text", "finally"}}}}});
  auto client = make_client(config_for(provider(), *gw));
  const auto t0 = steady_clock::now();
  Response r = client->complete(ask("x"));
  EXPECT_GE(elapsed_ms(t0), 1000);  // the backoff alone would be 20 ms
  EXPECT_EQ(r.attempts, 2);
}

TEST(Client, RetriesLiteLlmsInStreamErrorByItsCode) {
  // LiteLLM, when the upstream stream breaks before any output: an error event
  // {"type": "internal_server_error", "code": "500"}, then [DONE].
  auto gw =
      start({{{"name", "broken"},
              {"response",
               {{"text", "lost"},
                {"streamError", {{"afterEvents", 0}, {"type", "internal_server_error"}, {"code", "500"}}}}}},
             {{"name", "throttled"},
              {"response", {{"text", "lost"}, {"streamError", {{"afterEvents", 0}, {"type", "throttling_error"}}}}}},
             {{"name", "fine"}, {"response", {{"text", "third try"}}}}});
  auto client = make_client(config_for(Provider::OpenAI, *gw));
  std::string seen;
  Response r = client->complete(ask("x"), [&](std::string_view d) { seen += d; });
  EXPECT_EQ(seen, "third try");
  EXPECT_EQ(r.attempts, 3);

  // A stream error whose code is a client error is not retried, whatever its type says.
  gw->set_script(
      script({{{"response",
                {{"text", "lost"},
                 {"streamError", {{"afterEvents", 0}, {"type", "internal_server_error"}, {"code", "400"}}}}}},
              {{"response", {{"text", "must not be asked"}}}}}));
  try {
    client->complete(ask("x"), [](std::string_view) {});
    FAIL() << "no error";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), "400");
    EXPECT_EQ(e.attempts(), 1);
  }
}

TEST(Client, OpenAiArgumentsSentAsAnObject) {
  auto gw = start(
      {{{"response",
         {{"toolCalls", {{{"name", "shell"}, {"arguments", {{"command", "pwd"}}}}}}, {"argumentsAsObject", true}}}}});
  auto client = make_client(config_for(Provider::OpenAI, *gw));
  Response r = client->complete(ask("x"));
  ASSERT_EQ(r.message.tool_calls().size(), 1u);
  EXPECT_EQ(r.message.tool_calls()[0].arguments, json({{"command", "pwd"}}));
}

TEST(Client, InvalidToolArgumentsReachTheLoopAsInvalid) {
  auto gw = start({{{"response", {{"toolCalls", {{{"name", "shell"}}}}, {"argumentsRaw", "{\"command\": \"ls"}}}}});
  auto client = make_client(config_for(Provider::OpenAI, *gw));
  Response r = client->complete(ask("x"), [](std::string_view) {});
  ASSERT_EQ(r.message.tool_calls().size(), 1u);
  EXPECT_FALSE(r.message.tool_calls()[0].arguments_valid());
  EXPECT_EQ(r.message.tool_calls()[0].arguments_json, "{\"command\": \"ls");
}

TEST(Client, AnthropicBearerAuthForProxies) {
  auto gw = start({{{"response", {{"text", "ok"}}}}});
  auto config = config_for(Provider::Anthropic, *gw);
  config.auth = AuthScheme::Bearer;
  EXPECT_EQ(make_client(config)->complete(ask("x")).message.text(), "ok");
  const json headers = gw->requests()[0]["headers"];
  EXPECT_EQ(headers["authorization"], "[REDACTED]");
  EXPECT_FALSE(headers.contains("x-api-key"));
}

TEST(Client, ConnectTimeoutBoundsAHandshakeThatNeverCompletes) {
  // A listener that never accepts: the kernel completes the TCP handshake, the TLS
  // handshake then waits forever. The idle timeout is long; the connect timeout ends it.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);  // NOLINT(*-reinterpret-cast)
  ASSERT_EQ(::listen(fd, 8), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len), 0);  // NOLINT(*-reinterpret-cast)
  GatewayConfig c;
  c.base_url = "https://127.0.0.1:" + std::to_string(ntohs(a.sin_port)) + "/v1";
  c.api_key = kKey;
  c.connect_timeout = milliseconds(300);
  c.idle_timeout = std::chrono::seconds(30);
  c.retry.max_attempts = 1;
  const auto t0 = steady_clock::now();
  try {
    make_client(c)->complete(ask("x"));
    FAIL() << "no error";
  } catch (const TransportError& e) {
    EXPECT_NE(std::string(e.what()).find("no connection within 300 ms (connect timeout)"), std::string::npos)
        << e.what();
  }
  EXPECT_GE(elapsed_ms(t0), 300);
  EXPECT_LT(elapsed_ms(t0), 5000);
  ::close(fd);

  // A gateway that answers slowly is not cut short by it: the request was sent in time.
  auto gw = start({{{"delayMs", 800}, {"response", {{"text", "slow but fine"}}}}});
  auto config = config_for(Provider::OpenAI, *gw);
  config.connect_timeout = milliseconds(300);
  EXPECT_EQ(make_client(config)->complete(ask("x")).message.text(), "slow but fine");
}

TEST(Client, NoKeyIsRefusedUnlessTheGatewayNeedsNone) {
  auto gw = start({{{"response", {{"text", "ok"}}}}});
  auto config = config_for(Provider::OpenAI, *gw);
  config.api_key.clear();
  try {
    make_client(config);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("no API key"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("auth: none"), std::string::npos) << e.what();
  }
  // auth: none sends no credentials (the scripted gateway, which wants a key, refuses them).
  config.auth = AuthScheme::None;
  try {
    make_client(config)->complete(ask("x"));
    FAIL() << "no error";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status(), 401);
  }
  const json headers = gw->requests()[0]["headers"];
  EXPECT_FALSE(headers.contains("authorization")) << headers.dump();
  EXPECT_FALSE(headers.contains("x-api-key")) << headers.dump();
  config.api_key = kKey;
  EXPECT_THROW(make_client(config), ConfigError);  // a key and auth: none contradict each other
}

TEST(Client, ConcurrentCallsShareOneClient) {
  auto gw = start({{{"repeat", true}, {"response", {{"text", "pong"}, {"chunkDelayMs", 1}}}}});
  auto client = make_client(config_for(Provider::OpenAI, *gw));
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&, i] {
      std::string seen;
      auto r = i % 2 == 0 ? client->complete(ask("ping"))
                          : client->complete(ask("ping"), [&](std::string_view d) { seen += d; });
      if (r.message.text() == "pong") ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 6);
  EXPECT_EQ(gw->requests().size(), 6u);
}

}  // namespace
}  // namespace droid::llm
