// The spellings of program text the policy cannot run (python -c, perl -e, awk, sed's e,
// code fed to an interpreter) in which block and deny entries are looked for. Code can
// spell a command so that it never appears as written; these are the spellings that
// only rearrange characters, undone:
//   - string escapes decoded: "rm -rf \x2f", '\057', "\u002f", sed's "\/";
//   - string literals joined: "rm -r" + "f /", 'rm -r'.'f /', "rm -r" "f /", "a" .. "b";
//   - character codes as characters: chr(47), String.fromCharCode(47), chr(0x2f);
//   - encoded literals decoded when they decode to text: base64 ("cm0gLXJmIC8=") and hex;
//   - each quoted literal reversed ("/ fr- mr"[::-1], reverse(...)).
// What code computes (loops, arithmetic, data read at run time) stays out of reach:
// such code is high risk and doubt, never allowed by an allowlist.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace droid::runner::policy {

// `code` first, then each different spelling above (at most a few, bounded in size).
std::vector<std::string> code_spellings(std::string_view code);

}  // namespace droid::runner::policy
