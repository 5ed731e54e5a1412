// droid-operator: watches DroidSessions and OrgPolicies and runs one locked-down
// runner pod per session (SPEC §5). The controllers arrive with the operator
// issue; this build parses the command line and reports what it would serve.
#include <iostream>
#include <string>
#include <vector>

namespace {

constexpr const char* kUsage =
    "usage: droid-operator [--kubeconfig FILE] [--version]\n"
    "\n"
    "Runs the DroidSession and OrgPolicy controllers against the cluster of FILE, or,\n"
    "without --kubeconfig, against the cluster it runs in (in-cluster config).\n";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "-h" || args[i] == "--help") {
      std::cout << kUsage;
      return 0;
    }
    if (args[i] == "--version" || args[i] == "version") {
      std::cout << "droid-operator " << DROID_VERSION << "\n";
      return 0;
    }
    if (args[i] == "--kubeconfig" && i + 1 < args.size()) {
      ++i;
      continue;
    }
    std::cerr << "droid-operator: unknown argument '" << args[i] << "'\n\n" << kUsage;
    return 2;
  }
  std::cerr << "droid-operator: the controllers are not part of this build yet (operator issue); "
               "nothing to run\n";
  return 1;
}
