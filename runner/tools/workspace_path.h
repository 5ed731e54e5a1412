// Path confinement: every path argument of a tool resolves inside the
// workspace. A path is taken relative to the workspace (an absolute one must
// name a place inside it), then resolved like realpath(3), component by
// component, following every symlink (a dangling one too, to where it points)
// and keeping a tail that does not exist yet as given; the result must be the
// workspace's real path or lie under it. So `../x`, `/etc/passwd`, a symlink
// to /etc at any component and a dangling symlink to outside are refused, and
// a write through a symlink lands on its (inside) target.
//
// What the checks cannot cover: a file changed between the check and its use
// (a race with a concurrent process in the workspace).
#pragma once

#include <filesystem>
#include <string>

namespace droid::runner::tools {

struct WorkspacePath {
  std::filesystem::path real;  // absolute, symlinks resolved
  std::string relative;        // to the workspace's real path; "." for the workspace itself
};

// The workspace's real path; ToolError when it does not exist.
std::filesystem::path real_workspace(const std::string& workspace);

// Resolves `value`, the tool argument `argument`; ToolError naming the
// argument when it is empty or lands outside the workspace.
WorkspacePath resolve_in_workspace(const std::string& workspace, const std::string& argument, const std::string& value);

// `real` relative to the workspace's real path (generic form, "." for itself).
std::string workspace_relative(const std::filesystem::path& workspace_real, const std::filesystem::path& real);

}  // namespace droid::runner::tools
