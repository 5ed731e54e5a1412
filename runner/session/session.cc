#include "session/session.h"

#include <memory>
#include <utility>

#include "agent/audit_log.h"
#include "agent/gate.h"
#include "agent/guardrails.h"
#include "hooks/hooks.h"
#include "policy/policy.h"
#include "shield/shield.h"
#include "tools/tool.h"

namespace droid::runner::session {

using nlohmann::json;

SessionOutput run_session(const SessionInputs& in, std::ostream& audit_out, const llm::TextCallback& on_text) {
  std::vector<std::string> secrets = in.known_secrets;
  if (!in.gateway.api_key.empty()) secrets.push_back(in.gateway.api_key);
  std::erase_if(secrets, [](const std::string& s) { return s.empty(); });

  // Bad custom patterns throw std::invalid_argument naming the pattern.
  const shield::Shield shield(in.settings, secrets, shield::random_hash_key());
  auto redact = [&shield](std::string_view text) { return shield.check(text).text; };

  telemetry::Config tconfig = in.telemetry;
  tconfig.redact = redact;
  std::unique_ptr<telemetry::Telemetry> telemetry = telemetry::Telemetry::make(tconfig);
  agent::AuditLog audit(&audit_out, in.session_id, redact,
                        [t = telemetry.get()](const json& event) { t->audit(event); });

  sandbox::Spec base;
  base.workspace = in.workspace;
  base.timeout = in.command_timeout;
  base.network = in.command_network;
  for (const auto& path : in.extra_denied) base.denied.push_back(path);

  std::unique_ptr<hooks::Hooks> hooks;
  if (const auto it = in.settings.find("hooks"); it != in.settings.end() && it->is_object() && !it->empty()) {
    hooks::Options options;
    options.workspace = in.workspace;
    options.session_id = in.session_id;
    options.sandbox = base;
    hooks = std::make_unique<hooks::Hooks>(*it, options);
  }

  const policy::Policy policy(in.settings, in.workspace);
  const agent::Guardrails guardrails(agent::random_marker());
  agent::GateOptions gate_options;
  gate_options.autonomy = in.autonomy;
  gate_options.approval_channel = in.approval_channel;
  gate_options.approvals = in.approvals;
  const agent::Gate gate(policy, &shield, hooks.get(), gate_options);

  tools::Context context;
  context.workspace = in.workspace;
  context.shell = base;
  context.filter = [&shield](std::string_view, std::string_view content) {
    const shield::Verdict v = shield.check(content);
    tools::Filtered f;
    f.blocked = v.blocked;
    f.text = v.text;
    if (v.blocked) {
      f.reason = "the file contains secrets (";
      for (std::size_t i = 0; i < v.findings.size() && i < 3; ++i) f.reason += (i ? ", " : "") + v.findings[i].rule;
      f.reason += "); the shield keeps it from the model";
    }
    return f;
  };
  tools::Toolbox toolbox = tools::standard_toolbox(context);

  std::unique_ptr<llm::Client> client = llm::make_client(in.gateway);

  agent::SessionConfig config;
  config.session_id = in.session_id;
  config.model = in.model;
  config.reasoning_effort = in.reasoning_effort;
  config.workspace = in.workspace;
  config.autonomy = in.autonomy;
  config.settings = in.settings;
  config.limits = in.limits;
  config.stream = in.stream;

  agent::Controls controls;
  controls.client = client.get();
  controls.tools = &toolbox;
  controls.gate = &gate;
  controls.shield = &shield;
  controls.hooks = hooks.get();
  controls.guardrails = &guardrails;
  controls.audit = &audit;
  controls.telemetry = telemetry.get();
  controls.on_text = on_text;
  controls.approvals = in.approval_waiter;

  agent::AgentLoop loop(config, controls);
  SessionOutput out;
  out.result = loop.run(in.prompt);
  if (in.after_loop) {
    AfterLoop after{gate, shield, toolbox, audit};
    in.after_loop(after, out);
  }
  out.trace_id = telemetry->trace_id();
  telemetry->finish(contract::outcome_name(out.result.outcome), out.result.reason);
  return out;
}

}  // namespace droid::runner::session
