// The OpenAI chat completions dialect (also spoken by vLLM, LiteLLM, Ollama, TGI).
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

StopReason stop_reason_of(const std::string& finish_reason) {
  if (finish_reason == "stop") return StopReason::EndTurn;
  if (finish_reason == "tool_calls" || finish_reason == "function_call") return StopReason::ToolUse;
  if (finish_reason == "length") return StopReason::MaxTokens;
  if (finish_reason == "content_filter") return StopReason::ContentFilter;
  return StopReason::Other;
}

// `arguments` is a JSON string per the API; some gateways send the object itself.
std::string raw_arguments(const json& arguments) {
  if (arguments.is_string()) return arguments.get<std::string>();
  if (arguments.is_null()) return "";
  return arguments.dump();
}

// Message content: a string, null, or (some gateways) an array of {type:text, text} parts.
std::string content_text(const json& content) {
  if (content.is_string()) return content.get<std::string>();
  std::string out;
  if (content.is_array()) {
    for (const auto& part : content) out += string_at(part, {"text"});
  }
  return out;
}

Usage usage_of(const json& body) {
  Usage u;
  if (const json* usage = find(body, {"usage"}); usage != nullptr && usage->is_object()) {
    u.input_tokens = usage->value("prompt_tokens", std::int64_t{0});
    u.output_tokens = usage->value("completion_tokens", std::int64_t{0});
  }
  return u;
}

void finish_stop_reason(Response& r) {
  // Some servers say "stop" after tool calls: the calls are what the loop acts on.
  if (!r.message.tool_calls().empty()) r.stop_reason = StopReason::ToolUse;
}

void encode_message(const Message& m, json& out) {
  switch (m.role) {
    case Role::System:
    case Role::User: {
      out.push_back({{"role", to_string(m.role)}, {"content", m.text()}});
      break;
    }
    case Role::Assistant: {
      json msg = {{"role", "assistant"}};
      const std::string text = m.text();
      msg["content"] = text.empty() ? json(nullptr) : json(text);
      json calls = json::array();
      for (const auto& call : m.tool_calls()) {
        const std::string args = call.arguments_valid() ? call.arguments.dump() : call.arguments_json;
        calls.push_back(
            {{"id", call.id}, {"type", "function"}, {"function", {{"name", call.name}, {"arguments", args}}}});
      }
      if (!calls.empty()) msg["tool_calls"] = std::move(calls);
      out.push_back(std::move(msg));
      break;
    }
    case Role::Tool: {
      // The API has no error flag: say it in the content.
      for (const auto& result : m.tool_results()) {
        out.push_back({{"role", "tool"}, {"tool_call_id", result.tool_call_id}, {"content", result.marked_content()}});
      }
      break;
    }
  }
}

class OpenAiStream : public StreamAssembler {
 public:
  void on_event(const SseEvent& event, const TextCallback& on_text) override {
    if (event.data == "[DONE]") {
      done_ = true;
      return;
    }
    auto chunk = json::parse(event.data, nullptr, false);
    if (!chunk.is_object()) throw ProtocolError("stream chunk is not a JSON object: " + event.data.substr(0, 200));
    if (const json* error = find(chunk, {"error"})) {
      const std::string type = error->is_object() ? string_at(*error, {"type"}) : "";
      const std::string message = error->is_object() ? string_at(*error, {"message"}) : error->dump();
      std::string code;  // LiteLLM: "500" (a string); others: a number or a name
      if (const json* c = error->is_object() ? find(*error, {"code"}) : nullptr) {
        code = c->is_string() ? c->get<std::string>() : (c->is_number_integer() ? c->dump() : "");
      }
      std::string what = "the gateway reported an error in the stream";
      if (!type.empty() || !code.empty()) {
        what += " (" + type + (type.empty() || code.empty() ? "" : ", ") + (code.empty() ? "" : "code " + code) + ")";
      }
      ApiError e(0, type, message, what + ": " + message);
      e.set_code(code);
      throw e;
    }
    if (std::string id = string_at(chunk, {"id"}); !id.empty()) response_.id = std::move(id);
    if (std::string model = string_at(chunk, {"model"}); !model.empty()) response_.model = std::move(model);
    if (find(chunk, {"usage"}) != nullptr) response_.usage = usage_of(chunk);
    const json* choices = find(chunk, {"choices"});
    if (choices == nullptr || !choices->is_array()) return;
    for (const auto& choice : *choices) {
      if (choice.value("index", 0) != 0) continue;  // n > 1 is never requested
      if (const json* delta = find(choice, {"delta"})) {
        if (const json* content = find(*delta, {"content"})) {
          const std::string piece = content_text(*content);
          if (!piece.empty()) {
            text_ += piece;
            if (on_text) on_text(piece);
          }
        }
        if (const json* calls = find(*delta, {"tool_calls"}); calls != nullptr && calls->is_array()) {
          for (const auto& c : *calls) add_call_delta(c);
        }
      }
      if (std::string reason = string_at(choice, {"finish_reason"}); !reason.empty()) finish_reason_ = reason;
    }
  }

