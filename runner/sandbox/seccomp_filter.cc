#include "sandbox/seccomp_filter.h"

#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <mutex>
#include <string>

#include "sandbox/landlock.h"

namespace droid::runner::sandbox {
namespace {

// Every syscall denied outright, by name so that names unknown to this
// architecture (or to this libseccomp) are simply skipped.
constexpr const char* kDenied[] = {
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "mount",
    "umount",
    "umount2",
    "pivot_root",
    "chroot",
    "unshare",
    "setns",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "move_mount",
    "open_tree",
    "mount_setattr",
    "keyctl",
    "add_key",
    "request_key",
    "bpf",
    "perf_event_open",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "init_module",
    "finit_module",
    "delete_module",
    "kexec_load",
    "kexec_file_load",
    "reboot",
    "userfaultfd",
    "open_by_handle_at",
    "name_to_handle_at",
    "swapon",
    "swapoff",
    "acct",
    "settimeofday",
    "clock_settime",
    "clock_adjtime",
    "adjtimex",
    "stime",
    "quotactl",
    "quotactl_fd",
    "lookup_dcookie",
    "vhangup",
    "nfsservctl",
    "uselib",
    "syslog",
    "iopl",
    "ioperm",
    "fanotify_init",
    "kcmp",
};

constexpr unsigned long long kNamespaceFlags[] = {CLONE_NEWUSER, CLONE_NEWNS,  CLONE_NEWPID,   CLONE_NEWNET,
                                                  CLONE_NEWUTS,  CLONE_NEWIPC, CLONE_NEWCGROUP};

constexpr unsigned long long kPersonalityFlags[] = {
    UNAME26,          ADDR_NO_RANDOMIZE, FDPIC_FUNCPTRS, MMAP_PAGE_ZERO,  ADDR_COMPAT_LAYOUT, READ_IMPLIES_EXEC,
    ADDR_LIMIT_32BIT, SHORT_INODE,       WHOLE_SECONDS,  STICKY_TIMEOUTS, ADDR_LIMIT_3GB};

constexpr int kMaxFamily = 64;  // above AF_MAX (46 in Linux 6.x)

struct CtxDeleter {
  void operator()(void* ctx) const { seccomp_release(ctx); }
};

void check(int rc, const std::string& what) {
  if (rc < 0) throw SandboxError("seccomp: " + what + ": " + errno_message(-rc));
}

BpfProgram compile(Network network) {
  std::unique_ptr<void, CtxDeleter> ctx(seccomp_init(SCMP_ACT_ALLOW));
  if (!ctx) throw SandboxError("seccomp_init failed");
  void* c = ctx.get();
  check(seccomp_attr_set(c, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS), "bad-arch action");
  check(seccomp_attr_set(c, SCMP_FLTATR_CTL_NNP, 0), "no_new_privs attribute");  // the child sets it itself

  for (const char* name : kDenied) {
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR || nr < 0) continue;  // not a syscall on this architecture
    check(seccomp_rule_add(c, SCMP_ACT_ERRNO(EPERM), nr, 0), name);
  }
  for (unsigned long long flag : kNamespaceFlags)
    check(seccomp_rule_add(c, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1, SCMP_A0(SCMP_CMP_MASKED_EQ, flag, flag)),
          "clone");
  check(seccomp_rule_add(c, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0), "clone3");
  // Bit 31 is never a personality flag, and it is set in the query 0xffffffff,
  // which stays allowed.
  for (unsigned long long flag : kPersonalityFlags)
    check(seccomp_rule_add(c, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(personality), 1,
                           SCMP_A0(SCMP_CMP_MASKED_EQ, flag | 0x80000000ULL, flag)),
          "personality");

  for (int family = 0; family < kMaxFamily; ++family) {
    if (family == AF_UNIX || family == AF_NETLINK) continue;
    if (network == Network::Gateway && (family == AF_INET || family == AF_INET6)) {
      check(seccomp_rule_add(c, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(socket), 2,
                             SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffULL, static_cast<unsigned>(family)),
                             SCMP_A1(SCMP_CMP_MASKED_EQ, 0xfULL, static_cast<unsigned>(SOCK_RAW))),
            "socket raw");
      continue;
    }
    check(seccomp_rule_add(c, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(socket), 1,
                           SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffULL, static_cast<unsigned>(family))),
          "socket");
  }
  // A socketpair of another family is no way out, but keep the rule symmetric.
  check(seccomp_rule_add(c, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(socketpair), 1,
                         SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffULL, static_cast<unsigned>(AF_INET))),
        "socketpair");

  // libseccomp 2.5 exports BPF to a file descriptor only: go through a memfd.
  int fd = memfd_create("droid-seccomp", MFD_CLOEXEC);
  if (fd < 0) throw SandboxError(std::string("memfd_create: ") + errno_message(errno));
  int rc = seccomp_export_bpf(c, fd);
  off_t size = lseek(fd, 0, SEEK_END);
  BpfProgram program(size > 0 ? static_cast<std::size_t>(size) / sizeof(sock_filter) : 0);
  bool read_ok = size > 0 && pread(fd, program.data(), static_cast<std::size_t>(size), 0) == size;
  close(fd);
  check(rc, "export");
  if (!read_ok || program.empty() || static_cast<std::size_t>(size) % sizeof(sock_filter) != 0)
    throw SandboxError("seccomp: could not read back the exported filter");
  return program;
}

}  // namespace

const BpfProgram& build_filter(Network network) {
  static std::once_flag once[2];
  static BpfProgram programs[2];
  const auto i = static_cast<std::size_t>(network == Network::Gateway);
  std::call_once(once[i], [&] { programs[i] = compile(network); });
  return programs[i];
}

int install_filter(const BpfProgram& program) {
  sock_fprog prog{};
  prog.len = static_cast<unsigned short>(program.size());
  prog.filter = const_cast<sock_filter*>(program.data());
  return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0 ? 0 : errno;
}

}  // namespace droid::runner::sandbox
