// One hook's answer, from its exit code and output (command hooks) or its
// HTTP status and body (http hooks), in Claude Code's / Factory's protocol:
// - exit 0: stdout may be JSON: {"continue": false, "stopReason"},
//   {"decision": "block"|"approve", "reason"}, {"hookSpecificOutput":
//   {"hookEventName", "permissionDecision": "allow"|"deny"|"ask",
//   "permissionDecisionReason", "updatedInput", "additionalContext"}}
//   ("suppressOutput" and "systemMessage" are accepted and ignored). Output
//   that does not start with '{' is plain text: context for the model on
//   UserPromptSubmit and SessionStart, ignored elsewhere. Output that starts
//   with '{' but is not such an object (bad JSON, wrong field types, unknown
//   decision values) is malformed: the hook failed.
// - exit 2: block; stderr is the reason.
// - 126/127 (the command could not run) or death by a signal: the hook failed.
// - any other exit code: a non-blocking error, stderr kept for the audit log.
// http: a 2xx body is read like stdout on exit 0; any other status: failed.
// Whether a failure blocks is decided by the caller (hooks.h: gates fail closed).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "hooks/event.h"

namespace droid::runner::hooks {

struct HookResult {
  bool failed = false;  // no usable answer (timeout, could not start, non-2xx, malformed output)
  std::string error;    // why it failed, or a non-blocking error
  bool block = false;   // exit 2, "decision": "block" or "permissionDecision": "deny"
  std::string reason;
  std::optional<std::string> permission;  // "allow" | "deny" | "ask"
  std::optional<nlohmann::json> updated_input;
  std::string additional_context;
  bool stop = false;  // "continue": false
  std::string stop_reason;
};

// `out` is a command's stdout or a 2xx response body.
HookResult parse_hook_output(Event event, std::string_view out);

// A command hook that ran to the end (no timeout): its exit code and output.
HookResult parse_command_result(Event event, int exit_code, std::string_view out, std::string_view err);

// An http hook that answered.
HookResult parse_http_result(Event event, int status, std::string_view body);

}  // namespace droid::runner::hooks
