#include "cli/approval_probe_command.h"

#include <cstdlib>
#include <iostream>

#include "agent/approval_wait.h"
#include "cli/flags.h"

namespace droid::runner {

int approval_probe_command(const std::vector<std::string>& args) {
  cli::Flags f({{"private-dir", cli::Flags::Value}, {"help", cli::Flags::Bool}});
  try {
    f.parse(args);
  } catch (const cli::FlagError& e) {
    std::cerr << "droid-runner approval-probe: " << e.what() << "\n";
    return 2;
  }
  if (f.has("help")) {
    std::cout << "usage: droid-runner approval-probe [--private-dir DIR]\n"
                 "Exit 0 while the runner waits in place for an approval, 1 otherwise.\n";
    return 0;
  }
  const char* tmp = std::getenv("TMPDIR");  // NOLINT(concurrency-mt-unsafe): single-threaded
  const std::string fallback = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/droid-runner";
  return agent::approval_probe(agent::approval_state_dir(f.value("private-dir", fallback)));
}

}  // namespace droid::runner
