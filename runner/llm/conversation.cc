#include "llm/conversation.h"

#include <utility>

namespace droid::llm {

const char* to_string(Role role) {
  switch (role) {
    case Role::System: return "system";
    case Role::User: return "user";
    case Role::Assistant: return "assistant";
    case Role::Tool: return "tool";
  }
  return "?";
}

const char* to_string(StopReason reason) {
  switch (reason) {
    case StopReason::EndTurn: return "end_turn";
    case StopReason::ToolUse: return "tool_use";
    case StopReason::MaxTokens: return "max_tokens";
    case StopReason::StopSequence: return "stop_sequence";
    case StopReason::ContentFilter: return "content_filter";
    case StopReason::Other: return "other";
  }
  return "?";
}

ToolCall ToolCall::from_raw(std::string id, std::string name, std::string raw_arguments) {
  ToolCall call;
  call.id = std::move(id);
  call.name = std::move(name);
  call.arguments_json = std::move(raw_arguments);
  // A model that calls a tool without arguments may send "" for "{}".
  if (call.arguments_json.find_first_not_of(" \t\r\n") == std::string::npos) {
    call.arguments = nlohmann::json::object();
  } else {
    auto parsed = nlohmann::json::parse(call.arguments_json, nullptr, false);
    call.arguments = parsed.is_object() ? std::move(parsed) : nlohmann::json(nullptr);
  }
  return call;
}

Message Message::system(std::string text) { return {Role::System, {TextPart{std::move(text)}}}; }
Message Message::user(std::string text) { return {Role::User, {TextPart{std::move(text)}}}; }
Message Message::assistant(std::string text) { return {Role::Assistant, {TextPart{std::move(text)}}}; }

Message Message::tool_result(std::string tool_call_id, std::string content, bool is_error) {
  return {Role::Tool, {ToolResult{std::move(tool_call_id), std::move(content), is_error}}};
}

std::string Message::text() const {
  std::string out;
  for (const auto& part : parts) {
    if (const auto* t = std::get_if<TextPart>(&part)) out += t->text;
  }
  return out;
}

std::vector<ToolCall> Message::tool_calls() const {
  std::vector<ToolCall> out;
  for (const auto& part : parts) {
    if (const auto* c = std::get_if<ToolCall>(&part)) out.push_back(*c);
  }
  return out;
}

std::vector<ToolResult> Message::tool_results() const {
  std::vector<ToolResult> out;
  for (const auto& part : parts) {
    if (const auto* r = std::get_if<ToolResult>(&part)) out.push_back(*r);
  }
  return out;
}

}  // namespace droid::llm
