#include "tools/workspace_path.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <deque>
#include <system_error>
#include <vector>

#include "tools/support.h"

namespace droid::runner::tools {
namespace {

namespace fs = std::filesystem;

constexpr int kMaxSymlinks = 40;  // as the kernel's ELOOP limit

bool inside(const fs::path& root, const fs::path& p) {
  fs::path rel = p.lexically_relative(root);
  return !rel.empty() && *rel.begin() != "..";
}

void push_front_components(std::deque<std::string>& todo, const fs::path& p) {
  std::vector<std::string> parts;
  for (const auto& part : p.relative_path()) parts.push_back(part.string());
  todo.insert(todo.begin(), parts.begin(), parts.end());
}

bool exists_nofollow(const fs::path& p) {
  struct stat st {};
  return lstat(p.c_str(), &st) == 0;
}

std::string read_link(const fs::path& p, const std::string& argument) {
  std::error_code ec;
  fs::path target = fs::read_symlink(p, ec);
  if (ec) throw ToolError(argument + ": cannot read the symlink " + p.string() + ": " + ec.message());
  return target.string();
}

// realpath(3) that allows a missing tail and follows dangling symlinks.
fs::path resolve(const fs::path& absolute, const std::string& argument, int& links) {
  std::deque<std::string> todo;
  push_front_components(todo, absolute);
  fs::path current = "/";
  bool missing = false;
  while (!todo.empty()) {
    std::string part = std::move(todo.front());
    todo.pop_front();
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      current = current.parent_path();
      missing = !exists_nofollow(current);
      continue;
    }
    fs::path next = current / part;
    if (missing) {
      current = std::move(next);
      continue;
    }
    struct stat st {};
    if (lstat(next.c_str(), &st) != 0) {
      if (errno != ENOENT && errno != ENOTDIR) {
        throw ToolError(argument + ": cannot access " + next.string() + ": " + std::generic_category().message(errno));
      }
      missing = true;
      current = std::move(next);
      continue;
    }
    if (S_ISLNK(st.st_mode)) {
      if (++links > kMaxSymlinks) throw ToolError(argument + ": too many levels of symbolic links");
      fs::path target = read_link(next, argument);
      push_front_components(todo, target);
      if (target.is_absolute()) current = "/";
      continue;
    }
    current = std::move(next);
  }
  return current;
}

}  // namespace

fs::path real_workspace(const std::string& workspace) {
  std::error_code ec;
  fs::path real = fs::canonical(workspace, ec);
  if (ec || !fs::is_directory(real, ec)) throw ToolError("the workspace " + workspace + " is not a directory");
  return real;
}

std::string workspace_relative(const fs::path& workspace_real, const fs::path& real) {
  fs::path rel = real.lexically_relative(workspace_real);
  std::string out = rel.generic_string();
  if (out.empty()) return ".";
  return out;
}

WorkspacePath resolve_in_workspace(const std::string& workspace, const std::string& argument,
                                   const std::string& value) {
  if (value.empty()) throw ToolError(argument + ": is empty; give a path relative to the workspace " + workspace);
  if (value.find('\0') != std::string::npos) throw ToolError(argument + ": contains a NUL byte");
  fs::path ws_real = real_workspace(workspace);
  fs::path given(value);
  fs::path absolute = (given.is_absolute() ? given : fs::path(workspace) / given).lexically_normal();
  int links = 0;
  fs::path real = resolve(absolute, argument, links);
  if (real == ws_real || inside(ws_real, real)) return WorkspacePath{real, workspace_relative(ws_real, real)};

  fs::path ws_lexical = fs::path(workspace).lexically_normal();
  bool lexically_inside =
      absolute == ws_lexical || inside(ws_lexical, absolute) || absolute == ws_real || inside(ws_real, absolute);
  if (!lexically_inside) {
    throw ToolError(argument + ": " + value + " is outside the workspace " + workspace + "; use a path relative to it");
  }
  throw ToolError(argument + ": " + value + " resolves through a symlink to " + real.string() +
                  ", outside the workspace " + workspace + "; use a path inside the workspace");
}

}  // namespace droid::runner::tools
