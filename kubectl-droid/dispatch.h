// The whole plugin behind main(): finds the command, runs it, prints a failure
// as "error: <message>" on stderr and returns the exit code (exit_codes.h).
#pragma once

#include <string>
#include <vector>

#include "commands/command.h"

namespace droid::kubectl {

int dispatch(const std::vector<std::string>& args, Io& io);

}  // namespace droid::kubectl
