#include "sandbox/landlock.h"

#include <fcntl.h>
#include <linux/landlock.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

namespace droid::runner::sandbox {
namespace {

namespace fs = std::filesystem;

// Rights added after the ABI of the installed kernel headers (v2).
constexpr std::uint64_t kAccessFsTruncate = 1ULL << 14;  // ABI 3
constexpr std::uint64_t kAccessFsIoctlDev = 1ULL << 15;  // ABI 5
constexpr std::uint64_t kAccessNetBindTcp = 1ULL << 0;   // ABI 4
constexpr std::uint64_t kAccessNetConnectTcp = 1ULL << 1;
constexpr std::uint64_t kScopeAbstractUnixSocket = 1ULL << 0;  // ABI 6
constexpr std::uint64_t kScopeSignal = 1ULL << 1;

// struct landlock_ruleset_attr as of ABI 6; the kernel reads the first `size` bytes.
struct RulesetAttr {
  std::uint64_t handled_access_fs = 0;
  std::uint64_t handled_access_net = 0;
  std::uint64_t scoped = 0;
};

constexpr std::uint64_t kRead = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;
constexpr std::uint64_t kFileRights = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |
                                      LANDLOCK_ACCESS_FS_READ_FILE | kAccessFsTruncate | kAccessFsIoctlDev;
constexpr std::uint64_t kDevice =
    LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE | kAccessFsTruncate | kAccessFsIoctlDev;

std::uint64_t handled_fs(int abi) {
  std::uint64_t access = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;  // ABI 1: bits 0 to 12
  if (abi >= 2) access |= LANDLOCK_ACCESS_FS_REFER;
  if (abi >= 3) access |= kAccessFsTruncate;
  if (abi >= 5) access |= kAccessFsIoctlDev;
  return access;
}

// Whether `path` is `root` or lies beneath it (both canonical).
bool under(const std::string& path, const std::string& root) {
  if (root == "/") return true;
  return path == root ||
         (path.size() > root.size() && path.compare(0, root.size(), root) == 0 && path[root.size()] == '/');
}

std::string canonical_existing(const std::string& path, const char* what) {
  std::error_code ec;
  fs::path p = fs::canonical(path, ec);
  if (ec) throw SandboxError(std::string(what) + " '" + path + "': " + ec.message());
  return p.string();
}

class Expander {
 public:
  Expander(const FsPolicy& policy, int abi) : abi_(abi) {
    for (const auto& d : policy.denied) {
      if (d.empty() || d[0] != '/') throw SandboxError("denied path '" + d + "' is not absolute");
      // A denied path need not exist; weakly_canonical resolves the part that does.
      denied_.push_back(fs::weakly_canonical(d).string());
    }
  }

  void writable(const std::string& path) {
    std::string p = canonical_existing(path, "writable path");
    for (const auto& d : denied_)
      if (under(p, d) || under(d, p))
        throw SandboxError(
            std::string("writable path '").append(path).append("' overlaps the denied path '").append(d) + "'");
    rules_.push_back({p, handled_fs(abi_)});
  }

  void device(const std::string& path) {
    std::string p = canonical_existing(path, "device file");
    for (const auto& d : denied_)
      if (under(p, d) || under(d, p))
        throw SandboxError(std::string("device file '").append(path).append("' overlaps the denied path '").append(d) +
                           "'");
    rules_.push_back({p, kDevice & handled_fs(abi_)});
  }

  void readable(const std::string& path) {
    std::string p = canonical_existing(path, "readable path");
    for (const auto& d : denied_)
      if (under(p, d))
        throw SandboxError(
            std::string("readable path '").append(path).append("' is inside the denied path '").append(d) + "'");
    add_read(p, 0);
  }

  std::vector<Rule> take() {
    // Belt and braces: whatever the expansion did, no rule may reach a denied path.
    for (const auto& r : rules_)
      for (const auto& d : denied_)
        if (under(r.path, d) || under(d, r.path))
          throw SandboxError("internal error: rule '" + r.path + "' would grant access to denied path '" + d + "'");
    return std::move(rules_);
  }

