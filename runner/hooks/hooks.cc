#include "hooks/hooks.h"

#include <utility>

#include "hooks/command_hook.h"
#include "hooks/hook_config.h"
#include "hooks/hook_output.h"
#include "hooks/http_hook.h"
#include "hooks/tool_input.h"

namespace droid::runner::hooks {
namespace {

using nlohmann::json;

// What a matcher is matched against for `event` (has_matcher in event.h).
std::string subject(Event event, const json& input) {
  const auto text = [&](const char* key, const char* fallback) {
    const auto it = input.find(key);
    return it != input.end() && it->is_string() ? it->get<std::string>() : std::string(fallback);
  };
  switch (event) {
    case Event::PreToolUse:
    case Event::PostToolUse: return text("tool_name", "");
    case Event::SessionStart: return text("source", "startup");
    case Event::SessionEnd: return text("reason", "other");
    case Event::UserPromptSubmit:
    case Event::Stop: break;
  }
  return "";
}

void append(std::string& to, const std::string& what, const char* separator) {
  if (what.empty()) return;
  if (!to.empty()) to += separator;
  to += what;
}

int permission_rank(const std::string& permission) {
  if (permission == "deny") return 3;
  if (permission == "ask") return 2;
  return 1;
}

// Folds one hook's result into the event's outcome.
class Combiner {
 public:
  explicit Combiner(Event event) : event_(event) {}

  void add(const HookSpec& hook, HookResult r) {
    ++outcome_.hooks_run;
    const std::string who = "hook " + hook.describe();
    if (r.failed) {
      if (is_gate(event_)) {
        outcome_.block = true;
        append(block_reasons_, who + " failed: " + r.error, "; ");
      } else {
        outcome_.errors.push_back(who + " failed: " + r.error);
      }
      return;
    }
    if (!r.error.empty()) outcome_.errors.push_back(who + ": " + r.error);
    if (r.block) {
      if (event_ == Event::SessionStart || event_ == Event::SessionEnd) {
        outcome_.errors.push_back(who + " asked to block " + event_name(event_) + ", which cannot be blocked" +
                                  (r.reason.empty() ? "" : ": " + r.reason));
      } else {
        outcome_.block = true;
        append(block_reasons_, r.reason.empty() ? "blocked by " + who : r.reason, "; ");
      }
    }
    if (r.permission) {
      if (!outcome_.permission || permission_rank(*r.permission) > permission_rank(*outcome_.permission)) {
        outcome_.permission = *r.permission;
        permission_reasons_.clear();
      }
      if (*r.permission == *outcome_.permission && !r.block) append(permission_reasons_, r.reason, "; ");
    }
    if (r.updated_input) {
      if (!outcome_.updated_input) {
        outcome_.updated_input = std::move(r.updated_input);
      } else if (*outcome_.updated_input != *r.updated_input) {
        outcome_.errors.push_back(who + ": its updatedInput was ignored (an earlier hook already replaced the input)");
      }
    }
    append(outcome_.additional_context, r.additional_context, "\n");
    if (r.stop) {
      outcome_.stop = true;
      append(outcome_.stop_reason, r.stop_reason, "; ");
    }
  }

  Outcome finish() && {
    outcome_.reason = outcome_.block ? block_reasons_ : permission_reasons_;
    return std::move(outcome_);
  }

 private:
  Event event_;
  Outcome outcome_;
  std::string block_reasons_;
  std::string permission_reasons_;
};

}  // namespace

Hooks::Hooks(const nlohmann::json& hooks_settings, Options options)
    : config_(std::make_shared<const HookConfig>(parse_hook_config(hooks_settings))), options_(std::move(options)) {}

bool Hooks::empty() const { return config_->empty(); }

Outcome Hooks::run(Event event, const nlohmann::json& input) const {
  const auto& groups = config_->groups(event);
  Combiner combiner(event);
  if (groups.empty()) return std::move(combiner).finish();
  json full = input.is_object() ? input : json::object();
  // Tool events speak Claude Code's names and keys (tool_input.h); updatedInput comes back in ours.
  const bool tool_event = event == Event::PreToolUse || event == Event::PostToolUse;
  const auto tool_it = full.find("tool_name");
  const std::string tool = tool_it != full.end() && tool_it->is_string() ? tool_it->get<std::string>() : "";
  if (tool_event && !tool.empty()) {
    HookToolCall call = to_hook_call(tool, full.value("tool_input", json()), options_.workspace);
    full["tool_name"] = call.tool_name;
    if (full.contains("tool_input")) full["tool_input"] = std::move(call.tool_input);
  }
  full["session_id"] = options_.session_id;
  full["cwd"] = options_.workspace;
  full["hook_event_name"] = event_name(event);
  const std::string body = full.dump(-1, ' ', false, json::error_handler_t::replace);
  const std::string match_on = subject(event, full);
  for (const MatcherGroup& group : groups) {
    if (has_matcher(event) && !group.matches(match_on)) continue;
    for (const HookSpec& hook : group.hooks) {
      const auto timeout = hook.timeout.value_or(options_.default_timeout);
      combiner.add(hook,
                   hook.type == HookType::Command
                       ? run_command_hook(event, hook.command, body, options_.sandbox, options_.workspace, timeout)
                       : run_http_hook(event, hook.url, hook.headers, body, timeout, options_.ca_file));
    }
  }
  Outcome outcome = std::move(combiner).finish();
  if (outcome.updated_input && tool_event && !tool.empty())
    outcome.updated_input = from_hook_input(tool, *outcome.updated_input, options_.workspace);
  return outcome;
}

}  // namespace droid::runner::hooks
