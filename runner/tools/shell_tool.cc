#include "tools/shell_tool.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "sandbox/error.h"
#include "tools/arguments.h"
#include "tools/support.h"
#include "tools/text.h"

namespace droid::runner::tools {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr std::size_t kNoteRoom = 600;

std::string format_seconds(milliseconds d) {
  auto ms = d.count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
  return std::to_string(ms) + " ms";
}

// Splits `budget` bytes between two streams: each gets what it needs, up to
// half, and the other's leftover.
std::pair<std::size_t, std::size_t> share(std::size_t out, std::size_t err, std::size_t budget) {
  if (out + err <= budget) return {out, err};
  std::size_t half = budget / 2;
  if (out <= half) return {out, budget - out};
  if (err <= half) return {budget - err, err};
  return {half, budget - half};
}

}  // namespace

ShellTool::ShellTool(Context context) : context_(std::move(context)) {
  definition_.name = "shell";
  std::string limit = format_seconds(context_.shell.timeout);
  definition_.description =
      "Run a shell command with /bin/bash -c in the workspace (the working directory), in a sandbox: writes "
      "only to the workspace and $TMPDIR, no network unless the policy grants it, no interactive input. "
      "Returns the exit code, stdout and stderr. The command is killed after timeout_seconds (at most " +
      limit + ").";
  definition_.parameters = {
      {"type", "object"},
      {"properties",
       {{"command", {{"type", "string"}, {"description", "The command line, as bash would read it."}}},
        {"timeout_seconds",
         {{"type", "integer"},
          {"minimum", 1},
          {"description", "Kill the command after this many seconds; default and maximum " + limit + "."}}}}},
      {"required", {"command"}},
      {"additionalProperties", false}};
}

std::optional<std::string> ShellTool::command(const json& arguments) const {
  if (!arguments.is_object()) return std::nullopt;
  auto it = arguments.find("command");
  if (it == arguments.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

Result ShellTool::run(const json& arguments) {
  return guard(context_, [&] {
    Arguments args(arguments, definition_.parameters);
    std::string cmd = args.string("command");
    if (cmd.find_first_not_of(" \t\n") == std::string::npos) throw ToolError("command: is empty");
    sandbox::Spec spec = context_.shell;
    spec.argv = {"/bin/bash", "-c", cmd};
    spec.workspace = context_.workspace;
    if (auto t = args.integer("timeout_seconds")) {
      // Compared in seconds first: a huge value must not overflow milliseconds.
      auto template_seconds = std::chrono::duration_cast<seconds>(spec.timeout).count();
      if (*t < template_seconds) spec.timeout = seconds(*t);
    }

    sandbox::Outcome o;
    try {
      o = sandbox::run_sandboxed(spec);
    } catch (const sandbox::SandboxError& e) {
      throw ToolError(std::string("the sandbox could not be set up, so the command did not run: ") + e.what());
    }

    std::size_t budget = context_.max_result_bytes > 2 * kNoteRoom ? context_.max_result_bytes - kNoteRoom
                                                                   : context_.max_result_bytes / 2;
    auto [out_budget, err_budget] = share(o.out.size(), o.err.size(), budget);
    Result r;
    r.content = "exit code: " + std::to_string(o.exit_code) + "\n";
    if (!o.error.empty()) r.content += "[the command could not run: " + o.error + "]\n";
    if (o.timed_out) {
      r.content += "[timed out after " + format_seconds(spec.timeout) +
                   ": the command and its processes were killed; give a larger timeout_seconds (at most " +
                   format_seconds(context_.shell.timeout) + ") or make the command faster]\n";
    } else if (o.term_signal != 0) {
      r.content += "[killed by signal " + std::to_string(o.term_signal) + "]\n";
    }
    if (!o.out.empty()) {
      r.content += "stdout:\n" + keep_head_and_tail(o.out, out_budget);
      if (r.content.back() != '\n') r.content += '\n';
    }
    if (o.out_truncated) {
      r.content += "[stdout: " + std::to_string(o.out_bytes) + " bytes written, only the first " +
                   std::to_string(o.out.size()) + " kept]\n";
    }
    if (!o.err.empty()) {
      r.content += "stderr:\n" + keep_head_and_tail(o.err, err_budget);
      if (r.content.back() != '\n') r.content += '\n';
    }
    if (o.err_truncated) {
      r.content += "[stderr: " + std::to_string(o.err_bytes) + " bytes written, only the first " +
                   std::to_string(o.err.size()) + " kept]\n";
    }
    if (o.out.empty() && o.err.empty()) r.content += "(no output)\n";
    r.is_error = o.exit_code != 0;
    r.audit = {{"exit_code", o.exit_code},
               {"timed_out", o.timed_out},
               {"term_signal", o.term_signal},
               {"stdout_bytes", o.out_bytes},
               {"stderr_bytes", o.err_bytes},
               {"truncated", o.truncated() || o.out.size() > out_budget || o.err.size() > err_budget},
               {"elapsed_ms", std::chrono::duration_cast<milliseconds>(o.elapsed).count()}};
    return r;
  });
}

}  // namespace droid::runner::tools
