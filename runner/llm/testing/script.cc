#include "llm/testing/script.h"

#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace droid::llm::testing {
namespace {

using nlohmann::json;

std::string str(const json& o, const char* key, const std::string& fallback = "") {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) return fallback;
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number()) return it->dump();
  throw std::invalid_argument(std::string(key) + " must be a string");
}

template <typename T>
T num(const json& o, const char* key, T fallback) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) return fallback;
  if (!it->is_number()) throw std::invalid_argument(std::string(key) + " must be a number");
  return it->get<T>();
}

bool flag(const json& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) return false;
  if (!it->is_boolean()) throw std::invalid_argument(std::string(key) + " must be true or false");
  return it->get<bool>();
}

Api parse_api(const std::string& s) {
  if (s == "openai") return Api::OpenAI;
  if (s == "anthropic") return Api::Anthropic;
  throw std::invalid_argument("api must be openai or anthropic, not \"" + s + "\"");
}

ScriptedResponse parse_response(const json& o) {
  if (!o.is_object()) throw std::invalid_argument("response must be an object");
  ScriptedResponse r;
  r.text = str(o, "text");
  if (auto it = o.find("toolCalls"); it != o.end()) {
    if (!it->is_array()) throw std::invalid_argument("toolCalls must be an array");
    int n = 0;
    for (const auto& c : *it) {
      ScriptedToolCall call;
      call.name = str(c, "name");
      if (call.name.empty()) throw std::invalid_argument("toolCalls[" + std::to_string(n) + "].name is required");
      call.id = str(c, "id", "call_" + std::to_string(n + 1));
      call.arguments = c.value("arguments", json::object());
      r.tool_calls.push_back(std::move(call));
      ++n;
    }
  }
  r.stop_reason = str(o, "stopReason");
  if (auto it = o.find("usage"); it != o.end()) {
    r.input_tokens = num<std::int64_t>(*it, "inputTokens", r.input_tokens);
    r.output_tokens = num<std::int64_t>(*it, "outputTokens", r.output_tokens);
  }
  r.chunk_size = num<std::size_t>(o, "chunkSize", r.chunk_size);
  if (r.chunk_size == 0) throw std::invalid_argument("chunkSize must be at least 1");
  r.chunk_delay_ms = num<int>(o, "chunkDelayMs", 0);
  r.split_events = flag(o, "splitEvents");
  r.arguments_as_object = flag(o, "argumentsAsObject");
  if (o.contains("argumentsRaw")) r.arguments_raw = str(o, "argumentsRaw");
  r.malformed = flag(o, "malformed");
  r.ignore_stream = flag(o, "ignoreStream");
  if (auto it = o.find("streamError"); it != o.end()) {
    r.stream_error_after = num<int>(*it, "afterEvents", 0);
    r.stream_error_type = str(*it, "type", r.stream_error_type);
    r.stream_error_message = str(*it, "message", r.stream_error_message);
    r.stream_error_code = str(*it, "code", "");
  }
  if (o.contains("truncateAfterEvents")) r.truncate_after = num<int>(o, "truncateAfterEvents", 0);
  return r;
}

std::string arguments_text(const ScriptedResponse& r, const ScriptedToolCall& c) {
  return r.arguments_raw ? *r.arguments_raw : c.arguments.dump();
}

std::vector<std::string> fragments(const std::string& s, std::size_t size) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < s.size(); i += size) out.push_back(s.substr(i, size));
  return out;
}

std::string stop_reason(Api api, const ScriptedResponse& r) {
  std::string reason = r.stop_reason.empty() ? (r.tool_calls.empty() ? "end_turn" : "tool_use") : r.stop_reason;
  if (api == Api::Anthropic) return reason;
  if (reason == "end_turn" || reason == "stop_sequence") return "stop";
  if (reason == "tool_use") return "tool_calls";
  if (reason == "max_tokens") return "length";
  return reason;
}

std::string sse(const std::string& event, const json& data) {
  std::string out;
  if (!event.empty()) out += "event: " + event + "\n";
  return out + "data: " + data.dump() + "\n\n";
}

std::string text_of_content(const json& content) {
  if (content.is_string()) return content.get<std::string>();
  std::string out;
  if (!content.is_array()) return out;
  for (const auto& part : content) {
    if (!part.is_object()) continue;
    if (part.value("type", "") == "tool_result") {
      out += text_of_content(part.value("content", json()));
    } else if (part.contains("text") && part["text"].is_string()) {
      out += part["text"].get<std::string>();
    }
  }
  return out;
}

