// Hooks (SPEC §6.4), compatible with Factory's and Claude Code's protocol.
//
// Settings (the merged `hooks` object):
//   {"PreToolUse": [{"matcher": "shell|Bash", "hooks": [
//       {"type": "command", "command": "./check.sh", "timeout": 30},
//       {"type": "http", "url": "https://dlp.corp:8443/hook", "timeout": 5, "headers": {...}}]}],
//    "PostToolUse": [...], "UserPromptSubmit": [...], "SessionStart": [...], "Stop": [...], "SessionEnd": [...]}
// `matcher` (tool events only) is a regular expression matched against the
// whole tool name, ours (shell, read, write, edit, list, glob, grep) or its
// Claude Code / Factory alias (Bash/Execute, Read, Write/Create, Edit/MultiEdit,
// LS, Glob, Grep); empty or "*" matches every tool.
// Each hook gets the event's JSON on stdin (command) or as the POST body (http):
//   {"session_id", "cwd", "hook_event_name", "tool_name", "tool_input", "tool_response", "prompt", ...}
// with the tool's Claude Code name and keys ("Bash", {"command"}; "Write",
// {"file_path", "content"}...; tool_input.h has the mapping); an updatedInput
// is mapped back, so callers pass and get our tools' names and arguments.
// Command hooks run in the tool sandbox with the workspace as cwd. Exit 0: stdout
// may be JSON (below); exit 2: block, stderr is the reason; other exit codes:
// a non-blocking error. JSON output: {"continue": false, "stopReason"},
// {"decision": "block", "reason"}, {"hookSpecificOutput": {"permissionDecision":
// "allow|deny|ask", "permissionDecisionReason", "updatedInput", "additionalContext"}}.
// Fail closed: for PreToolUse and UserPromptSubmit (gates), a hook that times
// out, cannot start, answers non-2xx (http) or prints malformed JSON blocks the
// action with a reason naming the hook; for the other events it is reported and
// ignored.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "hooks/event.h"
#include "sandbox/sandbox.h"

namespace droid::runner::hooks {

// Event and event_name() are in hooks/event.h.
struct HookConfig;

// What the hooks of one event decided, all matching hooks combined: a block
// from any hook wins; then deny > ask > allow among permission decisions.
struct Outcome {
  bool block = false;                           // exit 2, decision "block", permissionDecision "deny", or fail-closed
  std::string reason;                           // why (for the model and the audit log)
  std::optional<std::string> permission;        // "allow" | "deny" | "ask" when a hook said so
  std::optional<nlohmann::json> updated_input;  // PreToolUse: replaces the tool's arguments
  std::string additional_context;               // appended to what the model sees
  bool stop = false;                            // "continue": false: end the session
  std::string stop_reason;
  std::vector<std::string> errors;  // non-blocking failures, for the audit log
  int hooks_run = 0;
};

struct Options {
  std::string workspace;  // cwd of command hooks, "cwd" in the input
  std::string session_id;
  sandbox::Spec sandbox;  // template for command hooks (argv/workspace/timeout set per hook)
  std::chrono::milliseconds default_timeout = std::chrono::seconds(60);
  std::string ca_file;  // trust for https hooks (empty: system store)
};

class Hooks {
 public:
  // Throws std::invalid_argument naming the field (hooks.PreToolUse[0].matcher...)
  // for a malformed configuration.
  Hooks(const nlohmann::json& hooks_settings, Options options);

  // `input` carries the event's fields (tool_name, tool_input, tool_response,
  // prompt...); session_id, cwd and hook_event_name are added.
  Outcome run(Event event, const nlohmann::json& input) const;

  bool empty() const;

 private:
  std::shared_ptr<const HookConfig> config_;  // parsed once, shared by copies
  Options options_;
};

}  // namespace droid::runner::hooks
