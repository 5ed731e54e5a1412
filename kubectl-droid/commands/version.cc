// kubectl droid version: the plugin's version.
#include "commands/command.h"
#include "exit_codes.h"

namespace droid::kubectl {

int version_command(const Args& args, Io& io) {
  const auto flags = parse_command_flags(args, {}, {}, "usage: kubectl droid version\n", io);
  if (!flags) return kExitOk;
  io.out << "kubectl-droid " << DROID_VERSION << " (API droid.dev/v1alpha1)\n";
  return kExitOk;
}

}  // namespace droid::kubectl
