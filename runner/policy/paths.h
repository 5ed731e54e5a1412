// Where a path points, for the policy: the null devices, the workspace (and the
// files in it that configure later commands), the temp dir, or outside. Paths
// are normalised lexically ("a/./b/../c" is "a/c", "//" is "/"); a path that
// depends on the environment (~, $VAR, globs) is Unknown.
#pragma once

#include <string>
#include <string_view>

namespace droid::runner::policy {

enum class PathKind { Null, Workspace, WorkspaceConfig, Temp, Outside, Device, Unknown };

// "/a//b/./c/../d/" is "/a/b/d"; ".." above the root stays at the root; a
// relative path keeps its leading ".." segments.
std::string normalize_path(std::string_view path);

// `workspace` is the absolute workspace root, or empty when relative paths are
// the only way to name it.
PathKind classify_path(std::string_view path, bool known, std::string_view workspace);

// Whether a word names a credential store (~/.ssh, ~/.aws/credentials, ~/.kube/config,
// ~/.netrc, ~/.git-credentials, /etc/shadow, a process's environ, a Kubernetes service
// account, private keys by their usual names), as a path or inside an option
// (--data=@~/.netrc): reading one is high risk whatever the program.
bool names_credentials(std::string_view word);

// The program name bash would run for argv[0]: the basename when it is given in
// a standard system directory (/bin, /usr/bin, /usr/local/bin, /sbin, /usr/sbin),
// else the text as written. `by_path` is set for any other name with a slash.
std::string program_name(std::string_view argv0, bool* by_path);

}  // namespace droid::runner::policy