 private:
  void add_read(const std::string& p, int depth) {
    bool contains_denied = false;
    for (const auto& d : denied_) contains_denied = contains_denied || (d != p && under(d, p));
    std::error_code ec;
    const bool is_dir = fs::is_directory(p, ec);
    if (!contains_denied || !is_dir) {
      rules_.push_back({p, (is_dir ? kRead : kRead & kFileRights) & handled_fs(abi_)});
      return;
    }
    if (depth > 32) throw SandboxError("readable path '" + p + "' is nested too deeply around a denied path");
    // Allow the siblings of the denied path, one level at a time.
    for (const auto& entry : fs::directory_iterator(p, fs::directory_options::skip_permission_denied, ec)) {
      std::string child = entry.path().string();
      if (entry.is_symlink(ec)) {
        fs::path target = fs::canonical(child, ec);
        if (ec) continue;  // dangling: nothing to allow
        bool touches_denied = false;
        for (const auto& d : denied_) touches_denied = touches_denied || under(target, d) || under(d, target);
        if (!touches_denied) add_read(target.string(), depth + 1);
        continue;
      }
      bool is_denied = false;
      for (const auto& d : denied_) is_denied = is_denied || under(child, d);
      if (!is_denied) add_read(child, depth + 1);
    }
    if (ec) throw SandboxError("cannot list '" + p + "' to exclude a denied path: " + ec.message());
  }

  int abi_;
  std::vector<std::string> denied_;
  std::vector<Rule> rules_;
};

}  // namespace

int landlock_abi() {
  long abi = syscall(SYS_landlock_create_ruleset, nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION);
  return abi < 0 ? 0 : static_cast<int>(abi);
}

std::vector<std::string> default_readable_paths() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const char* p : {"/usr", "/bin", "/sbin", "/etc", "/opt", "/proc", "/sys/devices/system/cpu"})
    if (fs::exists(p, ec)) out.emplace_back(p);
  for (const auto& entry : fs::directory_iterator("/", ec))
    if (entry.path().filename().string().rfind("lib", 0) == 0) out.push_back(entry.path().string());
  return out;
}

std::vector<std::string> default_device_files() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const char* p : {"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom"})
    if (fs::exists(p, ec)) out.emplace_back(p);
  return out;
}

std::vector<Rule> expand_rules(const FsPolicy& policy, int abi) {
  Expander e(policy, abi);
  for (const auto& p : policy.writable) e.writable(p);
  for (const auto& p : policy.device_files) e.device(p);
  for (const auto& p : policy.readable) e.readable(p);
  return e.take();
}

Ruleset& Ruleset::operator=(Ruleset&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = other.fd_;
    abi_ = other.abi_;
    other.fd_ = -1;
  }
  return *this;
}

Ruleset::~Ruleset() {
  if (fd_ >= 0) close(fd_);
}

Ruleset build_ruleset(const FsPolicy& policy) {
  const int abi = landlock_abi();
  if (abi < 1)
    throw SandboxError("Landlock is not available (kernel without CONFIG_SECURITY_LANDLOCK or 'landlock' not in lsm=)");
  std::vector<Rule> rules = expand_rules(policy, abi);

  RulesetAttr attr;
  attr.handled_access_fs = handled_fs(abi);
  std::size_t size = sizeof(std::uint64_t);
  if (abi >= 4 && policy.deny_tcp) {
    attr.handled_access_net = kAccessNetBindTcp | kAccessNetConnectTcp;
    size = 2 * sizeof(std::uint64_t);
  }
  if (abi >= 6) {
    attr.scoped = kScopeAbstractUnixSocket | kScopeSignal;
    size = sizeof(RulesetAttr);
  }
  long fd = syscall(SYS_landlock_create_ruleset, &attr, size, 0);
  if (fd < 0) throw SandboxError(std::string("landlock_create_ruleset: ") + errno_message(errno));
  Ruleset ruleset(static_cast<int>(fd), abi);
  for (const auto& r : rules) {
    int path_fd = open(r.path.c_str(), O_PATH | O_CLOEXEC);
    if (path_fd < 0) throw SandboxError("cannot open '" + r.path + "' for a Landlock rule: " + errno_message(errno));
    landlock_path_beneath_attr beneath{};
    beneath.allowed_access = r.access;
    beneath.parent_fd = path_fd;
    long rc = syscall(SYS_landlock_add_rule, ruleset.fd(), LANDLOCK_RULE_PATH_BENEATH, &beneath, 0);
    int err = errno;
    close(path_fd);
    if (rc != 0) throw SandboxError("landlock_add_rule '" + r.path + "': " + errno_message(err));
  }
  return ruleset;
}

int restrict_self(int ruleset_fd) {
  long rc = syscall(SYS_landlock_restrict_self, ruleset_fd, 0);
  int err = rc == 0 ? 0 : errno;
  close(ruleset_fd);
  return err;
}

}  // namespace droid::runner::sandbox
