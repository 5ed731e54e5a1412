// A sorted, depth-first walk of a directory tree inside the workspace for the
// list, glob and grep tools: entries of each directory in name order, `.git`
// skipped, symlinks reported but never followed (a symlinked directory is not
// entered), unreadable directories skipped.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>

namespace droid::runner::tools {

struct WalkEntry {
  std::filesystem::path real;                                             // absolute
  std::string relative;                                                   // to the walk's root, '/'-separated
  std::filesystem::file_type type = std::filesystem::file_type::unknown;  // of the entry itself (not followed)
  int depth = 1;                                                          // 1 for the root's own entries
};

// Visits the entries under `root` down to `max_depth` levels; `visit` returns
// false to stop the walk.
void walk_tree(const std::filesystem::path& root, int max_depth, const std::function<bool(const WalkEntry&)>& visit);

}  // namespace droid::runner::tools
