#include "cli/policy_command.h"

#include <iostream>
#include <optional>

#include "policy/policy.h"
#include "settings/load.h"

namespace droid::runner {
namespace {

constexpr const char* kUsage =
    "usage: droid-runner policy check --settings FILE --autonomy LEVEL --command CMD [--workspace DIR]\n"
    "\n"
    "Decides on one shell command line as the runner would before running it, and\n"
    "prints {\"decision\", \"risk\", \"reasons\"} as one JSON line.\n"
    "  --settings FILE   effective settings (JSON; may be {}): the command lists\n"
    "  --autonomy LEVEL  off, low, medium or high\n"
    "  --command CMD     the command line, as the agent would run it with bash\n"
    "  --workspace DIR   the workspace root (absolute paths under it are inside)\n";

int usage_error(const std::string& message) {
  std::cerr << "droid-runner policy: " << message << "\n\n" << kUsage;
  return 2;
}

int check_command(const std::vector<std::string>& args) {
  std::optional<std::string> settings_file, autonomy, command, workspace;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      std::cout << kUsage;
      return 0;
    }
    std::optional<std::string>* target = a == "--settings"    ? &settings_file
                                         : a == "--autonomy"  ? &autonomy
                                         : a == "--command"   ? &command
                                         : a == "--workspace" ? &workspace
                                                              : nullptr;
    if (!target) return usage_error("unknown argument '" + a + "'");
    if (i + 1 >= args.size()) return usage_error(a + " needs a value");
    if (target->has_value()) return usage_error(a + " given twice");
    *target = args[++i];
  }
  if (!settings_file) return usage_error("missing --settings");
  if (!autonomy) return usage_error("missing --autonomy");
  if (!command) return usage_error("missing --command");
  auto level = policy::parse_autonomy(*autonomy);
  if (!level) return usage_error("--autonomy must be off, low, medium or high, not '" + *autonomy + "'");

  settings::Loaded loaded = settings::load_settings_file(*settings_file);
  for (const auto& w : loaded.warnings) std::cerr << "warning: " << w << "\n";
  if (!loaded.ok()) {
    for (const auto& e : loaded.errors) std::cerr << "error: " << e << "\n";
    return 1;
  }
  policy::Policy policy(loaded.settings, workspace.value_or(""));
  policy::Verdict verdict = policy.check(*command, *level);
  std::cout << verdict.to_json().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  return 0;
}

}  // namespace

int policy_command(const std::vector<std::string>& args) {
  if (args.empty()) return usage_error("missing subcommand");
  if (args[0] == "check") return check_command({args.begin() + 1, args.end()});
  if (args[0] == "-h" || args[0] == "--help") {
    std::cout << kUsage;
    return 0;
  }
  return usage_error("unknown subcommand '" + args[0] + "'");
}

}  // namespace droid::runner
