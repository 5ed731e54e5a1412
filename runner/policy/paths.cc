#include "policy/paths.h"

#include <array>
#include <vector>

namespace droid::runner::policy {

namespace {

// /proc/self/root, /proc/thread-self/root and /proc/PID/root are the root directory as a
// process sees it: "/" (here, where every process shares it).
std::string_view without_proc_root(std::string_view path) {
  while (path.rfind("/proc/", 0) == 0) {
    std::size_t end = path.find('/', 6);
    if (end == std::string_view::npos) break;
    std::string_view who = path.substr(6, end - 6);
    bool pid = !who.empty() && who.find_first_not_of("0123456789") == std::string_view::npos;
    if (!pid && who != "self" && who != "thread-self") break;
    std::string_view rest = path.substr(end);
    if (rest != "/root" && rest.rfind("/root/", 0) != 0) break;
    path = rest.size() == 5 ? std::string_view("/") : rest.substr(5);
  }
  return path;
}

}  // namespace

std::string normalize_path(std::string_view path) {
  if (path.empty()) return {};
  path = without_proc_root(path);
  bool absolute = path.front() == '/';
  std::vector<std::string_view> parts;
  std::size_t i = 0;
  while (i <= path.size()) {
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view seg = path.substr(i, j - i);
    if (seg.empty() || seg == ".") {
      // skip
    } else if (seg == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
      } else if (!absolute) {
        parts.push_back(seg);
      }
    } else {
      parts.push_back(seg);
    }
    i = j + 1;
  }
  std::string out;
  out.reserve(path.size() + 1);
  if (absolute) out.push_back('/');
  for (std::size_t k = 0; k < parts.size(); ++k) {
    if (k > 0) out.push_back('/');
    out.insert(out.end(), parts[k].begin(), parts[k].end());
  }
  if (out.empty()) out.push_back('.');
  return out;
}

namespace {

bool under(std::string_view path, std::string_view dir) {
  if (dir.empty()) return false;
  if (dir == "/") return true;
  return path.substr(0, dir.size()) == dir && (path.size() == dir.size() || path[dir.size()] == '/');
}

// Files in the workspace that change what later commands do.
bool is_config(std::string_view rel) {
  static constexpr std::array<std::string_view, 16> kConfig = {
      ".git/hooks", ".git/config", ".factory", ".bashrc", ".bash_profile", ".profile",  ".zshrc",  ".envrc",
      ".npmrc",     ".gitconfig",  ".ssh",     ".pypirc", ".netrc",        ".git/info", ".claude", ".vscode"};
  for (auto c : kConfig)
    if (under(rel, c)) return true;
  return false;
}

}  // namespace

PathKind classify_path(std::string_view path, bool known, std::string_view workspace) {
  if (!known || path.empty() || path.front() == '~') return PathKind::Unknown;
  std::string p = normalize_path(path);
  if (p == "/dev/null" || p == "/dev/stdout" || p == "/dev/stderr" || p == "/dev/tty" || under(p, "/dev/fd"))
    return PathKind::Null;
  if (p.front() == '/') {
    std::string ws = workspace.empty() ? std::string() : normalize_path(workspace);
    if (!ws.empty() && ws != "/" && under(p, ws)) {
      std::string rel = p.size() > ws.size() ? p.substr(ws.size() + 1) : std::string(".");
      return is_config(rel) ? PathKind::WorkspaceConfig : PathKind::Workspace;
    }
    if (under(p, "/tmp") || under(p, "/var/tmp")) return PathKind::Temp;
    if (under(p, "/dev")) return PathKind::Device;
    return PathKind::Outside;
  }
  if (p == ".." || p.substr(0, 3) == "../") return PathKind::Outside;
  return is_config(p) ? PathKind::WorkspaceConfig : PathKind::Workspace;
}

std::string program_name(std::string_view argv0, bool* by_path) {
  *by_path = false;
  std::size_t slash = argv0.rfind('/');
  if (slash == std::string_view::npos) return std::string(argv0);
  std::string dir = normalize_path(argv0.substr(0, slash == 0 ? 1 : slash));
  static constexpr std::array<std::string_view, 6> kSystem = {"/bin",  "/usr/bin",  "/usr/local/bin",
                                                              "/sbin", "/usr/sbin", "/usr/local/sbin"};
  for (auto d : kSystem)
    if (dir == d) return std::string(argv0.substr(slash + 1));
  *by_path = true;
  std::string path = normalize_path(argv0);
  if (path.find('/') == std::string::npos) path = "./" + path;  // "./ls" stays a path, never "ls"
  return path;
}

bool names_credentials(std::string_view word) {
  static constexpr std::array<std::string_view, 24> kMarkers = {"/.ssh/",
                                                                "~/.ssh",
                                                                ".aws/credentials",
                                                                ".aws/config",
                                                                "/.kube/config",
                                                                ".netrc",
                                                                ".git-credentials",
                                                                "/.docker/config.json",
                                                                "/etc/shadow",
                                                                "/etc/gshadow",
                                                                "/etc/sudoers",
                                                                "/environ",
                                                                "/run/secrets/",
                                                                "/var/run/secrets",
                                                                "id_rsa",
                                                                "id_ed25519",
                                                                "id_ecdsa",
                                                                "id_dsa",
                                                                "/.gnupg/",
                                                                ".pypirc",
                                                                ".vault-token",
                                                                "/gcloud/credentials",
                                                                "application_default_credentials.json",
                                                                ".config/gh/hosts.yml"};
  for (auto m : kMarkers)
    if (word.find(m) != std::string_view::npos) return true;
  return false;
}

}  // namespace droid::runner::policy
