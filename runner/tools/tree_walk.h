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

enum class WalkEnd {
  Complete,    // every entry down to max_depth was visited
  Stopped,     // `visit` returned false
  EntryLimit,  // `max_entries` directory entries were read; the rest of the tree was not
};

// Visits the entries under `root` down to `max_depth` levels; `visit` returns
// false to stop the walk. At most `max_entries` directory entries are read in
// all, so that a huge tree (node_modules, a build output) bounds the tool's
// time and memory; the caller tells the model when the limit cut the walk.
WalkEnd walk_tree(const std::filesystem::path& root, int max_depth, const std::function<bool(const WalkEntry&)>& visit,
                  std::size_t max_entries);

}  // namespace droid::runner::tools
