// Library calls in program text that do what a command does: shutil.rmtree("/") deletes
// like `rm -r -f /`, FileUtils.rm_rf, fs.rmSync(p, {recursive: true}), os.RemoveAll and
// std::fs::remove_dir_all likewise. A block entry names the command; an agent told "no"
// asks the interpreter's library instead. Each call the table knows, with a string literal
// as its first argument, becomes the command it amounts to, one per line, so that the lists
// look for their entries in it as in any other program text (policy.cc, code_mentions).
#pragma once

#include <string>
#include <string_view>

namespace droid::runner::policy {

// The commands the known library calls in `code` amount to, one per line ("" when none).
std::string commands_in_calls(std::string_view code);

}  // namespace droid::runner::policy