std::string validate_openai(const json& body) {
  std::set<std::string> call_ids;
  for (const auto& m : body["messages"]) {
    if (!m.is_object() || !m.contains("role")) return "every message needs a role";
    const std::string role = m.value("role", "");
    if (role == "assistant" && m.contains("tool_calls")) {
      for (const auto& c : m["tool_calls"]) {
        if (!c.contains("function") || !c["function"].contains("arguments") ||
            !c["function"]["arguments"].is_string()) {
          return "tool_calls[].function.arguments must be a string";
        }
        call_ids.insert(c.value("id", ""));
      }
    }
    if (role == "tool" && call_ids.count(m.value("tool_call_id", "")) == 0) {
      return "a tool message must answer an earlier tool call (tool_call_id \"" + m.value("tool_call_id", "") + "\")";
    }
  }
  return "";
}

std::string validate_anthropic(const json& body) {
  if (!body.contains("max_tokens") || !body["max_tokens"].is_number_integer()) return "max_tokens: Field required";
  std::string previous_role;
  std::set<std::string> last_tool_uses;
  for (const auto& m : body["messages"]) {
    const std::string role = m.value("role", "");
    if (role != "user" && role != "assistant") return "messages: roles must be user or assistant";
    if (role == previous_role) return "messages: roles must alternate between user and assistant";
    if (previous_role.empty() && role != "user") return "messages: the first message must use the user role";
    std::set<std::string> tool_uses;
    if (m.contains("content") && m["content"].is_array()) {
      for (const auto& block : m["content"]) {
        const std::string type = block.value("type", "");
        if (type == "text" && block.value("text", "").empty()) return "messages: text content blocks must be non-empty";
        if (type == "tool_use") {
          if (!block.contains("input") || !block["input"].is_object()) return "tool_use.input must be an object";
          tool_uses.insert(block.value("id", ""));
        }
        if (type == "tool_result" && last_tool_uses.count(block.value("tool_use_id", "")) == 0) {
          return "tool_result block(s) provided when previous message does not have a matching tool_use (\"" +
                 block.value("tool_use_id", "") + "\")";
        }
      }
    }
    last_tool_uses = std::move(tool_uses);
    previous_role = role;
  }
  return "";
}

}  // namespace

const char* to_string(Api api) { return api == Api::OpenAI ? "openai" : "anthropic"; }

Script parse_script(const json& doc) {
  if (!doc.is_object() || !doc.contains("turns") || !doc["turns"].is_array()) {
    throw std::invalid_argument("a script is an object with a \"turns\" array");
  }
  Script script;
  int i = 0;
  for (const auto& t : doc["turns"]) {
    const std::string where = "turns[" + std::to_string(i++) + "]";
    try {
      if (!t.is_object()) throw std::invalid_argument("must be an object");
      Turn turn;
      turn.name = str(t, "name", where);
      if (auto m = t.find("match"); m != t.end()) {
        turn.last_message_contains = str(*m, "lastMessageContains");
        turn.model = str(*m, "model");
        if (std::string api = str(*m, "api"); !api.empty()) turn.api = parse_api(api);
      }
      if (auto f = t.find("failures"); f != t.end()) {
        for (const auto& x : *f) {
          Failure failure;
          failure.status = num<int>(x, "status", 500);
          failure.retry_after = str(x, "retryAfter");
          failure.retry_after_ms = str(x, "retryAfterMs");
          failure.type = str(x, "type", failure.type);
          failure.message = str(x, "message", failure.message);
          if (x.contains("body")) failure.body = str(x, "body");
          if (auto h = x.find("headers"); h != x.end()) {
            if (!h->is_object()) throw std::invalid_argument("failures[].headers must be an object of strings");
            for (const auto& [name, value] : h->items()) {
              if (!value.is_string()) throw std::invalid_argument("failures[].headers." + name + " must be a string");
              failure.headers.emplace_back(name, value.get<std::string>());
            }
          }
          turn.failures.push_back(std::move(failure));
        }
      }
      turn.delay_ms = num<int>(t, "delayMs", 0);
      turn.repeat = flag(t, "repeat");
      turn.response = parse_response(t.value("response", json::object()));
      script.turns.push_back(std::move(turn));
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(where + ": " + e.what());
    } catch (const json::exception& e) {
      throw std::invalid_argument(where + ": " + e.what());
    }
  }
  return script;
}

