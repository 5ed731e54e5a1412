#include "audit_text.h"

#include <ctime>
#include <nlohmann/json.hpp>

namespace droid::kubectl {
namespace {

using json = nlohmann::json;

std::string str(const json& o, const char* key) {
  const auto it = o.find(key);
  if (it == o.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

long long num(const json& o, const char* key, long long fallback = -1) {
  const auto it = o.find(key);
  return it != o.end() && it->is_number() ? it->get<long long>() : fallback;
}

std::string first_reason(const json& e) {
  const auto it = e.find("reasons");
  if (it == e.end() || !it->is_array() || it->empty() || !it->front().is_string()) return "";
  return it->front().get<std::string>();
}

// "a, b, c" of an array of strings.
std::string joined(const json& e, const char* key) {
  const auto it = e.find(key);
  if (it == e.end() || !it->is_array()) return "";
  std::string out;
  for (const auto& v : *it) {
    if (!out.empty()) out += ", ";
    out += v.is_string() ? v.get<std::string>() : v.dump();
  }
  return out;
}

std::string padded(std::string word) {
  if (word.size() < 8) word.resize(8, ' ');
  return word + " ";
}

// What a tool call touched and how it went, from its result (varies by tool).
std::string tool_outcome(const json& e) {
  const json result = e.value("result", json::object());
  std::string out = str(e, "command");
  if (out.empty()) out = str(result, "path");
  if (out.empty()) out = str(result, "pattern");
  if (result.contains("exit_code")) {
    out += " -> ";
    if (result.value("timed_out", false))
      out += "timed out";
    else if (num(result, "term_signal", 0) != 0)
      out += "killed by signal " + std::to_string(num(result, "term_signal"));
    else
      out += "exit " + std::to_string(num(result, "exit_code"));
    if (num(result, "elapsed_ms") >= 0) out += " (" + std::to_string(num(result, "elapsed_ms")) + " ms)";
  } else if (result.contains("replacements")) {
    out += " (" + std::to_string(num(result, "replacements")) + " replacement" +
           (num(result, "replacements") == 1 ? "" : "s") + ")";
  } else if (result.contains("lines")) {
    out += " (" + std::to_string(num(result, "lines")) + " lines)";
  } else if (result.contains("bytes")) {
    out += " (" + std::to_string(num(result, "bytes")) + " bytes)";
  }
  if (e.value("is_error", false) && !result.contains("exit_code")) out += " [error]";
  return out;
}

std::string tool_call(const json& e) {
  const std::string action = str(e, "action");
  const std::string tool = padded(str(e, "tool"));
  if (action == "run" || action.empty()) return tool + tool_outcome(e);
  const std::string subject = str(e, "command").empty() ? tool_outcome(e) : str(e, "command");
  const std::string by = str(e, "blocked_by");
  std::string verdict;
  if (action == "refuse") {
    const std::string decision = str(e, "decision");
    verdict = decision == "block" ? "BLOCKED" : decision == "ask" ? "REFUSED (needs approval)" : "DENIED";
  } else if (action == "await-approval") {
    verdict = "NEEDS APPROVAL";
  } else if (action == "stop") {
    verdict = "STOPPED";
  } else {
    verdict = action;
  }
  std::string out = tool + verdict + (by.empty() ? "" : " by " + by) + ": " + subject;
  const std::string why = first_reason(e);
  if (!why.empty()) out += " (" + why + ")";
  return out;
}

std::string render(const json& e) {
  const std::string event = str(e, "event");
  if (event == "session_start")
    return padded("start") + str(e, "session") + ": model " + str(e, "model") + ", autonomy " + str(e, "autonomy");
  if (event == "llm_call") {
    std::string out = padded("llm") + std::to_string(num(e, "input_tokens", 0)) + " in / " +
                      std::to_string(num(e, "output_tokens", 0)) + " out tokens, " +
                      std::to_string(num(e, "tool_calls", 0)) + " tool call" +
                      (num(e, "tool_calls", 0) == 1 ? "" : "s");
    if (num(e, "ms") >= 0) out += " (" + std::to_string(num(e, "ms")) + " ms)";
    if (num(e, "attempts", 1) > 1) out += ", " + std::to_string(num(e, "attempts")) + " attempts";
    if (!str(e, "error").empty()) out += ": " + str(e, "error");
    return out;
  }
  if (event == "tool_call") return tool_call(e);
  if (event == "session_end") {
    std::string out = padded("end") + str(e, "outcome") + " (" + str(e, "reason") + ")";
    if (!str(e, "message").empty()) out += ": " + str(e, "message");
    out += "; " + std::to_string(num(e, "turns", 0)) + " turns, " + std::to_string(num(e, "tool_calls", 0)) +
           " tool calls, " + std::to_string(num(e, "commands_blocked", 0)) + " blocked";
    return out;
  }
  if (event == "push") {
    const std::string action = str(e, "action");
    return padded("push") + str(e, "command") + (action == "run" ? "" : " -> " + action + ": " + first_reason(e));
  }
  if (event == "pushed") return padded("pushed") + str(e, "branch") + " at " + str(e, "commit").substr(0, 12);
  if (event == "shield")
    return padded("shield") + "secret in the " + str(e, "what") + " (" + joined(e, "rules") + ")" +
           (e.value("blocked", false) ? ": blocked" : ": redacted");
  if (event == "hook") {
    std::string out = padded("hook") + str(e, "hook_event");
    if (e.value("block", false)) out += ": blocked";
    if (!str(e, "reason").empty()) out += " (" + str(e, "reason") + ")";
    return out;
  }
  // Any other event: its name and its fields, compact.
  json rest = e;
  for (const char* k : {"ts", "type", "session", "seq", "event"}) rest.erase(k);
  return padded(event) + rest.dump();
}

}  // namespace

std::string audit_line_text(std::string_view line) {
  if (line.empty() || line.front() != '{') return std::string(line);
  const json e = json::parse(line, nullptr, false);
  if (!e.is_object() || e.value("type", "") != "audit" || !e.contains("event") || !e["event"].is_string())
    return std::string(line);
  const std::string ts = str(e, "ts");
  const std::string clock = ts.size() >= 19 ? "[" + ts.substr(11, 8) + "] " : "";
  return clock + render(e);
}

std::optional<std::chrono::system_clock::time_point> log_line_time(std::string_view line) {
  if (line.empty() || line.front() != '{') return std::nullopt;
  const json e = json::parse(line, nullptr, false);
  if (!e.is_object()) return std::nullopt;
  const std::string ts = str(e, "ts");
  // 2026-11-22T13:38:59.834Z
  std::tm tm{};
  if (ts.size() < 20 || ts.back() != 'Z' || strptime(ts.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) != ts.c_str() + 19)
    return std::nullopt;
  std::chrono::nanoseconds fraction{0};
  if (ts[19] == '.') {
    long long scale = 100'000'000;
    for (std::size_t i = 20; i + 1 < ts.size() && scale > 0; ++i, scale /= 10) {
      if (ts[i] < '0' || ts[i] > '9') return std::nullopt;
      fraction += std::chrono::nanoseconds((ts[i] - '0') * scale);
    }
  } else if (ts.size() != 20) {
    return std::nullopt;
  }
  return std::chrono::system_clock::from_time_t(timegm(&tm)) +
         std::chrono::duration_cast<std::chrono::system_clock::duration>(fraction);
}

std::vector<LogLine> AuditText::feed_lines(std::string_view bytes, bool raw) {
  partial_.append(bytes);
  std::vector<LogLine> out;
  std::size_t start = 0;
  for (std::size_t nl = partial_.find('\n'); nl != std::string::npos; nl = partial_.find('\n', start)) {
    std::string_view line(partial_.data() + start, nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.push_back({(raw ? std::string(line) : audit_line_text(line)) + "\n", log_line_time(line)});
    start = nl + 1;
  }
  partial_.erase(0, start);
  // A line that never ends (a tool printing without newlines) is passed on as it is.
  if (partial_.size() > kMaxLine) {
    out.push_back({partial_, std::nullopt});
    partial_.clear();
  }
  return out;
}

std::string AuditText::feed(std::string_view bytes) {
  std::string out;
  for (auto& line : feed_lines(bytes)) out += line.text;
  return out;
}

std::string AuditText::flush(bool raw) {
  if (partial_.empty()) return "";
  std::string out = (raw ? partial_ : audit_line_text(partial_)) + "\n";
  partial_.clear();
  return out;
}

}  // namespace droid::kubectl
