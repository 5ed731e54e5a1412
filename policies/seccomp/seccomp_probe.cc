// seccomp_probe: tries syscalls and prints, for each, one line "NAME RESULT" where
// RESULT is "ok" or the errno name it failed with (EPERM, ENOSYS, EINVAL, ...).
// The profile test runs it with and without policies/seccomp/droid-runner.json.
// Every attempt happens in a forked child with arguments that make it harmless
// even where it is allowed (a path that does not exist, a bad file descriptor,
// a reboot magic number the kernel rejects), so the host is never changed.
#include <fcntl.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace {

// Runs attempt() in a child; the child exits 0 on success or with the errno.
std::string probe(const std::function<long()>& attempt) {
  const pid_t pid = fork();
  if (pid < 0) return "fork-failed";
  if (pid == 0) {
    errno = 0;
    const long rc = attempt();
    _exit(rc < 0 ? (errno == 0 ? 255 : errno) : 0);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return "wait-failed";
  if (WIFSIGNALED(status)) return std::string("signal-") + std::to_string(WTERMSIG(status));
  const int code = WEXITSTATUS(status);
  if (code == 0) return "ok";
  const char* name = strerrorname_np(code);
  return name != nullptr ? name : "errno-" + std::to_string(code);
}

long clone_new_uts() {
  // A raw clone with CLONE_NEWUTS: where it succeeds, the new child exits at once.
  const long rc = syscall(SYS_clone, CLONE_NEWUTS | SIGCHLD, nullptr, nullptr, nullptr, 0);
  if (rc == 0) _exit(0);
  if (rc > 0) waitpid(static_cast<pid_t>(rc), nullptr, 0);
  return rc;
}

long plain_fork() {
  const pid_t pid = fork();
  if (pid == 0) _exit(0);
  if (pid > 0) waitpid(pid, nullptr, 0);
  return pid;
}

}  // namespace

int main() {
  static char buffer[16];
  const std::vector<std::pair<const char*, std::function<long()>>> probes = {
      // Forbidden by the profile (SPEC §6.6).
      {"ptrace", [] { return syscall(SYS_ptrace, 2 /*PTRACE_PEEKDATA*/, getppid(), nullptr, nullptr); }},
      {"process_vm_readv",
       [] {
         iovec local{buffer, sizeof buffer};
         iovec remote{buffer, sizeof buffer};
         return syscall(SYS_process_vm_readv, getpid(), &local, 1, &remote, 1, 0);
       }},
      {"mount", [] { return syscall(SYS_mount, "none", "/nonexistent-droid-probe", "tmpfs", 0, nullptr); }},
      {"umount2", [] { return syscall(SYS_umount2, "/nonexistent-droid-probe", 0); }},
      {"unshare", [] { return syscall(SYS_unshare, CLONE_NEWUTS); }},
      {"setns", [] { return syscall(SYS_setns, -1, 0); }},
      {"clone_newuts", clone_new_uts},
      {"keyctl", [] { return syscall(SYS_keyctl, 0 /*KEYCTL_GET_KEYRING_ID*/, -3 /*session*/, 0); }},
      {"add_key", [] { return syscall(SYS_add_key, "droid-no-such-type", "d", nullptr, 0, -3); }},
      {"request_key", [] { return syscall(SYS_request_key, "user", "droid-no-such-key", nullptr, 0); }},
      {"bpf", [] { return syscall(SYS_bpf, -1, nullptr, 0); }},
      {"perf_event_open", [] { return syscall(SYS_perf_event_open, nullptr, 0, -1, -1, 0); }},
      {"io_uring_setup", [] { return syscall(SYS_io_uring_setup, 0, nullptr); }},
      {"init_module", [] { return syscall(SYS_init_module, nullptr, 0, ""); }},
      {"finit_module", [] { return syscall(SYS_finit_module, -1, "", 0); }},
      {"delete_module", [] { return syscall(SYS_delete_module, "droid_no_such_module", O_NONBLOCK); }},
      {"kexec_load", [] { return syscall(SYS_kexec_load, 0, 0, nullptr, 0xdead0000UL); }},
      {"reboot", [] { return syscall(SYS_reboot, 0, 0, 0, nullptr); }},  // bad magic: EINVAL when allowed
      {"userfaultfd", [] { return syscall(SYS_userfaultfd, -1); }},
      {"open_by_handle_at", [] { return syscall(SYS_open_by_handle_at, -1, nullptr, 0); }},
      {"socket_packet", [] { return syscall(SYS_socket, AF_PACKET, SOCK_DGRAM, 0); }},
      {"personality_addr_no_randomize", [] { return syscall(SYS_personality, 0x0040000UL); }},
      // What the runner needs (its own sandbox, its network, ordinary programs).
      {"landlock_create_ruleset",
       [] { return syscall(SYS_landlock_create_ruleset, nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION); }},
      {"seccomp",
       [] {
         static unsigned int allow = SECCOMP_RET_ALLOW;
         return syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &allow);
       }},
      {"prctl", [] { return syscall(SYS_prctl, PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0); }},
      {"fork", plain_fork},
      {"clone3", [] { return syscall(SYS_clone3, nullptr, 0); }},  // ENOSYS: the C library falls back to clone
      {"socket_inet", [] { return syscall(SYS_socket, AF_INET, SOCK_STREAM, 0); }},
      {"socket_inet6", [] { return syscall(SYS_socket, AF_INET6, SOCK_STREAM, 0); }},
      {"socket_unix", [] { return syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0); }},
      {"memfd_create", [] { return syscall(SYS_memfd_create, "droid-probe", 0); }},
      {"personality_query", [] { return syscall(SYS_personality, 0xffffffffUL); }},
  };
  for (const auto& [name, attempt] : probes) std::printf("%s %s\n", name, probe(attempt).c_str());
  return 0;
}
