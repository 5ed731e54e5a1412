// The Anthropic messages dialect.
#include <map>
#include <utility>

#include "jsonutil/lookup.h"
#include "llm/dialect.h"
#include "llm/error.h"

namespace droid::llm {
namespace {

using jsonutil::find;
using jsonutil::string_at;
using nlohmann::json;

StopReason stop_reason_of(const std::string& reason) {
  if (reason == "end_turn") return StopReason::EndTurn;
  if (reason == "tool_use") return StopReason::ToolUse;
  if (reason == "max_tokens") return StopReason::MaxTokens;
  if (reason == "stop_sequence") return StopReason::StopSequence;
  if (reason == "refusal") return StopReason::ContentFilter;
  return StopReason::Other;
}

// Cached prompt tokens are reported apart from input_tokens; all of them were input.
std::int64_t input_tokens_of(const json& usage) {
  return usage.value("input_tokens", std::int64_t{0}) + usage.value("cache_creation_input_tokens", std::int64_t{0}) +
         usage.value("cache_read_input_tokens", std::int64_t{0});
}

json blocks_of(const Message& m) {
  json blocks = json::array();
  for (const auto& part : m.parts) {
    if (const auto* t = std::get_if<TextPart>(&part)) {
      if (!t->text.empty()) blocks.push_back({{"type", "text"}, {"text", t->text}});
    } else if (const auto* c = std::get_if<ToolCall>(&part)) {
      blocks.push_back({{"type", "tool_use"},
                        {"id", c->id},
                        {"name", c->name},
                        {"input", c->arguments_valid() ? c->arguments : json::object()}});
    } else if (const auto* r = std::get_if<ToolResult>(&part)) {
      json block = {{"type", "tool_result"}, {"tool_use_id", r->tool_call_id}, {"content", r->marked_content()}};
      if (r->is_error) block["is_error"] = true;
      blocks.push_back(std::move(block));
    }
  }
  return blocks;
}

class AnthropicStream : public StreamAssembler {
 public:
  void on_event(const SseEvent& event, const TextCallback& on_text) override {
    auto data = json::parse(event.data, nullptr, false);
    if (!data.is_object()) throw ProtocolError("stream event is not a JSON object: " + event.data.substr(0, 200));
    const std::string type = data.value("type", event.event);
    if (type == "message_start") {
      const json* message = find(data, {"message"});
      if (message == nullptr) throw ProtocolError("message_start without a message");
      response_.id = string_at(*message, {"id"});
      response_.model = string_at(*message, {"model"});
      if (const json* usage = find(*message, {"usage"})) {
        response_.usage.input_tokens = input_tokens_of(*usage);
        response_.usage.output_tokens = usage->value("output_tokens", std::int64_t{0});
      }
    } else if (type == "content_block_start") {
      const int index = data.value("index", static_cast<int>(blocks_.size()));
      const json* block = find(data, {"content_block"});
      if (block == nullptr) throw ProtocolError("content_block_start without a content_block");
      Block& b = blocks_[index];
      b.type = string_at(*block, {"type"});
      b.id = string_at(*block, {"id"});
      b.name = string_at(*block, {"name"});
      b.text = string_at(*block, {"text"});
      if (const json* input = find(*block, {"input"}); input != nullptr && input->is_object() && !input->empty()) {
        b.start_input = input->dump();
      }
      if (!b.text.empty() && on_text) on_text(b.text);
    } else if (type == "content_block_delta") {
      const int index = data.value("index", 0);
      auto it = blocks_.find(index);
      if (it == blocks_.end())
        throw ProtocolError("content_block_delta for block " + std::to_string(index) + " that never started");
      const std::string delta_type = string_at(data, {"delta", "type"});
      if (delta_type == "text_delta") {
        const std::string piece = string_at(data, {"delta", "text"});
        it->second.text += piece;
        if (!piece.empty() && on_text) on_text(piece);
      } else if (delta_type == "input_json_delta") {
        it->second.json += string_at(data, {"delta", "partial_json"});
      }
      // thinking_delta and signature_delta: reasoning the loop does not replay.
    } else if (type == "message_delta") {
      if (std::string reason = string_at(data, {"delta", "stop_reason"}); !reason.empty()) stop_reason_ = reason;
      if (const json* usage = find(data, {"usage"})) {
        // Cumulative counts: the latest value replaces the earlier one.
        if (usage->contains("output_tokens"))
          response_.usage.output_tokens = usage->value("output_tokens", std::int64_t{0});
        if (usage->contains("input_tokens")) response_.usage.input_tokens = input_tokens_of(*usage);
      }
    } else if (type == "message_stop") {
      done_ = true;
    } else if (type == "error") {
      const std::string error_type = string_at(data, {"error", "type"});
      const std::string message = string_at(data, {"error", "message"});
      throw ApiError(0, error_type, message, "the gateway reported " + error_type + " in the stream: " + message);
    }
    // ping, content_block_stop and unknown events carry nothing to keep.
  }

