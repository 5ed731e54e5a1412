// kubectl-droid: the `kubectl droid` plugin (SPEC §7): run, list, approve and
// cancel sessions. The subcommands arrive with the delivery issue; kubectl finds
// this binary on PATH by its name.
#include <iostream>
#include <string>

namespace {

constexpr const char* kUsage =
    "usage: kubectl droid COMMAND\n"
    "\n"
    "Commands:\n"
    "  version   print the version\n";

}  // namespace

int main(int argc, char** argv) {
  std::string command = argc > 1 ? argv[1] : "";
  if (command == "version" || command == "--version") {
    std::cout << "kubectl-droid " << DROID_VERSION << "\n";
    return 0;
  }
  if (command.empty() || command == "-h" || command == "--help" || command == "help") {
    std::cout << kUsage;
    return command.empty() ? 2 : 0;
  }
  std::cerr << "kubectl droid: unknown command '" << command << "'\n\n" << kUsage;
  return 2;
}
