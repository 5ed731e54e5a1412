// `droid-runner settings ...`: the settings model on the command line.
//   settings merge [--provenance] [--strict] ORG PROJECT FOLDER USER
// prints the effective settings of the four levels as JSON on stdout (or, with
// --provenance, {field path: level}); problems, warnings and notes on stderr.
#pragma once

#include <string>
#include <vector>

namespace droid::runner {

// Returns the process exit code: 0 on success, 1 for invalid settings, 2 for usage errors.
int settings_command(const std::vector<std::string>& args);

}  // namespace droid::runner
