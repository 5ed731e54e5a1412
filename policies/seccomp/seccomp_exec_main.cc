// droid-seccomp-exec PROFILE -- COMMAND [ARGS...]
//
// Runs COMMAND under an OCI seccomp profile (policies/seccomp/*.json) exactly as a
// pod with that `Localhost` profile would get it (no_new_privs, then the filter,
// then exec), to try the profile on a host without a cluster. Exit status: the
// command's (exec replaces this program), 125 when the profile cannot be loaded or
// applied, 127 when COMMAND cannot be executed.
#include <unistd.h>

#include <cerrno>
#include <exception>
#include <iostream>
#include <string>
#include <system_error>
#include <vector>

#include "oci_profile.h"

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() < 3 || args[1] != "--") {
    std::cerr << "usage: droid-seccomp-exec PROFILE -- COMMAND [ARGS...]\n";
    return 125;
  }
  try {
    droid::seccomp_profile::install(droid::seccomp_profile::load_profile(args[0]));
  } catch (const std::exception& e) {
    std::cerr << "droid-seccomp-exec: " << e.what() << "\n";
    return 125;
  }
  execvp(argv[3], argv + 3);
  std::cerr << "droid-seccomp-exec: " << argv[3] << ": " << std::error_code(errno, std::generic_category()).message()
            << "\n";
  return 127;
}
