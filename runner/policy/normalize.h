// The canonical form of one command's words, so that spellings bash treats
// alike compare equal: the program's basename when it lives in a system
// directory, short flags split and long flags mapped to their short name
// ("rm -fr", "rm -r -f" and "rm --recursive --force" all have flags {-f, -r}),
// flags kept as a sorted set, operands in order with paths normalised.
// A list entry ("rm -rf /") matches a command when the programs are equal, the
// entry's flags are among the command's, and the entry's operands are a prefix
// of the command's operands.
#pragma once

#include <string>
#include <vector>

namespace droid::runner::policy {

// One word of a command after expansion, as far as it is known.
struct Arg {
  std::string text;
  bool known = true;  // false when its value depends on the environment or on input
  bool glob = false;  // pathname expansion may turn it into other words
};

struct Normalized {
  std::string program;             // empty when argv[0] is not known
  bool by_path = false;            // argv[0] named a file outside the system directories
  std::vector<std::string> flags;  // sorted, unique
  std::vector<Arg> operands;
};

Normalized normalize(const std::vector<Arg>& argv);

// Sure: the command certainly has the entry's form (for the allowlist).
// Could: it may have it once expanded (for the block and deny lists): unknown
// words and globs match what they could expand to.
enum class MatchMode { Sure, Could };
bool matches(const Normalized& entry, const Normalized& command, MatchMode mode);

}  // namespace droid::runner::policy
