// droid-runner: runs one agent session under deterministic controls (SPEC §6).
// Each command lives in cli/<name>_command.{h,cc}; this file only dispatches.
#include <iostream>
#include <string>
#include <vector>

#include "cli/approval_probe_command.h"
#include "cli/exec_command.h"
#include "cli/policy_command.h"
#include "cli/run_command.h"
#include "cli/sandbox_command.h"
#include "cli/settings_command.h"
#include "cli/shield_command.h"

namespace {

using CommandFn = int (*)(const std::vector<std::string>&);

struct Command {
  const char* name;
  CommandFn run;
  const char* summary;
};

// One line per command, in the order `droid-runner --help` lists them.
const Command kCommands[] = {
    {"exec", droid::runner::exec_command, "exec [--auto LEVEL] [--model M] [--gateway URL] PROMPT: a session, locally"},
    {"run", droid::runner::run_command, "run: the session the operator configured (in a runner pod)"},
    {"settings", droid::runner::settings_command, "settings merge ORG PROJECT FOLDER USER: the effective settings"},
    {"shield", droid::runner::shield_command, "shield scan [--settings FILE] FILE|-: find secrets"},
    {"sandbox", droid::runner::sandbox_command,
     "sandbox --workspace DIR -- CMD ARGS...: run one command in the tool sandbox"},
    {"policy", droid::runner::policy_command,
     "policy check --settings FILE --autonomy LEVEL --command CMD: decide on a command"},
    {"approval-probe", droid::runner::approval_probe_command,
     "approval-probe: exit 0 while waiting in place for an approval (the readiness probe)"},
};

void usage(std::ostream& out) {
  out << "usage: droid-runner COMMAND [ARGS...]\n\nCommands:\n";
  for (const auto& c : kCommands) {
    const std::size_t n = std::string(c.name).size();
    out << "  " << c.name << std::string(n < 12 ? 12 - n : 2, ' ') << c.summary << "\n";
  }
  out << "  version     print the version\n\nRun 'droid-runner COMMAND --help' for a command's options.\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    usage(std::cout);
    return args.empty() ? 2 : 0;
  }
  const std::string command = args[0];
  args.erase(args.begin());
  if (command == "version" || command == "--version") {
    std::cout << "droid-runner " << DROID_VERSION << "\n";
    return 0;
  }
  for (const auto& c : kCommands)
    if (command == c.name) return c.run(args);
  std::cerr << "droid-runner: unknown command '" << command << "'\n\n";
  usage(std::cerr);
  return 2;
}
