// File access for the tools, on paths already confined by workspace_path.h:
// a bounded read of a regular file, and an atomic write (a temp file beside
// the target, fsync, rename) that keeps an existing file's mode.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "tools/workspace_path.h"

namespace droid::runner::tools {

// The whole content of the regular file `path`; ToolError naming `argument`
// when it is missing, a directory, not a regular file, unreadable, or larger
// than max_bytes. Does not follow a symlink swapped in after resolution.
std::string read_regular_file(const WorkspacePath& path, const std::string& argument, std::size_t max_bytes);

// Replaces (or creates) `path` with `content` atomically; creates missing
// parent directories. A new file gets mode 0644; an existing one keeps its
// mode and, where permitted, its owner. ToolError on failure.
void write_file_atomic(const WorkspacePath& path, const std::string& argument, std::string_view content);

}  // namespace droid::runner::tools
