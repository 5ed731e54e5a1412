#include "agent/loop.h"

#include <algorithm>
#include <set>
#include <utility>

#include "agent/system_prompt.h"
#include "llm/error.h"

namespace droid::runner::agent {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

struct AgentLoop::State {
  llm::Request request;
  SessionResult result;
  Clock::time_point deadline;
  llm::Response last;                          // the latest response
  std::vector<std::string> injection_signals;  // in the latest tool output
  bool done = false;
  std::set<std::string> approved;     // approved in place during this session
  std::vector<std::string> progress;  // what the tools did, for a next run's summary
  std::string last_text;              // the model's latest text
};

namespace {

// The session's reason for a failed LLM call, by the kind of error.
std::string failure_reason_of(const llm::Error& e) {
  if (dynamic_cast<const llm::TimeoutError*>(&e) != nullptr) return "GatewayTimeout";
  if (dynamic_cast<const llm::TransportError*>(&e) != nullptr) return "GatewayUnreachable";
  if (dynamic_cast<const llm::ProtocolError*>(&e) != nullptr) return "GatewayProtocolError";
  return "GatewayError";  // ApiError and any other
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::vector<std::string> finding_rules(const shield::Verdict& v) {
  std::vector<std::string> rules;
  for (const auto& f : v.findings)
    if (std::find(rules.begin(), rules.end(), f.rule) == rules.end()) rules.push_back(f.rule);
  return rules;
}

// One line of what a tool call did, for the summary a next run gets.
std::string progress_line(const llm::ToolCall& call, const GateResult& g, bool is_error) {
  std::string what = call.name;
  if (g.command) {
    what += " `" + *g.command + "`";
  } else if (g.arguments.is_object()) {
    for (const char* key : {"path", "pattern"})
      if (g.arguments.contains(key) && g.arguments[key].is_string()) {
        what += " " + g.arguments[key].get<std::string>();
        break;
      }
  }
  return what + (is_error ? " (failed)" : "");
}

// What a run that stops waiting did, for the run after it (bounded: the
// termination message has room for about 4 KiB in all).
std::string progress_summary(const std::vector<std::string>& progress, const std::string& last_text,
                             const std::string& command) {
  constexpr std::size_t kMaxLines = 20;
  std::string out = "Stopped waiting for an approval of `" + command + "`.";
  if (!progress.empty()) {
    out += " Tool calls so far:";
    const std::size_t from = progress.size() > kMaxLines ? progress.size() - kMaxLines : 0;
    if (from > 0) out += " (" + std::to_string(from) + " earlier ones left out)";
    for (std::size_t i = from; i < progress.size(); ++i) out += "\n- " + progress[i];
  }
  if (!last_text.empty()) out += "\nThe model's last words: " + last_text.substr(0, 600);
  return out;
}

}  // namespace

AgentLoop::AgentLoop(SessionConfig config, Controls controls) : config_(std::move(config)), c_(std::move(controls)) {}

std::string AgentLoop::redact(std::string_view text) const {
  if (c_.shield == nullptr) return std::string(text);
  return c_.shield->check(text).text;
}

void AgentLoop::end(State& s, contract::Outcome outcome, std::string reason, const std::string& message) {
  s.result.outcome = outcome;
  s.result.reason = std::move(reason);
  s.result.message = redact(message);
  s.done = true;
}

bool AgentLoop::prepare_prompt(const std::string& prompt, State& s) {
  std::string extra;
  if (c_.hooks != nullptr && !c_.hooks->empty()) {
    const hooks::Outcome start = c_.hooks->run(hooks::Event::SessionStart, {{"source", "startup"}});
    c_.audit->record("hook",
                     {{"hook_event", "SessionStart"}, {"hooks_run", start.hooks_run}, {"errors", start.errors}});
    extra = start.additional_context;
  }
  std::size_t invisible = 0;
  std::string text = strip_invisible(prompt, &invisible);
  if (invisible > 0) c_.audit->record("guardrail", {{"what", "prompt"}, {"invisible_removed", invisible}});
  if (c_.shield != nullptr) {
    const shield::Verdict v = c_.shield->check(text);
    if (!v.findings.empty()) {
      c_.audit->record("shield", {{"what", "prompt"}, {"rules", finding_rules(v)}, {"blocked", v.blocked}});
      if (c_.telemetry != nullptr && v.blocked) c_.telemetry->blocked("secret");
      if (v.blocked) {
        end(s, contract::Outcome::Failed, "SecretInPrompt",
            "the prompt contains a secret (" + join(finding_rules(v)) +
                "); it was not sent. Remove it, or set shield.mode to redact");
        return false;
      }
      text = v.text;
    }
  }
  if (c_.hooks != nullptr && !c_.hooks->empty()) {
    const hooks::Outcome submit = c_.hooks->run(hooks::Event::UserPromptSubmit, {{"prompt", text}});
    c_.audit->record("hook", {{"hook_event", "UserPromptSubmit"},
                              {"block", submit.block},
                              {"reason", submit.reason},
                              {"errors", submit.errors}});
    if (submit.block || submit.stop) {
      if (c_.telemetry != nullptr) c_.telemetry->blocked("hook");
      end(s, contract::Outcome::Failed, "PromptBlockedByHook",
          "a UserPromptSubmit hook refused the prompt: " + (submit.block ? submit.reason : submit.stop_reason));
      return false;
    }
    if (!submit.additional_context.empty()) extra += (extra.empty() ? "" : "\n") + submit.additional_context;
  }
  PromptContext pc{.workspace = config_.workspace,
                   .autonomy = config_.autonomy,
                   .settings = config_.settings,
                   .untrusted_notice = c_.guardrails->system_notice(),
                   .extra_context = redact(extra)};
  s.request.messages.push_back(llm::Message::system(system_prompt(pc)));
  s.request.messages.push_back(llm::Message::user(text));
  return true;
}

bool AgentLoop::call_model(State& s) {
  const Limits& lim = config_.limits;
  if (s.result.turns >= lim.max_turns) {
    end(s, contract::Outcome::Failed, "TurnLimitReached",
        "the session used its " + std::to_string(lim.max_turns) + " turns without finishing (maxTurns)");
    return false;
  }
  if (Clock::now() >= s.deadline) {
    end(s, contract::Outcome::TimedOut, "WallTimeExceeded", "the session ran out of time before the model finished");
    return false;
  }
  const std::int64_t used = s.result.usage.input_tokens + s.result.usage.output_tokens;
  s.request.max_tokens = lim.max_output_tokens;
  if (lim.max_tokens > 0) {
    const std::int64_t left = lim.max_tokens - used;
    if (left <= 0) {
      end(s, contract::Outcome::Failed, "TokenBudgetExceeded",
          "the session used its token budget of " + std::to_string(lim.max_tokens) + " tokens");
      return false;
    }
    s.request.max_tokens = static_cast<int>(std::min<std::int64_t>(lim.max_output_tokens, left));
  }
  s.request.deadline = s.deadline;
  ++s.result.turns;
  ++s.result.usage.llm_requests;

  std::unique_ptr<telemetry::Span> span;
  if (c_.telemetry != nullptr) span = c_.telemetry->start_llm_call(config_.model);
  telemetry::LlmCall call;
  call.provider = llm::to_string(c_.client->provider());
  call.request_model = config_.model;
  const auto started = Clock::now();
  std::string failure_reason;
  contract::Outcome failure_outcome = contract::Outcome::Failed;
  std::string failure;
  int attempts = 0;
  // Each turn's streamed text ends on its own line, so that the next turn's (or
  // the audit record after it, on the same stream) does not run into it.
  char last_streamed = '\n';
  llm::TextCallback on_text;
  if (config_.stream && c_.on_text) {
    on_text = [&](std::string_view delta) {
      if (delta.empty()) return;
      last_streamed = delta.back();
      c_.on_text(delta);
    };
  }
  try {
    s.last = c_.client->complete(s.request, on_text);
  } catch (const llm::Error& e) {
    attempts = e.attempts();
    failure = e.what();
    failure_reason = failure_reason_of(e);
    if (failure_reason == "GatewayTimeout" && Clock::now() >= s.deadline) {
      failure_reason = "WallTimeExceeded";
      failure_outcome = contract::Outcome::TimedOut;
    }
  }
  if (last_streamed != '\n') c_.on_text("\n");
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
  if (!failure_reason.empty()) {
    call.error = redact(failure);
    call.attempts = attempts;
    if (span) span->end_llm(call);
    c_.audit->record(
        "llm_call",
        {{"model", config_.model}, {"error", failure}, {"reason", failure_reason}, {"attempts", attempts}, {"ms", ms}});
    end(s, failure_outcome, failure_reason, "the LLM gateway call failed: " + failure);
    return false;
  }
  const llm::Response& r = s.last;
  s.result.usage.input_tokens += r.usage.input_tokens;
  s.result.usage.output_tokens += r.usage.output_tokens;
  call.response_model = r.model;
  call.response_id = r.id;
  call.finish_reason = r.raw_stop_reason;
  call.input_tokens = r.usage.input_tokens;
  call.output_tokens = r.usage.output_tokens;
  call.attempts = r.attempts;
  if (span) span->end_llm(call);
  c_.audit->record("llm_call", {{"model", config_.model},
                                {"response_model", r.model},
                                {"stop_reason", r.raw_stop_reason},
                                {"input_tokens", r.usage.input_tokens},
                                {"output_tokens", r.usage.output_tokens},
                                {"tool_calls", r.message.tool_calls().size()},
                                {"attempts", r.attempts},
                                {"ms", ms}});
  if (const std::string text = r.message.text(); !text.empty()) s.last_text = text;
  s.request.messages.push_back(r.message);
  return true;
}

void AgentLoop::run_tool_calls(State& s) {
  llm::Message results{.role = llm::Role::Tool, .parts = {}};
  std::vector<std::string> signals_now;
  const std::vector<std::string> signals_before = std::move(s.injection_signals);
  s.injection_signals.clear();
  for (const llm::ToolCall& call : s.last.message.tool_calls()) {
    ++s.result.usage.tool_calls;
    std::unique_ptr<telemetry::Span> span;
    if (c_.telemetry != nullptr) span = c_.telemetry->start_tool_call(call.name, call.id);
    telemetry::ToolCall tc;
    tc.name = call.name;
    tc.call_id = call.id;
    auto answer = [&](std::string content, bool is_error, const char* outcome) {
      results.parts.emplace_back(llm::ToolResult{call.id, std::move(content), is_error});
      tc.outcome = outcome;
      if (span) span->end_tool(tc);
    };
    if (s.done) {  // an earlier call of this response paused or stopped the session
      answer("not run: the session ended before this call", true, "skipped");
      continue;
    }
    tools::Tool* tool = c_.tools->find(call.name);
    if (tool == nullptr) {
      c_.audit->record("tool_call", {{"tool", call.name}, {"call_id", call.id}, {"decision", "unknown-tool"}});
      answer("error: there is no tool named \"" + call.name + "\"; the tools are the ones listed in this request", true,
             "error");
      continue;
    }
    if (!call.arguments_valid()) {
      c_.audit->record("tool_call", {{"tool", call.name}, {"call_id", call.id}, {"decision", "invalid-arguments"}});
      answer(
          "error: the arguments are not a JSON object; send the arguments as a JSON object matching the tool's "
          "schema",
          true, "error");
      continue;
    }
    GateResult g = c_.gate->check(*tool, call.arguments, call.id, signals_before);
    if (g.action == GateAction::AwaitApproval && g.command && s.approved.contains(*g.command)) {
      g.action = GateAction::Run;
      g.reasons.emplace_back("approved by a human earlier in this session");
    }
    tc.risk = g.command ? std::string(policy::risk_name(g.risk)) : "";
    tc.decision = std::string(policy::decision_name(g.decision));
    json audit = {{"tool", call.name},
                  {"call_id", call.id},
                  {"action", to_string(g.action)},
                  {"decision", policy::decision_name(g.decision)},
                  {"reasons", g.reasons},
                  {"blocked_by", g.blocked_by}};
    if (g.command) {
      audit["command"] = *g.command;
      audit["risk"] = policy::risk_name(g.risk);
    }
    if (g.action != GateAction::Run) {
      c_.audit->record("tool_call", audit);
      if (g.command && (g.action != GateAction::AwaitApproval || c_.approvals == nullptr))
        ++s.result.usage.commands_blocked;
      if (c_.telemetry != nullptr && g.action != GateAction::AwaitApproval)
        c_.telemetry->blocked(g.blocked_by.empty() ? "policy" : g.blocked_by);
    }
    if (g.action == GateAction::Refuse) {
      answer(g.message, true, g.decision == policy::Decision::Block ? "blocked" : "denied");
      continue;
    }
    if (g.action == GateAction::AwaitApproval && c_.approvals != nullptr) {
      if (!wait_for_approval(s, g, call.id, answer)) continue;
      audit["action"] = to_string(GateAction::Run);
      audit["reasons"].push_back("approved by a human while the session waited");
    } else if (g.action == GateAction::AwaitApproval) {
      s.result.pending_approval = contract::PendingApproval{
          .command = redact(*g.command), .risk = std::string(policy::risk_name(g.risk)), .reasons = g.reasons};
      end(s, contract::Outcome::AwaitingApproval, g.stop_reason, g.message);
      answer("not run: waiting for a human's approval", true, "ask");
      continue;
    }
    if (g.action == GateAction::Stop) {
      end(s, contract::Outcome::Failed, g.stop_reason, g.message);
      answer("not run: " + g.message, true, "blocked");
      continue;
    }

    tools::Result out = tool->run(g.arguments);
    audit["is_error"] = out.is_error;
    audit["result"] = out.audit;
    std::string content = out.content;
    const std::vector<std::string> signals = injection_signals(content);
    if (!signals.empty()) {
      signals_now.insert(signals_now.end(), signals.begin(), signals.end());
      audit["injection_signals"] = signals;
    }
    if (c_.shield != nullptr) {
      const shield::Verdict v = c_.shield->check(content);
      if (!v.findings.empty()) {
        audit["shield"] = {{"rules", finding_rules(v)}, {"blocked", v.blocked}};
        if (v.blocked) {
          content = "[output withheld: it contains secrets (" + join(finding_rules(v)) +
                    "); the shield does not let them reach the model]";
          if (c_.telemetry != nullptr) c_.telemetry->blocked("secret");
        } else {
          content = v.text;
        }
      }
    }
    if (c_.hooks != nullptr && !c_.hooks->empty()) {
      const hooks::Outcome post = c_.hooks->run(
          hooks::Event::PostToolUse, {{"tool_name", call.name},
                                      {"tool_input", g.arguments},
                                      {"tool_use_id", call.id},
                                      {"tool_response", {{"content", content}, {"is_error", out.is_error}}}});
      audit["post_hooks"] = {{"block", post.block}, {"reason", post.reason}, {"errors", post.errors}};
      if (post.block && !post.reason.empty()) content += "\n\n[PostToolUse hook] " + post.reason;
      if (!post.additional_context.empty()) content += "\n\n" + post.additional_context;
      if (post.stop) end(s, contract::Outcome::Failed, "StoppedByHook", post.stop_reason);
    }
    c_.audit->record("tool_call", audit);
    s.progress.push_back(redact(progress_line(call, g, out.is_error)));
    std::string wrapped = c_.guardrails->wrap_untrusted(call.name, content);
    if (!g.additional_context.empty()) wrapped += "\n" + redact(g.additional_context);
    answer(std::move(wrapped), out.is_error, out.is_error ? "error" : "ok");
  }
  s.injection_signals = std::move(signals_now);
  s.request.messages.push_back(std::move(results));
}

bool AgentLoop::wait_for_approval(State& s, const GateResult& g, const std::string& call_id,
                                  const std::function<void(std::string, bool, const char*)>& answer) {
  ++s.result.approvals_waited;
  ApprovalRequest request{.id = std::to_string(s.result.approvals_waited),
                          .command = *g.command,
                          .risk = std::string(policy::risk_name(g.risk)),
                          .reasons = g.reasons};
  const auto wait_deadline = std::min(s.deadline, Clock::now() + config_.limits.approval_wait);
  const auto wait_seconds = std::chrono::ceil<std::chrono::seconds>(wait_deadline - Clock::now()).count();
  // The operator reads this line (the container turns Ready while it waits).
  c_.audit->record("approval_requested", {{"id", request.id},
                                          {"call_id", call_id},
                                          {"command", request.command},
                                          {"risk", request.risk},
                                          {"reasons", request.reasons},
                                          {"wait_seconds", wait_seconds}});
  // The wait file holds the command as the operator will compare it: redacted like the log.
  request.command = redact(request.command);
  request.on_refused = [&](const std::string& why) {
    c_.audit->record("approval_decision_refused", {{"id", request.id}, {"command", request.command}, {"why", why}});
  };
  const ApprovalAnswer a = c_.approvals->wait(request, wait_deadline);
  json fields = {{"id", request.id},
                 {"command", request.command},
                 {"verdict", to_string(a.verdict)},
                 {"waited_ms", a.waited.count()}};
  if (!a.by.empty()) fields["by"] = a.by;
  if (!a.at.empty()) fields["at"] = a.at;
  if (!a.reason.empty()) fields["reason"] = a.reason;
  switch (a.verdict) {
    case ApprovalVerdict::Approved:
      c_.audit->record("approval_received", fields);
      s.approved.insert(*g.command);
      return true;
    case ApprovalVerdict::Rejected: {
      c_.audit->record("approval_rejected", fields);
      ++s.result.usage.commands_blocked;
      if (c_.telemetry != nullptr) c_.telemetry->blocked("approval");
      const std::string who = a.by.empty() ? "a human" : a.by;
      answer(redact("rejected by " + who + (a.reason.empty() ? "" : ": " + a.reason) +
                    ". Do not run it or a variation of it; find another way, or finish and explain what is left."),
             true, "rejected");
      return false;
    }
    case ApprovalVerdict::Expired:
    case ApprovalVerdict::Stopped: break;
  }
  ++s.result.usage.commands_blocked;
  c_.audit->record("approval_wait_ended", fields);
  s.result.pending_approval =
      contract::PendingApproval{.command = request.command, .risk = request.risk, .reasons = request.reasons};
  s.result.summary = redact(progress_summary(s.progress, s.last_text, request.command));
  const bool expired = a.verdict == ApprovalVerdict::Expired;
  end(s, contract::Outcome::AwaitingApproval, expired ? "ApprovalWaitExpired" : "ApprovalWaitInterrupted",
      expired ? "no decision on `" + request.command + "` arrived within " + std::to_string(wait_seconds) +
                    "s of waiting in place; the session waits for an approval and runs again when it comes"
              : "the runner was stopped while it waited for an approval of `" + request.command + "`");
  answer("not run: waiting for a human's approval", true, "ask");
  return false;
}

bool AgentLoop::finish_turn(State& s) {
  const std::string answer = s.last.message.text();
  if (c_.hooks != nullptr && !c_.hooks->empty()) {
    const hooks::Outcome stop = c_.hooks->run(hooks::Event::Stop, {{"stop_hook_active", s.result.turns > 1}});
    c_.audit->record("hook", {{"hook_event", "Stop"}, {"block", stop.block}, {"reason", stop.reason}});
    // A Stop hook that blocks sends the model back to work with its reason.
    if (stop.block && !stop.reason.empty()) {
      s.request.messages.push_back(llm::Message::user("[Stop hook] " + redact(stop.reason)));
      return false;
    }
  }
  s.result.summary = redact(answer);
  end(s, contract::Outcome::Succeeded, "Completed", "the model finished the task");
  return true;
}

SessionResult AgentLoop::run(const std::string& prompt) {
  State s;
  s.deadline = Clock::now() + config_.limits.wall_time;
  s.request.model = config_.model;
  s.request.reasoning_effort = config_.reasoning_effort;
  s.request.tools = c_.tools->definitions();
  s.request.stream = config_.stream;
  c_.audit->record("session_start", {{"model", config_.model},
                                     {"autonomy", policy::autonomy_name(config_.autonomy)},
                                     {"workspace", config_.workspace},
                                     {"max_turns", config_.limits.max_turns},
                                     {"max_tokens", config_.limits.max_tokens}});
  if (prepare_prompt(prompt, s)) {
    while (!s.done && call_model(s)) {
      if (s.last.message.tool_calls().empty()) {
        finish_turn(s);
      } else {
        run_tool_calls(s);
      }
    }
  }
  if (c_.hooks != nullptr && !c_.hooks->empty()) c_.hooks->run(hooks::Event::SessionEnd, {{"reason", s.result.reason}});
  c_.audit->record("session_end", {{"outcome", contract::outcome_name(s.result.outcome)},
                                   {"reason", s.result.reason},
                                   {"message", s.result.message},
                                   {"turns", s.result.turns},
                                   {"input_tokens", s.result.usage.input_tokens},
                                   {"output_tokens", s.result.usage.output_tokens},
                                   {"tool_calls", s.result.usage.tool_calls},
                                   {"commands_blocked", s.result.usage.commands_blocked}});
  return s.result;
}

}  // namespace droid::runner::agent
