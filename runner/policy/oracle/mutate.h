// A generator of command lines that bash reads as the same commands as a seed
// (or runs them through wrappers): quoting and escapes of the program name
// ('r'm, \r\m, $'\x72m', "r""m"), paths (/usr/bin/rm), $IFS between words,
// brace expansion ({rm,-rf,x}), wrappers (env, command, nice, timeout, nohup,
// setsid, bash -c, sh -c, eval, a base64 pipe into a shell), option order and
// flag splitting, line continuations, git's global options, npm abbreviations.
// The bash oracle then judges each variant.
#pragma once

#include <random>
#include <string>
#include <vector>

namespace droid::runner::policy::oracle {

// Up to `count` variants of `seed` (fewer when the seed is not a plain list of
// words: then only the wrappers apply).
std::vector<std::string> mutations(const std::string& seed, std::mt19937& rng, int count);

}  // namespace droid::runner::policy::oracle
