// The provider-neutral conversation model the agent loop talks in, whichever
// gateway dialect (OpenAI chat completions, Anthropic messages) carries it.
//
// A Message has a role and a list of parts: text, tool calls (assistant only) and
// tool results (role Tool). The dialect codecs translate: a Tool message becomes
// one OpenAI `tool` message per result, or `tool_result` blocks of an Anthropic
// user message; System messages become OpenAI system messages or Anthropic's
// top-level `system`.
//
//   Request r{.model = "qwen", .messages = {Message::system("be brief"), Message::user("hi")}};
//   r.tools.push_back({"shell", "Run a command", schema});
//   Response out = client.complete(r);
//   for (const ToolCall& call : out.message.tool_calls()) ...
//   r.messages.push_back(out.message);
//   r.messages.push_back(Message::tool_result(call.id, "output", /*is_error=*/false));
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace droid::llm {

enum class Role { System, User, Assistant, Tool };
const char* to_string(Role role);

// A call the model asked for. `arguments` is the parsed JSON object; when the
// model produced text that is not a JSON object, `arguments` is null,
// `arguments_json` keeps the raw text and `arguments_valid()` is false (the agent
// loop answers with a tool error instead of running anything).
struct ToolCall {
  std::string id;
  std::string name;
  nlohmann::json arguments = nlohmann::json::object();
  std::string arguments_json;  // as received (or arguments.dump() when built locally)

  bool arguments_valid() const { return arguments.is_object(); }
  // Builds a call from the raw argument text (a string or, for gateways that send
  // an object, its dump).
  static ToolCall from_raw(std::string id, std::string name, std::string raw_arguments);
};

struct ToolResult {
  std::string tool_call_id;
  std::string content;
  bool is_error = false;

  // The content as both dialects send it: an error says so in its text ("Error: ..."),
  // since the OpenAI API has no error flag and a gateway translating an Anthropic
  // request to it drops `is_error`.
  std::string marked_content() const { return is_error ? "Error: " + content : content; }
};

struct TextPart {
  std::string text;
};

using Part = std::variant<TextPart, ToolCall, ToolResult>;

struct Message {
  Role role = Role::User;
  std::vector<Part> parts;

  static Message system(std::string text);
  static Message user(std::string text);
  static Message assistant(std::string text);
  static Message tool_result(std::string tool_call_id, std::string content, bool is_error = false);

  std::string text() const;  // all text parts, concatenated
  std::vector<ToolCall> tool_calls() const;
  std::vector<ToolResult> tool_results() const;
};

// A tool the model may call; `parameters` is a JSON Schema object.
struct ToolDefinition {
  std::string name;
  std::string description;
  nlohmann::json parameters = {{"type", "object"}, {"properties", nlohmann::json::object()}};
};

struct Usage {
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;

  std::int64_t total() const { return input_tokens + output_tokens; }
  Usage& operator+=(const Usage& other) {
    input_tokens += other.input_tokens;
    output_tokens += other.output_tokens;
    return *this;
  }
  bool operator==(const Usage&) const = default;
};

enum class StopReason { EndTurn, ToolUse, MaxTokens, StopSequence, ContentFilter, Other };
const char* to_string(StopReason reason);

struct Request {
  std::string model;
  std::vector<Message> messages;
  std::vector<ToolDefinition> tools;
  int max_tokens = 4096;                            // required by Anthropic; sent to OpenAI as max_tokens
  std::optional<double> temperature;                // omitted when unset
  std::string reasoning_effort;                     // OpenAI `reasoning_effort` when set; ignored by Anthropic
  bool stream = false;                              // also implied by a streaming callback
  nlohmann::json extra = nlohmann::json::object();  // merged into the request body last
  // The caller's own deadline (e.g. the session's wall-time limit); the client
  // uses the earlier of this and its configured overall deadline.
  std::optional<std::chrono::steady_clock::time_point> deadline;
};

struct Response {
  Message message;  // role Assistant: text and tool calls, in the order received
  Usage usage;
  StopReason stop_reason = StopReason::Other;
  std::string raw_stop_reason;  // as the gateway said it ("stop", "tool_calls", "end_turn", ...)
  std::string id;               // the gateway's response id
  std::string model;            // the model the gateway reports
  int attempts = 1;             // HTTP attempts made (1 without retries)
};

}  // namespace droid::llm