  bool complete() const override { return done_; }

  Response finish() override {
    response_.message.role = Role::Assistant;
    for (auto& [index, b] : blocks_) {
      if (b.type == "text") {
        if (!b.text.empty()) response_.message.parts.emplace_back(TextPart{b.text});
      } else if (b.type == "tool_use") {
        response_.message.parts.emplace_back(ToolCall::from_raw(b.id, b.name, b.json.empty() ? b.start_input : b.json));
      }
    }
    response_.raw_stop_reason = stop_reason_;
    response_.stop_reason = stop_reason_of(stop_reason_);
    return std::move(response_);
  }

 private:
  struct Block {
    std::string type, id, name, text, json, start_input;
  };
  Response response_;
  std::map<int, Block> blocks_;
  std::string stop_reason_;
  bool done_ = false;
};

class AnthropicDialect : public Dialect {
 public:
  json encode(const Request& request, bool stream) const override {
    json body = {{"model", request.model}, {"max_tokens", request.max_tokens}};
    std::string system;
    json messages = json::array();
    for (const auto& m : request.messages) {
      if (m.role == Role::System) {
        if (!system.empty()) system += "\n\n";
        system += m.text();
        continue;
      }
      // Tool results travel in user messages; consecutive messages of one role merge
      // (the API wants user and assistant turns to alternate).
      const char* role = m.role == Role::Assistant ? "assistant" : "user";
      json blocks = blocks_of(m);
      if (!messages.empty() && messages.back()["role"] == role) {
        for (auto& b : blocks) messages.back()["content"].push_back(std::move(b));
      } else {
        messages.push_back({{"role", role}, {"content", std::move(blocks)}});
      }
    }
    if (!system.empty()) body["system"] = system;
    body["messages"] = std::move(messages);
    if (!request.tools.empty()) {
      json tools = json::array();
      for (const auto& t : request.tools) {
        tools.push_back({{"name", t.name}, {"description", t.description}, {"input_schema", t.parameters}});
      }
      body["tools"] = std::move(tools);
    }
    if (request.temperature) body["temperature"] = *request.temperature;
    if (stream) body["stream"] = true;
    if (request.extra.is_object()) body.update(request.extra);
    return body;
  }

  Response decode(const json& body) const override {
    const json* content = find(body, {"content"});
    if (string_at(body, {"type"}) != "message" || content == nullptr || !content->is_array()) {
      throw ProtocolError("the gateway's answer is not a message: " + body.dump().substr(0, 200));
    }
    Response r;
    r.id = string_at(body, {"id"});
    r.model = string_at(body, {"model"});
    r.message.role = Role::Assistant;
    for (const auto& block : *content) {
      const std::string type = string_at(block, {"type"});
      if (type == "text") {
        r.message.parts.emplace_back(TextPart{string_at(block, {"text"})});
      } else if (type == "tool_use") {
        const json* input = find(block, {"input"});
        r.message.parts.emplace_back(ToolCall::from_raw(string_at(block, {"id"}), string_at(block, {"name"}),
                                                        input != nullptr ? input->dump() : ""));
      }
    }
    if (const json* usage = find(body, {"usage"})) {
      r.usage.input_tokens = input_tokens_of(*usage);
      r.usage.output_tokens = usage->value("output_tokens", std::int64_t{0});
    }
    r.raw_stop_reason = string_at(body, {"stop_reason"});
    r.stop_reason = stop_reason_of(r.raw_stop_reason);
    return r;
  }

  std::unique_ptr<StreamAssembler> stream_assembler() const override { return std::make_unique<AnthropicStream>(); }

  GatewayError parse_error(const std::string& body) const override {
    auto doc = json::parse(body, nullptr, false);
    if (const json* error = find(doc, {"error"})) {
      if (error->is_string()) return {"", error->get<std::string>()};
      return {string_at(*error, {"type"}), string_at(*error, {"message"})};
    }
    if (std::string message = string_at(doc, {"message"}); !message.empty()) return {"", message};
    return {"", body.substr(0, 300)};
  }
};

}  // namespace

std::unique_ptr<Dialect> make_anthropic_dialect() { return std::make_unique<AnthropicDialect>(); }

}  // namespace droid::llm
