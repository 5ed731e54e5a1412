// The OpenAI chat completions dialect on its own: request bodies, answers,
// streamed chunks and error bodies.
#include <gtest/gtest.h>

#include "llm/dialect.h"
#include "llm/error.h"

namespace droid::llm {
namespace {

using nlohmann::json;

Request conversation() {
  Request r;
  r.model = "qwen";
  r.messages.push_back(Message::system("be brief"));
  r.messages.push_back(Message::user("list files"));
  Message assistant{Role::Assistant, {TextPart{"Listing."}}};
  assistant.parts.emplace_back(ToolCall::from_raw("call_1", "shell", R"({"command":"ls"})"));
  assistant.parts.emplace_back(ToolCall::from_raw("call_2", "read", R"({"path":"a"})"));
  r.messages.push_back(assistant);
  Message results = Message::tool_result("call_1", "a\nb");
  results.parts.emplace_back(ToolResult{"call_2", "denied by policy", true});
  r.messages.push_back(results);
  r.tools.push_back(
      {"shell", "Run a command", {{"type", "object"}, {"properties", {{"command", {{"type", "string"}}}}}}});
  return r;
}

TEST(OpenAi, EncodesMessagesToolsAndStreamOptions) {
  auto d = make_openai_dialect();
  Request r = conversation();
  r.temperature = 0.5;
  r.extra = {{"top_p", 0.9}};
  const json body = d->encode(r, /*stream=*/true);
  EXPECT_EQ(body["model"], "qwen");
  EXPECT_EQ(body["max_tokens"], 4096);
  EXPECT_EQ(body["stream"], true);
  EXPECT_EQ(body["stream_options"]["include_usage"], true);
  EXPECT_EQ(body["temperature"], 0.5);
  EXPECT_EQ(body["top_p"], 0.9);
  const json& m = body["messages"];
  ASSERT_EQ(m.size(), 5u);  // system, user, assistant, one tool message per result
  EXPECT_EQ(m[0], json({{"role", "system"}, {"content", "be brief"}}));
  EXPECT_EQ(m[2]["content"], "Listing.");
  ASSERT_EQ(m[2]["tool_calls"].size(), 2u);
  EXPECT_EQ(m[2]["tool_calls"][0]["type"], "function");
  EXPECT_EQ(m[2]["tool_calls"][0]["function"]["name"], "shell");
  EXPECT_EQ(m[2]["tool_calls"][0]["function"]["arguments"], R"({"command":"ls"})");  // a string
  EXPECT_EQ(m[3], json({{"role", "tool"}, {"tool_call_id", "call_1"}, {"content", "a\nb"}}));
  EXPECT_EQ(m[4]["content"], "Error: denied by policy");
  EXPECT_EQ(body["tools"][0]["type"], "function");
  EXPECT_EQ(body["tools"][0]["function"]["parameters"]["properties"]["command"]["type"], "string");
  EXPECT_FALSE(d->encode(r, false).contains("stream"));
}

TEST(OpenAi, DecodesTextToolCallsUsageAndArgumentsAsStringOrObject) {
  auto d = make_openai_dialect();
  const json body = {
      {"id", "chatcmpl-9"},
      {"model", "qwen"},
      {"choices",
       {{{"index", 0},
         {"message",
          {{"role", "assistant"},
           {"content", "ok"},
           {"tool_calls",
            {{{"id", "c1"},
              {"type", "function"},
              {"function", {{"name", "shell"}, {"arguments", "{\"command\":\"ls\"}"}}}},
             {{"id", "c2"}, {"type", "function"}, {"function", {{"name", "read"}, {"arguments", {{"path", "x"}}}}}},
             {{"id", "c3"}, {"type", "function"}, {"function", {{"name", "read"}, {"arguments", "{\"path\": "}}}}}}}},
         {"finish_reason", "tool_calls"}}}},
      {"usage", {{"prompt_tokens", 11}, {"completion_tokens", 7}, {"total_tokens", 18}}}};
  Response r = d->decode(body);
  EXPECT_EQ(r.id, "chatcmpl-9");
  EXPECT_EQ(r.message.text(), "ok");
  auto calls = r.message.tool_calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].arguments, json({{"command", "ls"}}));
  EXPECT_EQ(calls[1].arguments, json({{"path", "x"}}));
  EXPECT_FALSE(calls[2].arguments_valid());
  EXPECT_EQ(calls[2].arguments_json, "{\"path\": ");
  EXPECT_EQ(r.stop_reason, StopReason::ToolUse);
  EXPECT_EQ(r.usage, (Usage{11, 7}));
  EXPECT_THROW(d->decode(json{{"choices", json::array()}}), ProtocolError);
}

