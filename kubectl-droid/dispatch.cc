#include "dispatch.h"

#include <exception>
#include <map>

#include "exit_codes.h"

namespace droid::kubectl {
namespace {

constexpr const char* kUsage =
    "kubectl droid: run and manage AI coding agent sessions (droid.dev DroidSessions)\n"
    "\n"
    "usage: kubectl droid COMMAND [flags]\n"
    "\n"
    "Commands:\n"
    "  run             create a session, follow it, print the result; exit code from the outcome\n"
    "  list            list sessions (-A for all namespaces)\n"
    "  get NAME        describe a session (-o json|yaml)\n"
    "  logs NAME       the runner pod's log (-f to follow)\n"
    "  approve NAME    approve the command a session waits for\n"
    "  reject NAME     reject it, with --reason (the model is told)\n"
    "  cancel NAME     cancel a session\n"
    "  policy explain  the effective org policy of a namespace, field by field\n"
    "  version         the plugin's version\n"
    "\n"
    "Run 'kubectl droid COMMAND --help' for a command's flags.\n";

}  // namespace

int dispatch(const std::vector<std::string>& args, Io& io) {
  static const std::map<std::string, int (*)(const Args&, Io&)> kCommands = {
      {"run", run_command},       {"list", list_command},     {"ls", list_command},         {"get", get_command},
      {"describe", get_command},  {"logs", logs_command},     {"approve", approve_command}, {"reject", reject_command},
      {"cancel", cancel_command}, {"policy", policy_command}, {"version", version_command}};
  const CommandLine line = split_command(args);
  if (line.command.empty() || line.command == "help") {
    const bool asked =
        line.command == "help" || (!line.rest.empty() && (line.rest[0] == "--help" || line.rest[0] == "-h"));
    (asked ? io.out : io.err) << kUsage;
    return asked ? kExitOk : kExitUsage;
  }
  const auto it = kCommands.find(line.command);
  if (it == kCommands.end()) {
    io.err << "error: unknown command \"" << line.command << "\"\n\n" << kUsage;
    return kExitUsage;
  }
  try {
    return it->second(line.rest, io);
  } catch (const CommandError& e) {
    io.err << "error: " << e.what() << "\n";
    return e.code();
  } catch (const std::exception& e) {
    io.err << "error: " << e.what() << "\n";
    return kExitError;
  }
}

}  // namespace droid::kubectl
