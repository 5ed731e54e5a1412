// What a small script prints, when that can be known without running it: one
// pipeline of `echo` or `printf` with literal words, passed through decoders
// (`base64 -d`, `base32 -d`, `xxd -r -p`, `rev`, `cat`). The policy analyses that
// output where bash would run it: piped into a shell, sourced from <(...), or
// used as words ($(echo rm) -rf /). Anything else is nullopt.
#pragma once

#include <optional>
#include <string>

#include "policy/ast.h"

namespace droid::runner::policy {

std::optional<std::string> static_output(const Script& script);

}  // namespace droid::runner::policy
