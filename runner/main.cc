// droid-runner: runs one agent session under deterministic controls (SPEC §6).
// Each subcommand lives in cli/; this file only dispatches.
#include <iostream>
#include <string>
#include <vector>

#include "cli/settings_command.h"

namespace {

constexpr const char* kUsage =
    "usage: droid-runner COMMAND [ARGS...]\n"
    "\n"
    "Commands:\n"
    "  settings merge ORG PROJECT FOLDER USER   print the effective settings of four levels\n"
    "  version                                  print the version\n"
    "\n"
    "Run 'droid-runner COMMAND --help' for a command's options.\n";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  const std::string command = args[0];
  args.erase(args.begin());
  if (command == "settings") return droid::runner::settings_command(args);
  if (command == "version" || command == "--version") {
    std::cout << "droid-runner " << DROID_VERSION << "\n";
    return 0;
  }
  std::cerr << "droid-runner: unknown command '" << command << "'\n\n" << kUsage;
  return 2;
}