TEST(OpenAi, StreamAssemblesInterleavedToolCallFragmentsByIndex) {
  auto d = make_openai_dialect();
  auto s = d->stream_assembler();
  std::string streamed;
  const TextCallback on_text = [&](std::string_view t) { streamed += t; };
  auto chunk = [](const json& delta, const json& finish = nullptr) {
    return SseEvent{
        "",
        json({{"id", "x"}, {"model", "m"}, {"choices", {{{"index", 0}, {"delta", delta}, {"finish_reason", finish}}}}})
            .dump()};
  };
  s->on_event(chunk({{"role", "assistant"}, {"content", "Hel"}}), on_text);
  s->on_event(chunk({{"content", "lo"}}), on_text);
  s->on_event(
      chunk({{"tool_calls", {{{"index", 0}, {"id", "c1"}, {"function", {{"name", "shell"}, {"arguments", ""}}}}}}}),
      on_text);
  s->on_event(
      chunk({{"tool_calls", {{{"index", 1}, {"id", "c2"}, {"function", {{"name", "read"}, {"arguments", "{\"pa"}}}}}}}),
      on_text);
  s->on_event(chunk({{"tool_calls", {{{"index", 0}, {"function", {{"arguments", "{\"command\":"}}}}}}}), on_text);
  s->on_event(chunk({{"tool_calls", {{{"index", 1}, {"function", {{"arguments", "th\":\"x\"}"}}}}}}}), on_text);
  s->on_event(chunk({{"tool_calls", {{{"index", 0}, {"function", {{"arguments", "\"ls -la\"}"}}}}}}}), on_text);
  EXPECT_FALSE(s->complete());
  s->on_event(chunk(json::object(), "tool_calls"), on_text);
  s->on_event({"", R"({"id":"x","choices":[],"usage":{"prompt_tokens":20,"completion_tokens":9}})"}, on_text);
  s->on_event({"", "[DONE]"}, on_text);
  ASSERT_TRUE(s->complete());
  Response r = s->finish();
  EXPECT_EQ(streamed, "Hello");
  EXPECT_EQ(r.message.text(), "Hello");
  auto calls = r.message.tool_calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].id, "c1");
  EXPECT_EQ(calls[0].arguments, json({{"command", "ls -la"}}));
  EXPECT_EQ(calls[1].arguments, json({{"path", "x"}}));
  EXPECT_EQ(r.usage, (Usage{20, 9}));
  EXPECT_EQ(r.stop_reason, StopReason::ToolUse);
}

TEST(OpenAi, StreamErrorChunkIsAnApiError) {
  auto s = make_openai_dialect()->stream_assembler();
  try {
    s->on_event({"", R"({"error":{"message":"overloaded","type":"server_error"}})"}, {});
    FAIL() << "no error";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status(), 0);
    EXPECT_EQ(e.type(), "server_error");
    EXPECT_EQ(e.gateway_message(), "overloaded");
  }
  EXPECT_THROW(s->on_event({"", "{not json"}, {}), ProtocolError);
}

TEST(OpenAi, StreamErrorKeepsItsCodeForTheRetryDecision) {
  // What LiteLLM sends when the upstream stream broke before any output.
  auto s = make_openai_dialect()->stream_assembler();
  try {
    s->on_event(
        {"", R"({"error":{"message":"upstream broke","type":"internal_server_error","param":null,"code":"500"}})"}, {});
    FAIL() << "no error";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status(), 0);
    EXPECT_EQ(e.code(), "500");
    EXPECT_EQ(e.type(), "internal_server_error");
    EXPECT_NE(std::string(e.what()).find("code 500"), std::string::npos) << e.what();
  }
  try {
    s->on_event({"", R"({"error":{"message":"slow down","type":null,"code":429}})"}, {});
    FAIL() << "no error";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), "429");
  }
}

TEST(OpenAi, ErrorBodies) {
  auto d = make_openai_dialect();
  auto e = d->parse_error(R"({"error":{"message":"bad model","type":"invalid_request_error"}})");
  EXPECT_EQ(e.type, "invalid_request_error");
  EXPECT_EQ(e.message, "bad model");
  EXPECT_EQ(d->parse_error(R"({"detail":"Not Found"})").message, "Not Found");
  EXPECT_EQ(d->parse_error("upstream connect error").message, "upstream connect error");
}

}  // namespace
}  // namespace droid::llm
