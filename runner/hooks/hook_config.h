// The `hooks` settings object, parsed and validated once:
//   {"<Event>": [{"matcher": "REGEX", "hooks": [{"type": "command"|"http", ...}]}]}
// A command hook has "command" (run with /bin/sh -c); an http hook has "url"
// (http:// or https://) and optional "headers" (string values). Both take an
// optional "timeout" in seconds (a positive number). The matcher is an RE2
// expression matched against the whole of the event's subject (has_matcher in
// event.h): for tool events the tool name or one of its aliases
// (tool_names.h). Absent, "" or "*" match everything.
// parse_hook_config throws std::invalid_argument naming the offending path,
// e.g. "hooks.PreToolUse[0].hooks[1].timeout: must be a positive number of seconds".
#pragma once

#include <array>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "hooks/event.h"

namespace re2 {
class RE2;
}

namespace droid::runner::hooks {

enum class HookType { Command, Http };

struct HookSpec {
  HookType type = HookType::Command;
  std::string command;                         // command hooks
  std::string url;                             // http hooks
  std::map<std::string, std::string> headers;  // http hooks
  std::optional<std::chrono::milliseconds> timeout;
  std::string path;  // "hooks.PreToolUse[0].hooks[1]", to name the hook in reasons and errors

  std::string describe() const;  // path plus the command or URL, for messages
};

struct MatcherGroup {
  std::string matcher;                      // as configured
  std::shared_ptr<const re2::RE2> pattern;  // null: every tool
  std::vector<HookSpec> hooks;

  // Whether this group runs for `subject` (a tool name: or one of its aliases).
  bool matches(std::string_view subject) const;
};

struct HookConfig {
  std::array<std::vector<MatcherGroup>, kAllEvents.size()> events;

  const std::vector<MatcherGroup>& groups(Event event) const { return events.at(static_cast<std::size_t>(event)); }
  bool empty() const;
};

// `settings` is the `hooks` value (null or an object).
HookConfig parse_hook_config(const nlohmann::json& settings);

}  // namespace droid::runner::hooks
