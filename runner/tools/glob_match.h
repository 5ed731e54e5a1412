// Glob patterns over '/'-separated relative paths, as the glob and grep tools
// use them:
//   *       any run of characters except '/'
//   ?       one character (a whole UTF-8 sequence) except '/'
//   [abc] [a-z] [!a-z] [^a-z]   one character of (not of) a set; never '/'
//   **      as a whole segment: zero or more directories ("**/*.cc",
//           "src/**", "a/**/b"); elsewhere like '*'
//   \c      the character c itself
// A leading "./" and a trailing '/' of the pattern are ignored.
#pragma once

#include <string_view>

namespace droid::runner::tools {

bool glob_match(std::string_view pattern, std::string_view path);

}  // namespace droid::runner::tools