Script load_script(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument("script " + path + " cannot be read");
  std::stringstream s;
  s << in.rdbuf();
  auto doc = json::parse(s.str(), nullptr, false);
  if (doc.is_discarded()) throw std::invalid_argument("script " + path + " is not JSON");
  return parse_script(doc);
}

std::string last_message_text(Api api, const json& body) {
  (void)api;  // both APIs keep the conversation in "messages" with string or array content
  if (!body.contains("messages") || !body["messages"].is_array() || body["messages"].empty()) return "";
  // Everything after the model's last turn: OpenAI sends one tool message per
  // result, Anthropic one user message with all of them.
  std::string out;
  const json& messages = body["messages"];
  std::size_t first = messages.size();
  while (first > 0 && messages[first - 1].is_object() && messages[first - 1].value("role", "") != "assistant") --first;
  for (std::size_t i = first; i < messages.size(); ++i) {
    if (!out.empty()) out += "\n";
    out += text_of_content(messages[i].value("content", json()));
  }
  return out;
}

bool matches(const Turn& turn, Api api, const json& body) {
  if (turn.api && *turn.api != api) return false;
  if (!turn.model.empty() && body.value("model", "") != turn.model) return false;
  if (!turn.last_message_contains.empty() &&
      last_message_text(api, body).find(turn.last_message_contains) == std::string::npos) {
    return false;
  }
  return true;
}

std::string validate_request(Api api, const json& body) {
  if (!body.is_object()) return "the body must be a JSON object";
  if (!body.contains("model") || !body["model"].is_string() || body["model"].get<std::string>().empty()) {
    return "model: Field required";
  }
  if (!body.contains("messages") || !body["messages"].is_array() || body["messages"].empty()) {
    return "messages: at least one message is required";
  }
  return api == Api::OpenAI ? validate_openai(body) : validate_anthropic(body);
}

json error_body(Api api, const std::string& type, const std::string& message) {
  if (api == Api::Anthropic) return {{"type", "error"}, {"error", {{"type", type}, {"message", message}}}};
  return {{"error", {{"message", message}, {"type", type}, {"param", nullptr}, {"code", nullptr}}}};
}

json response_body(Api api, const ScriptedResponse& r, const std::string& model, int seq) {
  if (api == Api::Anthropic) {
    json content = json::array();
    if (!r.text.empty()) content.push_back({{"type", "text"}, {"text", r.text}});
    for (const auto& c : r.tool_calls) {
      json input = r.arguments_raw ? json::parse(*r.arguments_raw, nullptr, false) : c.arguments;
      if (input.is_discarded()) input = *r.arguments_raw;  // deliberately not an object
      content.push_back({{"type", "tool_use"}, {"id", c.id}, {"name", c.name}, {"input", input}});
    }
    return {{"id", "msg_" + std::to_string(seq)},
            {"type", "message"},
            {"role", "assistant"},
            {"model", model},
            {"content", content},
            {"stop_reason", stop_reason(api, r)},
            {"stop_sequence", nullptr},
            {"usage", {{"input_tokens", r.input_tokens}, {"output_tokens", r.output_tokens}}}};
  }
  json message = {{"role", "assistant"}, {"content", r.text.empty() ? json(nullptr) : json(r.text)}};
  if (!r.tool_calls.empty()) {
    json calls = json::array();
    for (const auto& c : r.tool_calls) {
      json args = r.arguments_as_object && !r.arguments_raw ? c.arguments : json(arguments_text(r, c));
      calls.push_back({{"id", c.id}, {"type", "function"}, {"function", {{"name", c.name}, {"arguments", args}}}});
    }
    message["tool_calls"] = calls;
  }
  return {{"id", "chatcmpl-" + std::to_string(seq)},
          {"object", "chat.completion"},
          {"created", 1700000000},
          {"model", model},
          {"choices", {{{"index", 0}, {"message", message}, {"finish_reason", stop_reason(api, r)}}}},
          {"usage",
           {{"prompt_tokens", r.input_tokens},
            {"completion_tokens", r.output_tokens},
            {"total_tokens", r.input_tokens + r.output_tokens}}}};
}

