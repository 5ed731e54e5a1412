// The gate every tool call passes before it runs (SPEC §6.2, §6.4, §6.5, §6.7).
// In order, the strictest answer wins and nothing later can loosen it:
//   1. autonomy: a Write tool needs autonomy low or more ("ask" below);
//   2. command policy: a tool that runs a command (tools::Tool::command) gets the
//      policy's decision and risk for the command line (policy/policy.h);
//   3. shield: a command line holding a secret is blocked (block mode) — a
//      redacted command would not be the command the model meant;
//   4. guardrail: after tool output that looked like injected instructions, a
//      risky call (any Write, or a command above low risk or not plainly
//      allowed) is refused and the session stops (PromptInjectionSuspected);
//   5. PreToolUse hooks: block/deny refuse; "ask" asks; "allow" never overrides
//      the policy (hooks cannot loosen what the org decided); updatedInput
//      replaces the arguments and is checked again from step 2;
//   6. "ask": an approved command (exact text in the approvals) runs; with an
//      approval channel (in a pod) the session pauses AwaitingApproval; without
//      one (exec) the call is refused with what to do instead.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hooks/hooks.h"
#include "policy/policy.h"
#include "shield/shield.h"
#include "tools/tool.h"

namespace droid::runner::agent {

enum class GateAction {
  Run,            // run the tool with `arguments`
  Refuse,         // answer the model with `message` as a tool error; the session goes on
  AwaitApproval,  // pause the session: `command` needs a human's approval
  Stop,           // end the session: `message` says why (guardrail, a hook's continue:false)
};
const char* to_string(GateAction action);

struct GateResult {
  GateAction action = GateAction::Run;
  nlohmann::json arguments;            // possibly updated by a hook
  std::optional<std::string> command;  // the command line, for tools that run one
  policy::Decision decision = policy::Decision::Allow;
  policy::Risk risk = policy::Risk::Low;
  std::vector<std::string> reasons;  // every reason that contributed
  std::string blocked_by;            // autonomy, policy, shield, guardrail, hook, approval
  std::string stop_reason;           // stable CamelCase reason for Stop/AwaitApproval
  std::string message;               // for the model (Refuse) or the session result (Stop)
  std::string additional_context;    // from hooks, appended to the tool result
};

struct GateOptions {
  policy::Autonomy autonomy = policy::Autonomy::Off;
  bool approval_channel = false;    // true in a pod (AwaitingApproval), false for exec
  std::set<std::string> approvals;  // commands approved verbatim
};

class Gate {
 public:
  // `shield` and `hooks` may be null (none configured).
  Gate(const policy::Policy& policy, const shield::Shield* shield, const hooks::Hooks* hooks, GateOptions options);

  // `after_injection`: the latest tool output had injection signals (listed).
  GateResult check(const tools::Tool& tool, const nlohmann::json& arguments, const std::string& call_id,
                   const std::vector<std::string>& injection_signals) const;

  const GateOptions& options() const { return options_; }

 private:
  GateResult decide(const tools::Tool& tool, const nlohmann::json& arguments,
                    const std::vector<std::string>& injection_signals) const;

  const policy::Policy& policy_;
  const shield::Shield* shield_;
  const hooks::Hooks* hooks_;
  GateOptions options_;
};

}  // namespace droid::runner::agent
