// The scenario a scripted gateway replays, and the pure functions that turn a
// scripted answer into each API's JSON body or SSE events.
//
// Scenario file (JSON):
//   {"turns": [
//     {"name": "list files",
//      "match": {"lastMessageContains": "list the files", "model": "m", "api": "openai"},
//      "failures": [{"status": 429, "retryAfter": "1", "retryAfterMs": 500,
//                    "type": "rate_limit_error", "message": "slow down", "body": "raw text",
//                    "headers": {"llm_provider-retry-after": "2"}}],
//      "delayMs": 0,
//      "repeat": false,
//      "response": {"text": "Listing.", "toolCalls": [{"id": "call_1", "name": "shell",
//                                                     "arguments": {"command": "ls"}}],
//                   "stopReason": "tool_use", "usage": {"inputTokens": 12, "outputTokens": 5},
//                   "chunkSize": 8, "chunkDelayMs": 0, "splitEvents": false,
//                   "argumentsAsObject": false, "argumentsRaw": "{not json",
//                   "malformed": false, "ignoreStream": false,
//                   "streamError": {"afterEvents": 2, "type": "overloaded_error", "message": "busy",
//                                   "code": "500"},
//                   "truncateAfterEvents": 3}}]}
// A request is answered by the first turn not yet used whose match fits (all
// given conditions must hold; none given matches anything); lastMessageContains
// looks at what the request added since the model's last turn (the user's
// message, or all the tool results). Each request that
// reaches the turn first gets its next failure (status, Retry-After headers,
// error body); once they are used up, the response; the turn is then used (unless
// `repeat`). Streams split text and tool-call arguments into fragments of
// `chunkSize` bytes (so JSON arguments arrive in pieces), optionally pausing
// `chunkDelayMs` between events and cutting each event in two writes
// (`splitEvents`). `streamError` sends an error event after N events;
// (with a `code`, OpenAI only, the event carries it and [DONE] follows, as
// LiteLLM sends it); `truncateAfterEvents` closes the stream early without its terminal event;
// `malformed` answers 200 with a body that is not the API; `ignoreStream` answers
// a stream request with plain JSON. `stopReason` defaults to tool_use when there
// are tool calls, else end_turn (Anthropic names; mapped for OpenAI).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace droid::llm::testing {

enum class Api { OpenAI, Anthropic };
const char* to_string(Api api);

struct Failure {
  int status = 500;
  std::string retry_after;     // Retry-After header value, as given
  std::string retry_after_ms;  // retry-after-ms header value
  std::string type = "api_error";
  std::string message = "scripted failure";
  std::optional<std::string> body;                           // the raw body instead of the API's error JSON
  std::vector<std::pair<std::string, std::string>> headers;  // more response headers
};

struct ScriptedToolCall {
  std::string id;
  std::string name;
  nlohmann::json arguments = nlohmann::json::object();
};

struct ScriptedResponse {
  std::string text;
  std::vector<ScriptedToolCall> tool_calls;
  std::string stop_reason;  // empty: automatic
  std::int64_t input_tokens = 10;
  std::int64_t output_tokens = 5;
  std::size_t chunk_size = 8;
  int chunk_delay_ms = 0;
  bool split_events = false;
  bool arguments_as_object = false;
  std::optional<std::string> arguments_raw;  // sent instead of the arguments' JSON
  bool malformed = false;
  bool ignore_stream = false;
  std::optional<int> stream_error_after;
  std::string stream_error_type = "overloaded_error";
  std::string stream_error_message = "scripted stream error";
  std::string stream_error_code;  // OpenAI: the error's "code" (LiteLLM sends "500"); then [DONE]
  std::optional<int> truncate_after;
};

struct Turn {
  std::string name;
  std::string last_message_contains;
  std::string model;
  std::optional<Api> api;
  std::vector<Failure> failures;
  int delay_ms = 0;
  bool repeat = false;
  ScriptedResponse response;
};

struct Script {
  std::vector<Turn> turns;
};

// Throws std::invalid_argument naming the offending field.
Script parse_script(const nlohmann::json& doc);
Script load_script(const std::string& path);

// The text the request added since the model's last turn (the user's message or
// the tool results, joined by newlines), in either API.
std::string last_message_text(Api api, const nlohmann::json& body);
bool matches(const Turn& turn, Api api, const nlohmann::json& body);

// Checks the request as the real API would (400 with this message when not empty).
std::string validate_request(Api api, const nlohmann::json& body);

nlohmann::json error_body(Api api, const std::string& type, const std::string& message);
nlohmann::json response_body(Api api, const ScriptedResponse& r, const std::string& model, int seq);
// Complete SSE events ("event: ...\ndata: ...\n\n"), terminal event included.
std::vector<std::string> stream_events(Api api, const ScriptedResponse& r, const std::string& model, int seq);

}  // namespace droid::llm::testing
