#include "hooks/hook_output.h"

#include <cctype>
#include <stdexcept>

namespace droid::runner::hooks {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxQuoted = 200;

// Thrown while reading the JSON object, turned into a failed HookResult.
struct Malformed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string trim(std::string_view s) {
  std::size_t begin = 0;
  std::size_t end = s.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(s[begin])) != 0) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(s[end - 1])) != 0) --end;
  return std::string(s.substr(begin, end - begin));
}

// A bit of what the hook printed, for an error message.
std::string excerpt(std::string_view s) {
  std::string t = trim(s);
  if (t.size() > kMaxQuoted) {
    t.resize(kMaxQuoted);
    t += "...";
  }
  return t;
}

HookResult malformed(const std::string& why) {
  HookResult r;
  r.failed = true;
  r.error = "malformed output: " + why;
  return r;
}

// The string at `key`, if any; throws Malformed when it is not a string.
std::optional<std::string> string_field(const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) throw Malformed(std::string("\"") + key + "\" must be a string, not " + it->type_name());
  return it->get<std::string>();
}

void read_specific(Event event, const json& specific, HookResult& r) {
  if (!specific.is_object()) throw Malformed("\"hookSpecificOutput\" must be an object");
  if (auto name = string_field(specific, "hookEventName"); name && *name != event_name(event)) {
    throw Malformed("\"hookSpecificOutput.hookEventName\" is \"" + *name + "\" in a " + event_name(event) + " hook");
  }
  if (auto context = string_field(specific, "additionalContext")) r.additional_context = *context;
  if (event != Event::PreToolUse) return;  // the permission fields are PreToolUse's
  const auto reason = string_field(specific, "permissionDecisionReason");
  if (auto decision = string_field(specific, "permissionDecision")) {
    if (*decision != "allow" && *decision != "deny" && *decision != "ask") {
      throw Malformed("\"permissionDecision\" must be allow, deny or ask, not \"" + *decision + "\"");
    }
    r.permission = *decision;
    if (*decision == "deny") r.block = true;
    if (reason) r.reason = *reason;
  }
  if (const auto it = specific.find("updatedInput"); it != specific.end() && !it->is_null()) {
    if (!it->is_object()) throw Malformed("\"updatedInput\" must be an object");
    r.updated_input = *it;
  }
}

HookResult read_json(Event event, const json& out) {
  if (!out.is_object()) return malformed("expected a JSON object");
  HookResult r;
  try {
    if (const auto it = out.find("continue"); it != out.end() && !it->is_null()) {
      if (!it->is_boolean()) throw Malformed("\"continue\" must be true or false");
      r.stop = !it->get<bool>();
    }
    if (auto stop_reason = string_field(out, "stopReason"); stop_reason && r.stop) r.stop_reason = *stop_reason;
    string_field(out, "systemMessage");  // type-checked, not used
    const auto reason = string_field(out, "reason");
    if (auto decision = string_field(out, "decision")) {
      if (*decision == "block") {
        r.block = true;
        if (reason) r.reason = *reason;
        if (event == Event::PreToolUse) r.permission = "deny";  // the older PreToolUse form
      } else if (*decision == "approve") {
        if (event == Event::PreToolUse) r.permission = "allow";
      } else {
        throw Malformed("\"decision\" must be \"block\" or \"approve\", not \"" + *decision + "\"");
      }
    }
    if (const auto it = out.find("hookSpecificOutput"); it != out.end() && !it->is_null()) read_specific(event, *it, r);
  } catch (const Malformed& why) {
    return malformed(why.what());
  }
  return r;
}

}  // namespace

HookResult parse_hook_output(Event event, std::string_view out) {
  const std::string text = trim(out);
  if (text.empty()) return {};
  if (text.front() != '{') {
    HookResult r;
    if (event == Event::UserPromptSubmit || event == Event::SessionStart) r.additional_context = text;
    return r;
  }
  json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return malformed("not valid JSON: " + excerpt(text));
  return read_json(event, parsed);
}

HookResult parse_command_result(Event event, int exit_code, std::string_view out, std::string_view err) {
  if (exit_code == 0) return parse_hook_output(event, out);
  if (exit_code == 2) {
    HookResult r;
    r.block = true;
    r.reason = trim(err);
    if (event == Event::PreToolUse) r.permission = "deny";
    return r;
  }
  HookResult r;
  const std::string detail = trim(err).empty() ? "" : ": " + excerpt(err);
  if (exit_code == 126 || exit_code == 127) {
    r.failed = true;
    r.error = "could not run (exit " + std::to_string(exit_code) + ")" + detail;
  } else if (exit_code > 128) {
    r.failed = true;
    r.error = "killed by signal " + std::to_string(exit_code - 128) + detail;
  } else {
    r.error = "exit " + std::to_string(exit_code) + detail;
  }
  return r;
}

HookResult parse_http_result(Event event, int status, std::string_view body) {
  if (status < 200 || status > 299) {
    HookResult r;
    r.failed = true;
    r.error = "HTTP " + std::to_string(status) + (trim(body).empty() ? "" : ": " + excerpt(body));
    return r;
  }
  return parse_hook_output(event, body);
}

}  // namespace droid::runner::hooks