  bool complete() const override { return done_ || !finish_reason_.empty(); }

  Response finish() override {
    response_.message.role = Role::Assistant;
    if (!text_.empty()) response_.message.parts.emplace_back(TextPart{text_});
    for (auto& [index, call] : calls_) {
      response_.message.parts.emplace_back(ToolCall::from_raw(call.id, call.name, call.arguments));
    }
    response_.raw_stop_reason = finish_reason_;
    response_.stop_reason = stop_reason_of(finish_reason_);
    finish_stop_reason(response_);
    return std::move(response_);
  }

 private:
  struct PartialCall {
    std::string id, name, arguments;
  };

  // Tool calls arrive keyed by index: the first fragment has id and name, later
  // ones append to the arguments text.
  void add_call_delta(const json& c) {
    const int index = c.value("index", static_cast<int>(calls_.size()));
    PartialCall& call = calls_[index];
    if (std::string id = string_at(c, {"id"}); !id.empty()) call.id = std::move(id);
    if (std::string name = string_at(c, {"function", "name"}); !name.empty() && call.name.empty()) {
      call.name = std::move(name);
    }
    if (const json* args = find(c, {"function", "arguments"})) {
      if (args->is_string()) {
        call.arguments += args->get<std::string>();
      } else {
        call.arguments = args->dump();  // a whole object at once
      }
    }
  }

  Response response_;
  std::string text_;
  std::map<int, PartialCall> calls_;
  std::string finish_reason_;
  bool done_ = false;
};

class OpenAiDialect : public Dialect {
 public:
  json encode(const Request& request, bool stream) const override {
    json body = {{"model", request.model}, {"messages", json::array()}, {"max_tokens", request.max_tokens}};
    for (const auto& m : request.messages) encode_message(m, body["messages"]);
    if (!request.tools.empty()) {
      json tools = json::array();
      for (const auto& t : request.tools) {
        tools.push_back(
            {{"type", "function"},
             {"function", {{"name", t.name}, {"description", t.description}, {"parameters", t.parameters}}}});
      }
      body["tools"] = std::move(tools);
    }
    if (request.temperature) body["temperature"] = *request.temperature;
    if (!request.reasoning_effort.empty()) body["reasoning_effort"] = request.reasoning_effort;
    if (stream) {
      body["stream"] = true;
      body["stream_options"] = {{"include_usage", true}};
    }
    if (request.extra.is_object()) body.update(request.extra);
    return body;
  }

  Response decode(const json& body) const override {
    const json* choices = find(body, {"choices"});
    if (choices == nullptr || !choices->is_array() || choices->empty() || !(*choices)[0].is_object()) {
      throw ProtocolError("the gateway's answer has no choices: " + body.dump().substr(0, 200));
    }
    const json& choice = (*choices)[0];
    Response r;
    r.id = string_at(body, {"id"});
    r.model = string_at(body, {"model"});
    r.usage = usage_of(body);
    r.message.role = Role::Assistant;
    if (const json* msg = find(choice, {"message"})) {
      if (const json* content = find(*msg, {"content"})) {
        if (std::string text = content_text(*content); !text.empty()) r.message.parts.emplace_back(TextPart{text});
      }
      if (const json* calls = find(*msg, {"tool_calls"}); calls != nullptr && calls->is_array()) {
        for (const auto& c : *calls) {
          const json* args = find(c, {"function", "arguments"});
          r.message.parts.emplace_back(ToolCall::from_raw(string_at(c, {"id"}), string_at(c, {"function", "name"}),
                                                          args != nullptr ? raw_arguments(*args) : ""));
        }
      }
    }
    r.raw_stop_reason = string_at(choice, {"finish_reason"});
    r.stop_reason = stop_reason_of(r.raw_stop_reason);
    finish_stop_reason(r);
    return r;
  }

  std::unique_ptr<StreamAssembler> stream_assembler() const override { return std::make_unique<OpenAiStream>(); }

  GatewayError parse_error(const std::string& body) const override {
    auto doc = json::parse(body, nullptr, false);
    if (const json* error = find(doc, {"error"})) {
      if (error->is_string()) return {"", error->get<std::string>()};
      return {string_at(*error, {"type"}), string_at(*error, {"message"})};
    }
    if (const json* detail = find(doc, {"detail"})) {  // FastAPI servers (vLLM)
      return {"", detail->is_string() ? detail->get<std::string>() : detail->dump()};
    }
    if (std::string message = string_at(doc, {"message"}); !message.empty()) return {"", message};
    return {"", body.substr(0, 300)};
  }
};

}  // namespace

std::unique_ptr<Dialect> make_openai_dialect() { return std::make_unique<OpenAiDialect>(); }

}  // namespace droid::llm
