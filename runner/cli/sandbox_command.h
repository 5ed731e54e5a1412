// `droid-runner sandbox ...`: one command in the tool sandbox (sandbox/sandbox.h).
//   sandbox --workspace DIR [--timeout SECONDS] [--network none|gateway]
//           [--max-output BYTES] [--allow-read PATH]... [--deny PATH]...
//           [--env NAME=VALUE]... -- CMD ARGS...
// The command's stdout and stderr are printed once it has ended (each cut at
// --max-output bytes, with a note on stderr); the exit code is the command's,
// 124 on timeout, 125 when the sandbox cannot be set up or for usage errors,
// 126 when the command cannot be executed, 127 when it is not found.
#pragma once

#include <string>
#include <vector>

namespace droid::runner {

int sandbox_command(const std::vector<std::string>& args);

}  // namespace droid::runner