std::vector<std::string> stream_events(Api api, const ScriptedResponse& r, const std::string& model, int seq) {
  std::vector<std::string> events;
  std::string terminal;
  if (api == Api::Anthropic) {
    events.push_back(sse("message_start", {{"type", "message_start"},
                                           {"message",
                                            {{"id", "msg_" + std::to_string(seq)},
                                             {"type", "message"},
                                             {"role", "assistant"},
                                             {"model", model},
                                             {"content", json::array()},
                                             {"stop_reason", nullptr},
                                             {"usage", {{"input_tokens", r.input_tokens}, {"output_tokens", 1}}}}}}));
    events.push_back(sse("ping", {{"type", "ping"}}));
    int index = 0;
    if (!r.text.empty()) {
      events.push_back(sse(
          "content_block_start",
          {{"type", "content_block_start"}, {"index", index}, {"content_block", {{"type", "text"}, {"text", ""}}}}));
      for (const auto& piece : fragments(r.text, r.chunk_size)) {
        events.push_back(sse(
            "content_block_delta",
            {{"type", "content_block_delta"}, {"index", index}, {"delta", {{"type", "text_delta"}, {"text", piece}}}}));
      }
      events.push_back(sse("content_block_stop", {{"type", "content_block_stop"}, {"index", index}}));
      ++index;
    }
    for (const auto& c : r.tool_calls) {
      events.push_back(
          sse("content_block_start",
              {{"type", "content_block_start"},
               {"index", index},
               {"content_block", {{"type", "tool_use"}, {"id", c.id}, {"name", c.name}, {"input", json::object()}}}}));
      for (const auto& piece : fragments(arguments_text(r, c), r.chunk_size)) {
        events.push_back(
            sse("content_block_delta", {{"type", "content_block_delta"},
                                        {"index", index},
                                        {"delta", {{"type", "input_json_delta"}, {"partial_json", piece}}}}));
      }
      events.push_back(sse("content_block_stop", {{"type", "content_block_stop"}, {"index", index}}));
      ++index;
    }
    events.push_back(
        sse("message_delta", {{"type", "message_delta"},
                              {"delta", {{"stop_reason", stop_reason(api, r)}, {"stop_sequence", nullptr}}},
                              {"usage", {{"output_tokens", r.output_tokens}}}}));
    terminal = sse("message_stop", {{"type", "message_stop"}});
  } else {
    const json base = {{"id", "chatcmpl-" + std::to_string(seq)},
                       {"object", "chat.completion.chunk"},
                       {"created", 1700000000},
                       {"model", model}};
    auto chunk = [&](const json& delta, const json& finish) {
      json c = base;
      c["choices"] = {{{"index", 0}, {"delta", delta}, {"finish_reason", finish}}};
      return sse("", c);
    };
    events.push_back(chunk({{"role", "assistant"}, {"content", ""}}, nullptr));
    for (const auto& piece : fragments(r.text, r.chunk_size)) events.push_back(chunk({{"content", piece}}, nullptr));
    int index = 0;
    for (const auto& c : r.tool_calls) {
      events.push_back(chunk({{"tool_calls",
                               {{{"index", index},
                                 {"id", c.id},
                                 {"type", "function"},
                                 {"function", {{"name", c.name}, {"arguments", ""}}}}}}},
                             nullptr));
      for (const auto& piece : fragments(arguments_text(r, c), r.chunk_size)) {
        events.push_back(chunk({{"tool_calls", {{{"index", index}, {"function", {{"arguments", piece}}}}}}}, nullptr));
      }
      ++index;
    }
    events.push_back(chunk(json::object(), stop_reason(api, r)));
    json usage = base;
    usage["choices"] = json::array();
    usage["usage"] = {{"prompt_tokens", r.input_tokens},
                      {"completion_tokens", r.output_tokens},
                      {"total_tokens", r.input_tokens + r.output_tokens}};
    events.push_back(sse("", usage));
    terminal = "data: [DONE]\n\n";
  }
  if (r.stream_error_after) {
    events.resize(std::min<std::size_t>(events.size(), static_cast<std::size_t>(*r.stream_error_after)));
    json error = error_body(api, r.stream_error_type, r.stream_error_message);
    if (api == Api::OpenAI && !r.stream_error_code.empty()) error["error"]["code"] = r.stream_error_code;
    events.push_back(sse(api == Api::Anthropic ? "error" : "", error));
    if (api == Api::OpenAI && !r.stream_error_code.empty()) events.emplace_back("data: [DONE]\n\n");
    return events;
  }
  if (r.truncate_after) {
    events.resize(std::min<std::size_t>(events.size(), static_cast<std::size_t>(*r.truncate_after)));
    return events;
  }
  events.push_back(terminal);
  return events;
}

}  // namespace droid::llm::testing
