// Landlock (unprivileged filesystem sandboxing, linux/landlock.h) for the tool
// sandbox. Landlock is allow-list based: a restricted process may only touch
// the hierarchies its ruleset names, with the rights given there.
//
// build_ruleset() runs in the parent: it turns an FsPolicy into a ruleset fd
// (close-on-exec), using every filesystem right the running kernel's ABI knows
// (v1 to v7), and, from ABI 6, scoping signals and abstract unix sockets to the
// sandbox; from ABI 4 it can also deny TCP bind/connect. restrict_self() runs in
// the child after PR_SET_NO_NEW_PRIVS and is async-signal-safe.
//
// Denied paths (the runner's configuration, credentials, service-account
// token) must stay unreadable. Since rules grant whole hierarchies, a read root
// that contains a denied path is expanded into its entries, minus the denied
// one (and minus symlinks leading to it), recursively; a root at or inside a
// denied path, or a writable root that contains one, is refused with
// SandboxError: the sandbox fails closed rather than start with a hole.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sandbox/error.h"

namespace droid::runner::sandbox {

struct FsPolicy {
  std::vector<std::string> writable;      // read, write, create, remove, execute (workspace, temp dir)
  std::vector<std::string> readable;      // read and execute (system directories)
  std::vector<std::string> device_files;  // read and write of single files (/dev/null...)
  std::vector<std::string> denied;        // never readable; see above
  bool deny_tcp = false;                  // ABI >= 4: no TCP bind/connect
};

// The Landlock ABI version the kernel reports, or 0 when Landlock is missing or disabled.
int landlock_abi();

// The standard system directories a command may read and execute: /usr, /bin,
// /sbin, /lib*, /etc, /opt, /proc and CPU topology in /sys, when they exist.
std::vector<std::string> default_readable_paths();
// The character devices a command may read and write.
std::vector<std::string> default_device_files();

struct Rule {
  std::string path;  // canonical
  std::uint64_t access = 0;
};

// The rules the policy expands to for `abi`, after the checks above. Exposed for tests.
std::vector<Rule> expand_rules(const FsPolicy& policy, int abi);

class Ruleset {
 public:
  Ruleset() = default;
  Ruleset(int fd, int abi) : fd_(fd), abi_(abi) {}
  Ruleset(const Ruleset&) = delete;
  Ruleset& operator=(const Ruleset&) = delete;
  Ruleset(Ruleset&& other) noexcept : fd_(other.fd_), abi_(other.abi_) { other.fd_ = -1; }
  Ruleset& operator=(Ruleset&& other) noexcept;
  ~Ruleset();

  int fd() const { return fd_; }
  int abi() const { return abi_; }

 private:
  int fd_ = -1;
  int abi_ = 0;
};

// Throws SandboxError when Landlock is unavailable or a path check fails.
Ruleset build_ruleset(const FsPolicy& policy);

// Enforces the ruleset on the calling thread and its future children, closes
// `ruleset_fd`; returns 0 or an errno. Requires no_new_privs (or CAP_SYS_ADMIN).
int restrict_self(int ruleset_fd);

}  // namespace droid::runner::sandbox
