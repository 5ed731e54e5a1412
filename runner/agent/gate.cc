#include "agent/gate.h"

#include <algorithm>
#include <utility>

namespace droid::runner::agent {
namespace {

using nlohmann::json;
using policy::Decision;

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += sep;
    out += item;
  }
  return out;
}

// Raises the decision (never lowers it), remembering who raised it.
void tighten(GateResult& r, Decision d, const char* by, std::string reason) {
  if (d > r.decision) {
    r.decision = d;
    r.blocked_by = by;
  }
  r.reasons.push_back(std::move(reason));
}

}  // namespace

const char* to_string(GateAction action) {
  switch (action) {
    case GateAction::Run: return "run";
    case GateAction::Refuse: return "refuse";
    case GateAction::AwaitApproval: return "await-approval";
    case GateAction::Stop: return "stop";
  }
  return "?";
}

Gate::Gate(const policy::Policy& policy, const shield::Shield* shield, const hooks::Hooks* hooks, GateOptions options)
    : policy_(policy), shield_(shield), hooks_(hooks), options_(std::move(options)) {}

GateResult Gate::decide(const tools::Tool& tool, const json& arguments,
                        const std::vector<std::string>& injection_signals) const {
  GateResult r;
  r.arguments = arguments;
  const std::string& name = tool.definition().name;
  if (tool.access() == tools::Access::Write && options_.autonomy == policy::Autonomy::Off)
    tighten(r, Decision::Ask, "autonomy", "changing files needs autonomy low or higher; this session runs read-only");

  r.command = tool.command(arguments);
  if (r.command) {
    const policy::Verdict v = policy_.check(*r.command, options_.autonomy);
    r.risk = v.risk;
    for (const auto& reason : v.reasons) r.reasons.push_back(reason);
    if (v.decision > r.decision) {
      r.decision = v.decision;
      r.blocked_by = "policy";
    }
    if (shield_ != nullptr) {
      const shield::Verdict s = shield_->check(*r.command);
      if (!s.findings.empty()) {
        std::vector<std::string> rules;
        for (const auto& f : s.findings) rules.push_back(f.rule);
        rules.erase(std::unique(rules.begin(), rules.end()), rules.end());
        tighten(r, Decision::Block, "shield",
                "the command line contains a secret (" + join(rules, ", ") +
                    "); never put credentials on a command line, use the files and variables the session provides");
      }
    }
  }

  if (!injection_signals.empty()) {
    const bool risky = tool.access() == tools::Access::Write ||
                       (r.command && (r.risk > policy::Risk::Low || r.decision != Decision::Allow));
    if (risky) {
      tighten(r, Decision::Deny, "guardrail",
              "follows tool output that looked like injected instructions (" + join(injection_signals, ", ") + ")");
      r.action = GateAction::Stop;
      r.stop_reason = "PromptInjectionSuspected";
      r.message = "stopped before a risky " + name +
                  " call that followed tool output resembling injected instructions (" + join(injection_signals, ", ") +
                  ")";
    }
  }
  return r;
}

GateResult Gate::check(const tools::Tool& tool, const json& arguments, const std::string& call_id,
                       const std::vector<std::string>& injection_signals) const {
  const std::string& name = tool.definition().name;
  // Hooks see the call first (as in Claude Code); their answer can only tighten.
  hooks::Outcome hook;
  const bool with_hooks = hooks_ != nullptr && !hooks_->empty();
  if (with_hooks)
    hook = hooks_->run(hooks::Event::PreToolUse,
                       {{"tool_name", name}, {"tool_input", arguments}, {"tool_use_id", call_id}});
  const json& effective = (hook.updated_input && !hook.block) ? *hook.updated_input : arguments;
  GateResult r = decide(tool, effective, injection_signals);
  if (r.action == GateAction::Stop) return r;
  r.additional_context = hook.additional_context;
  if (with_hooks) {
    if (hook.stop) {
      r.action = GateAction::Stop;
      r.stop_reason = "StoppedByHook";
      r.blocked_by = "hook";
      r.message = hook.stop_reason.empty() ? "a PreToolUse hook ended the session" : hook.stop_reason;
      return r;
    }
    const std::string why = hook.reason.empty() ? "a PreToolUse hook refused it" : hook.reason;
    if (hook.block || hook.permission == "deny")
      tighten(r, Decision::Deny, "hook", why);
    else if (hook.permission == "ask")
      tighten(r, Decision::Ask, "hook", why);
    if (hook.updated_input && !hook.block) r.reasons.emplace_back("arguments updated by a PreToolUse hook");
  }

  switch (r.decision) {
    case Decision::Allow: r.action = GateAction::Run; break;
    case Decision::Ask:
      if (r.command && options_.approvals.count(*r.command) != 0) {
        r.action = GateAction::Run;
        r.reasons.emplace_back("approved by a human (spec.approvals)");
      } else if (r.command && options_.approval_channel && r.blocked_by != "autonomy") {
        r.action = GateAction::AwaitApproval;
        r.stop_reason = "ApprovalRequired";
        r.message = "the command needs a human's approval: " + join(r.reasons, "; ");
      } else {
        r.action = GateAction::Refuse;
        r.message = r.blocked_by == "autonomy"
                        ? "refused: " + join(r.reasons, "; ") +
                              ". Describe the change in your answer instead, or ask for a session with more autonomy."
                        : "refused: the call needs approval and this session has no approval channel (" +
                              join(r.reasons, "; ") +
                              "). Use a lower-risk way, or the user can rerun with a higher --auto level or add "
                              "the command to commandAllowlist.";
      }
      break;
    case Decision::Deny:
      r.action = GateAction::Refuse;
      r.message = "denied by " + r.blocked_by + ": " + join(r.reasons, "; ") + ". Do not retry it; find another way.";
      break;
    case Decision::Block:
      r.action = GateAction::Refuse;
      r.message = "blocked by " + r.blocked_by + ": " + join(r.reasons, "; ") +
                  ". This never runs in this session; do not retry it or variations of it.";
      break;
  }
  return r;
}

}  // namespace droid::runner::agent
