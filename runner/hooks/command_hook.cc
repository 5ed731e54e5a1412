#include "hooks/command_hook.h"

#include <exception>

#include "hooks/timeout_text.h"

namespace droid::runner::hooks {

HookResult run_command_hook(Event event, const std::string& command, const std::string& input_json,
                            const sandbox::Spec& sandbox_template, const std::string& workspace,
                            std::chrono::milliseconds timeout) {
  sandbox::Spec spec = sandbox_template;
  spec.argv = {"/bin/sh", "-c", command};
  spec.workspace = workspace;
  spec.timeout = timeout;
  spec.stdin_data = input_json;
  spec.env["FACTORY_PROJECT_DIR"] = workspace;
  spec.env["CLAUDE_PROJECT_DIR"] = workspace;
  sandbox::Outcome outcome;
  try {
    outcome = sandbox::run_sandboxed(spec);
  } catch (const std::exception& e) {
    HookResult r;
    r.failed = true;
    r.error = std::string("could not start: ") + e.what();
    return r;
  }
  if (outcome.timed_out) {
    HookResult r;
    r.failed = true;
    r.error = "timed out after " + timeout_text(timeout);
    return r;
  }
  HookResult r = parse_command_result(event, outcome.exit_code, outcome.out, outcome.err);
  if (!outcome.error.empty()) r.error = outcome.error;  // the sandbox's own account of a failed start
  if (outcome.out_truncated && outcome.exit_code == 0 && !r.failed) {
    // Cut output cannot be trusted to be the whole answer.
    r = HookResult{};
    r.failed = true;
    r.error = "output longer than " + std::to_string(spec.max_output_bytes) + " bytes";
  }
  return r;
}

}  // namespace droid::runner::hooks
