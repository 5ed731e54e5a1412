// `droid-runner shield ...`: the secret scanner on the command line.
//   shield scan [--settings FILE] [--known-secrets FILE] FILE|-
// prints one JSON line per finding on stdout:
//   {"rule", "description", "line", "column", "match"}
// where line and column (1-based, column in bytes) locate the secret and
// `match` is the rule's whole match with every secret replaced by its
// placeholder. The settings file holds effective settings (custom patterns,
// shield.enabled); the known-secrets file holds one literal secret per line.
#pragma once

#include <string>
#include <vector>

namespace droid::runner {

// Returns the process exit code: 0 when nothing is found, 1 when something is,
// 2 for usage errors and unreadable or invalid inputs.
int shield_command(const std::vector<std::string>& args);

}  // namespace droid::runner
