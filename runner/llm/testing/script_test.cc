// The scripted gateway's pure parts: scenario parsing, matching, request checks
// and the events a scripted answer becomes.
#include "llm/testing/script.h"

#include <gtest/gtest.h>

namespace droid::llm::testing {
namespace {

using nlohmann::json;

TEST(Script, ParsesTurnsAndNamesTheBadField) {
  Script s = parse_script(json::parse(R"({"turns": [
    {"name": "a", "match": {"lastMessageContains": "hi", "api": "anthropic"},
     "failures": [{"status": 429, "retryAfter": 1}],
     "response": {"text": "x", "toolCalls": [{"name": "shell", "arguments": {"command": "ls"}}], "chunkSize": 2}}]})"));
  ASSERT_EQ(s.turns.size(), 1u);
  EXPECT_EQ(s.turns[0].failures[0].retry_after, "1");
  EXPECT_EQ(s.turns[0].response.tool_calls[0].id, "call_1");
  EXPECT_EQ(s.turns[0].api, Api::Anthropic);
  EXPECT_THROW(parse_script(json::parse(R"({"turn": []})")), std::invalid_argument);
  try {
    parse_script(json::parse(R"({"turns": [{}, {"response": {"toolCalls": [{"arguments": {}}]}}]})"));
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("turns[1]"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("name is required"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_script(json::parse(R"({"turns": [{"match": {"api": "gemini"}}]})")), std::invalid_argument);
}

TEST(Script, MatchesWhatTheRequestAddedSinceTheModelsLastTurn) {
  const json openai = {{"messages",
                        {{{"role", "user"}, {"content", "first"}},
                         {{"role", "assistant"}, {"content", nullptr}},
                         {{"role", "tool"}, {"tool_call_id", "a"}, {"content", "result A"}},
                         {{"role", "tool"}, {"tool_call_id", "b"}, {"content", "result B"}}}}};
  EXPECT_EQ(last_message_text(Api::OpenAI, openai), "result A\nresult B");
  const json anthropic = {{"messages",
                           {{{"role", "user"}, {"content", "first"}},
                            {{"role", "assistant"}, {"content", {{{"type", "text"}, {"text", "ok"}}}}},
                            {{"role", "user"},
                             {"content",
                              {{{"type", "tool_result"}, {"tool_use_id", "t"}, {"content", "out"}},
                               {{"type", "text"}, {"text", "more"}}}}}}}};
  EXPECT_EQ(last_message_text(Api::Anthropic, anthropic), "outmore");
  Turn t;
  t.last_message_contains = "result B";
  EXPECT_TRUE(matches(t, Api::OpenAI, openai));
  t.api = Api::Anthropic;
  EXPECT_FALSE(matches(t, Api::OpenAI, openai));
}

TEST(Script, ChecksRequestsAsTheApisDo) {
  EXPECT_EQ(validate_request(Api::OpenAI, {{"messages", {{{"role", "user"}, {"content", "x"}}}}}),
            "model: Field required");
  EXPECT_NE(
      validate_request(Api::OpenAI, {{"model", "m"},
                                     {"messages", {{{"role", "tool"}, {"tool_call_id", "nope"}, {"content", "x"}}}}}),
      "");
  const json no_max = {{"model", "m"}, {"messages", {{{"role", "user"}, {"content", "x"}}}}};
  EXPECT_EQ(validate_request(Api::Anthropic, no_max), "max_tokens: Field required");
  json twice_user = no_max;
  twice_user["max_tokens"] = 10;
  twice_user["messages"].push_back({{"role", "user"}, {"content", "y"}});
  EXPECT_NE(validate_request(Api::Anthropic, twice_user).find("alternate"), std::string::npos);
  json orphan = twice_user;
  orphan["messages"] = {
      {{"role", "user"}, {"content", {{{"type", "tool_result"}, {"tool_use_id", "t1"}, {"content", "x"}}}}}};
  EXPECT_NE(validate_request(Api::Anthropic, orphan).find("tool_use"), std::string::npos);
}

TEST(Script, StreamsSplitArgumentsAndEndAsScripted) {
  ScriptedResponse r;
  r.text = "abcdef";
  r.tool_calls.push_back({"c1", "shell", {{"command", "ls"}}});
  r.chunk_size = 4;
  const auto openai = stream_events(Api::OpenAI, r, "m", 1);
  EXPECT_EQ(openai.back(), "data: [DONE]\n\n");
  std::string arguments;
  for (const auto& e : openai) {
    const auto j = json::parse(e.substr(6), nullptr, false);
    if (j.is_discarded() || j["choices"].empty()) continue;
    const json& delta = j["choices"][0]["delta"];
    if (delta.contains("tool_calls")) arguments += delta["tool_calls"][0]["function"]["arguments"].get<std::string>();
  }
  EXPECT_EQ(arguments, R"({"command":"ls"})");
  const auto anthropic = stream_events(Api::Anthropic, r, "m", 1);
  EXPECT_NE(anthropic.back().find("message_stop"), std::string::npos);
  r.stream_error_after = 2;
  const auto broken = stream_events(Api::Anthropic, r, "m", 1);
  ASSERT_EQ(broken.size(), 3u);
  EXPECT_EQ(broken.back().rfind("event: error\n", 0), 0u);
  r.stream_error_after.reset();
  r.truncate_after = 3;
  EXPECT_EQ(stream_events(Api::OpenAI, r, "m", 1).size(), 3u);
}

}  // namespace
}  // namespace droid::llm::testing
