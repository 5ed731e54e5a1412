// One agent session assembled from its inputs: the effective settings, the
// gateway client, the controls (policy, shield, hooks, guardrails, gate), the
// tools over the workspace, the audit log and telemetry — then the loop runs.
// Shared by `droid-runner exec` (local) and `droid-runner run` (in a pod), which
// differ only in where the inputs come from and what happens to the result.
//
//   SessionInputs in; in.prompt = "..."; in.gateway = ...; in.settings = merged.settings;
//   SessionOutput out = run_session(in, std::cout);
#pragma once

#include <functional>
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/audit_log.h"
#include "agent/gate.h"
#include "agent/loop.h"
#include "llm/gateway_config.h"
#include "telemetry/telemetry.h"

namespace droid::runner::session {

struct AfterLoop;
struct SessionOutput;

struct SessionInputs {
  std::string session_id;
  std::string prompt;
  std::string model;
  std::string reasoning_effort;
  std::string workspace;  // absolute, existing
  policy::Autonomy autonomy = policy::Autonomy::Off;
  nlohmann::json settings = nlohmann::json::object();  // effective (merged) settings
  agent::Limits limits;
  bool stream = false;
  llm::GatewayConfig gateway;
  bool approval_channel = false;
  std::set<std::string> approvals;
  // Where an "ask" waits in place (a pod); null: it ends the session at once.
  agent::ApprovalChannel* approval_waiter = nullptr;
  std::vector<std::string> known_secrets;  // credentials given to the runner; the gateway key is added
  telemetry::Config telemetry;             // endpoint empty = off; `redact` is set here
  std::chrono::milliseconds command_timeout{std::chrono::minutes(10)};
  sandbox::Network command_network = sandbox::Network::None;
  std::vector<std::string> extra_denied;  // more paths tools may not read (config, credentials)
  // Runs after the loop, before telemetry is flushed; may change the result.
  std::function<void(AfterLoop&, SessionOutput&)> after_loop;
};

struct SessionOutput {
  agent::SessionResult result;
  std::string trace_id;
};

// What a step after the loop (commit and push, SPEC §6.9) may use: the same
// gate, shield, tools and audit log as the session's tool calls.
struct AfterLoop {
  const agent::Gate& gate;
  const shield::Shield& shield;
  tools::Toolbox& tools;
  agent::AuditLog& audit;
};

// Throws std::invalid_argument for unusable inputs (bad settings, hooks, gateway
// configuration), naming the field; everything after that is in the result.
// The audit log goes to `audit_out` (one JSON line per decision); `on_text`
// receives streamed model text when `stream` is set.
SessionOutput run_session(const SessionInputs& inputs, std::ostream& audit_out, const llm::TextCallback& on_text = {});

}  // namespace droid::runner::session
