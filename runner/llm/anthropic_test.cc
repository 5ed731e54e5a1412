// The Anthropic messages dialect on its own.
#include <gtest/gtest.h>

#include "llm/dialect.h"
#include "llm/error.h"

namespace droid::llm {
namespace {

using nlohmann::json;

TEST(Anthropic, EncodesSystemTopLevelAndToolResultsInUserTurns) {
  auto d = make_anthropic_dialect();
  Request r;
  r.model = "claude";
  r.max_tokens = 1000;
  r.messages.push_back(Message::system("rule one"));
  r.messages.push_back(Message::system("rule two"));
  r.messages.push_back(Message::user("fix it"));
  Message assistant{Role::Assistant, {TextPart{""}}};
  assistant.parts.emplace_back(ToolCall::from_raw("t1", "edit", R"({"path":"a","old":"x","new":"y"})"));
  assistant.parts.emplace_back(ToolCall::from_raw("t2", "shell", "{broken"));
  r.messages.push_back(assistant);
  Message results = Message::tool_result("t1", "done");
  results.parts.emplace_back(ToolResult{"t2", "invalid arguments", true});
  r.messages.push_back(results);
  r.messages.push_back(Message::user("and now?"));
  r.tools.push_back({"edit", "Edit a file", {{"type", "object"}}});
  const json body = d->encode(r, true);
  EXPECT_EQ(body["system"], "rule one\n\nrule two");
  EXPECT_EQ(body["max_tokens"], 1000);
  EXPECT_EQ(body["stream"], true);
  EXPECT_EQ(body["tools"][0],
            json({{"name", "edit"}, {"description", "Edit a file"}, {"input_schema", {{"type", "object"}}}}));
  const json& m = body["messages"];
  ASSERT_EQ(m.size(), 3u);  // user, assistant, user (tool results + text merged)
  EXPECT_EQ(m[0]["content"][0], json({{"type", "text"}, {"text", "fix it"}}));
  ASSERT_EQ(m[1]["content"].size(), 2u);  // the empty text block is dropped
  EXPECT_EQ(m[1]["content"][0]["type"], "tool_use");
  EXPECT_EQ(m[1]["content"][0]["input"]["path"], "a");
  EXPECT_EQ(m[1]["content"][1]["input"], json::object());  // invalid arguments: an empty object
  EXPECT_EQ(m[2]["role"], "user");
  ASSERT_EQ(m[2]["content"].size(), 3u);
  EXPECT_EQ(m[2]["content"][0], json({{"type", "tool_result"}, {"tool_use_id", "t1"}, {"content", "done"}}));
  EXPECT_EQ(m[2]["content"][1]["is_error"], true);
  // The marker is in the text too: a gateway translating to the OpenAI dialect drops is_error.
  EXPECT_EQ(m[2]["content"][1]["content"], "Error: invalid arguments");
  EXPECT_EQ(m[2]["content"][2]["text"], "and now?");
}

TEST(Anthropic, DecodesContentBlocksAndUsage) {
  auto d = make_anthropic_dialect();
  const json body = {{"id", "msg_1"},
                     {"type", "message"},
                     {"role", "assistant"},
                     {"model", "claude"},
                     {"content",
                      {{{"type", "text"}, {"text", "Let me look."}},
                       {{"type", "tool_use"}, {"id", "t1"}, {"name", "ls"}, {"input", {{"path", "."}}}}}},
                     {"stop_reason", "tool_use"},
                     {"usage", {{"input_tokens", 30}, {"cache_read_input_tokens", 70}, {"output_tokens", 12}}}};
  Response r = d->decode(body);
  EXPECT_EQ(r.message.text(), "Let me look.");
  ASSERT_EQ(r.message.tool_calls().size(), 1u);
  EXPECT_EQ(r.message.tool_calls()[0].arguments, json({{"path", "."}}));
  EXPECT_EQ(r.stop_reason, StopReason::ToolUse);
  EXPECT_EQ(r.usage, (Usage{100, 12}));
  EXPECT_THROW(d->decode(json{{"type", "error"}}), ProtocolError);
}

TEST(Anthropic, StreamAssemblesTextAndSplitToolInput) {
  auto s = make_anthropic_dialect()->stream_assembler();
  std::string streamed;
  const TextCallback on_text = [&](std::string_view t) { streamed += t; };
  const std::vector<std::string> events = {
      R"({"type":"message_start","message":{"id":"msg_2","model":"claude","usage":{"input_tokens":25,"output_tokens":1}}})",
      R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})",
      R"({"type":"ping"})",
      R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Run"}})",
      R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"ning."}})",
      R"({"type":"content_block_stop","index":0})",
      R"({"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"t9","name":"shell","input":{}}})",
      R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}})",
      R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"comm"}})",
      R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"and\": \"make"}})",
      R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":" test\"}"}})",
      R"({"type":"content_block_stop","index":1})",
      R"({"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"t10","name":"list","input":{}}})",
      R"({"type":"content_block_stop","index":2})",
      R"({"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":41}})",
  };
  for (const auto& e : events) s->on_event({"", e}, on_text);
  EXPECT_FALSE(s->complete());
  s->on_event({"message_stop", R"({"type":"message_stop"})"}, on_text);
  ASSERT_TRUE(s->complete());
  Response r = s->finish();
  EXPECT_EQ(streamed, "Running.");
  EXPECT_EQ(r.id, "msg_2");
  auto calls = r.message.tool_calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].arguments, json({{"command", "make test"}}));
  EXPECT_EQ(calls[1].arguments, json::object());  // a tool without input
  EXPECT_EQ(r.usage, (Usage{25, 41}));
  EXPECT_EQ(r.stop_reason, StopReason::ToolUse);
}

TEST(Anthropic, StreamErrorEvent) {
  auto s = make_anthropic_dialect()->stream_assembler();
  try {
    s->on_event({"error", R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})"}, {});
    FAIL() << "no error";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.type(), "overloaded_error");
    EXPECT_EQ(e.gateway_message(), "Overloaded");
  }
  EXPECT_THROW(s->on_event({"", R"({"type":"content_block_delta","index":5,"delta":{}})"}, {}), ProtocolError);
}

}  // namespace
}  // namespace droid::llm
