// The agent loop (SPEC §6.1): prompt -> model -> tool calls -> results -> model,
// until the model answers without tool calls or a limit ends the session.
//
//   AgentLoop loop(config, controls);
//   SessionResult r = loop.run("fix the failing test");
//
// "ask" with an approval channel (Controls::approvals, in a pod): the loop writes
// "approval_requested" to the audit log and waits in place (approval_wait.h);
// approved, the call runs and the conversation goes on; rejected, the model gets
// the rejection and its reason as the tool result; a wait that expires (or is
// stopped) ends the session AwaitingApproval with a summary of what it did, so
// that a next run need not start blind. A command approved once runs without
// asking again in the same session.
//
// Every piece of text that leaves for the gateway passes the shield first (the
// prompt: block fails the session, redact sends it redacted; tool output: block
// withholds it, redact redacts it); tool output is stripped of invisible Unicode
// and wrapped as untrusted data (guardrails.h); every tool call passes the gate
// (gate.h) and every decision is written to the audit log. Parallel tool calls
// of one response run one after another in the order given, and each gets its
// own result. Limits: turns (LLM requests), total tokens (the request's
// max_tokens never exceeds what is left), wall time (the LLM deadline and the
// loop's own checks). The result maps onto the termination message contract
// (libdroid/contract).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "agent/approval_wait.h"
#include "agent/audit_log.h"
#include "agent/gate.h"
#include "agent/guardrails.h"
#include "contract/termination_message.h"
#include "hooks/hooks.h"
#include "llm/client.h"
#include "shield/shield.h"
#include "telemetry/telemetry.h"
#include "tools/tool.h"

namespace droid::runner::agent {

struct Limits {
  int max_turns = 50;           // LLM requests
  std::int64_t max_tokens = 0;  // input + output over the session; 0 = no limit
  std::chrono::milliseconds wall_time{std::chrono::hours(1)};
  int max_output_tokens = 8192;  // per response
  // The longest wait in place for one approval (Controls::approvals); the wall
  // time bounds it too.
  std::chrono::milliseconds approval_wait{std::chrono::minutes(15)};
};

struct SessionConfig {
  std::string session_id;  // "namespace/name" in a pod, a random id locally
  std::string model;
  std::string reasoning_effort;
  std::string workspace;
  policy::Autonomy autonomy = policy::Autonomy::Off;
  nlohmann::json settings = nlohmann::json::object();  // effective settings (rules)
  Limits limits;
  bool stream = false;
};

// What the loop works with; owned by the caller, alive for the loop's lifetime.
struct Controls {
  llm::Client* client = nullptr;
  tools::Toolbox* tools = nullptr;
  const Gate* gate = nullptr;
  const shield::Shield* shield = nullptr;  // may be null: nothing scanned
  const hooks::Hooks* hooks = nullptr;     // may be null
  const Guardrails* guardrails = nullptr;
  AuditLog* audit = nullptr;
  telemetry::Telemetry* telemetry = nullptr;  // may be null
  llm::TextCallback on_text;                  // streamed text, for progress output
  // Where an "ask" waits in place (a pod); null: the session ends
  // AwaitingApproval at once (the gate's approval channel) or the call is refused.
  ApprovalChannel* approvals = nullptr;
};

struct SessionResult {
  contract::Outcome outcome = contract::Outcome::Failed;
  std::string reason;   // stable CamelCase: Completed, TurnLimitReached, TokenBudgetExceeded, ...
  std::string message;  // for people; redacted
  std::string summary;  // the model's final answer; redacted
  contract::Usage usage;
  std::optional<contract::PendingApproval> pending_approval;
  int turns = 0;
  int approvals_waited = 0;  // waits in place, whatever their end
};

class AgentLoop {
 public:
  AgentLoop(SessionConfig config, Controls controls);
  SessionResult run(const std::string& prompt);

 private:
  struct State;
  bool prepare_prompt(const std::string& prompt, State& state);
  bool call_model(State& state);
  void run_tool_calls(State& state);
  // An "ask" with an approval channel: waits in place. True when the call may
  // run; false when it was answered (rejected) or the session ended (the wait
  // expired or was stopped: AwaitingApproval, with a summary for the next run).
  bool wait_for_approval(State& state, const GateResult& gate, const std::string& call_id,
                         const std::function<void(std::string, bool, const char*)>& answer);
  bool finish_turn(State& state);  // the model answered without tool calls
  std::string redact(std::string_view text) const;
  void end(State& state, contract::Outcome outcome, std::string reason, const std::string& message);

  SessionConfig config_;
  Controls c_;
};

}  // namespace droid::runner::agent
