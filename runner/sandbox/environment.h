// The environment of a sandboxed command, built from scratch: it never starts
// from the runner's own environment, so the runner's credentials, proxy
// settings and tokens cannot leak into tools. It holds only
//   PATH, HOME (the workspace), TMPDIR (the run's private temp dir),
//   LANG and LC_ALL (C.UTF-8), TERM (dumb),
// plus the variables the caller lists explicitly, which may override those.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace droid::runner::sandbox {

constexpr const char* kDefaultPath = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin";

// "NAME=value" entries, sorted by name. Throws std::invalid_argument for a
// variable name that is empty or contains '=' or NUL.
std::vector<std::string> build_environment(const std::string& path, const std::string& home, const std::string& tmpdir,
                                           const std::map<std::string, std::string>& extra);

}  // namespace droid::runner::sandbox
