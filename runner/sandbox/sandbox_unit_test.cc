// Unit tests of the sandbox's parts: environment, output cap, rlimits, the
// Landlock rule expansion around denied paths, and the seccomp filter alone
// (installed in a forked child without Landlock, to show that it is the filter
// that refuses each syscall: the controls succeed without it).
#include <fcntl.h>
#include <linux/io_uring.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <functional>

#include "sandbox/environment.h"
#include "sandbox/landlock.h"
#include "sandbox/output_limit.h"
#include "sandbox/rlimits.h"
#include "sandbox/seccomp_filter.h"

namespace droid::runner::sandbox {
namespace {

namespace fs = std::filesystem;

TEST(Environment, HoldsOnlyTheFixedVariablesAndTheExtraOnes) {
  auto env = build_environment("", "/ws", "/tmp/t", {{"FOO", "bar"}, {"TERM", "xterm"}});
  EXPECT_EQ(env, (std::vector<std::string>{"FOO=bar", "HOME=/ws", "LANG=C.UTF-8", "LC_ALL=C.UTF-8",
                                           std::string("PATH=") + kDefaultPath, "TERM=xterm", "TMPDIR=/tmp/t"}));
}

TEST(Environment, RejectsInvalidNames) {
  EXPECT_THROW(build_environment("", "/ws", "/t", {{"A=B", "x"}}), std::invalid_argument);
  EXPECT_THROW(build_environment("", "/ws", "/t", {{"", "x"}}), std::invalid_argument);
}

TEST(CappedBuffer, KeepsTheFirstBytesAndCountsTheRest) {
  CappedBuffer b(5);
  b.append("abc", 3);
  EXPECT_FALSE(b.truncated());
  b.append("defgh", 5);
  EXPECT_TRUE(b.truncated());
  EXPECT_EQ(b.text(), "abcde");
  EXPECT_EQ(b.total(), 8u);
  CappedBuffer exact(3);
  exact.append("abc", 3);
  EXPECT_FALSE(exact.truncated());
}

// Runs `f` in a forked child; returns its exit status (0 = all checks passed,
// otherwise the number of the failing check).
int in_child(const std::function<int()>& f) {
  pid_t pid = fork();
  if (pid == 0) _exit(f());
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
}

TEST(Rlimits, AppliesLimitsAndDisablesCoreDumps) {
  Limits l;
  l.cpu_seconds = 50;
  l.open_files = 64;
  l.file_size_bytes = 1 << 20;
  l.processes = 77;
  l.data_bytes = 1ULL << 32;
  PreparedLimits p = prepare_rlimits(l);
  EXPECT_EQ(in_child([&] {
              if (apply_rlimits(p) != 0) return 1;
              rlimit r{};
              getrlimit(RLIMIT_NOFILE, &r);
              if (r.rlim_cur != 64) return 2;
              getrlimit(RLIMIT_CPU, &r);
              if (r.rlim_cur != 50 || r.rlim_max != 51) return 3;
              getrlimit(RLIMIT_CORE, &r);
              if (r.rlim_cur != 0 || r.rlim_max != 0) return 4;
              getrlimit(RLIMIT_FSIZE, &r);
              if (r.rlim_cur != (1 << 20)) return 5;
              getrlimit(RLIMIT_NPROC, &r);
              if (r.rlim_cur != 77) return 6;
              getrlimit(RLIMIT_DATA, &r);
              if (r.rlim_cur != (1ULL << 32)) return 7;
              return 0;
            }),
            0);
}

TEST(Rlimits, ZeroLeavesALimitAlone) {
  Limits l;
  l.cpu_seconds = 0;
  l.data_bytes = 0;
  l.file_size_bytes = 0;
  l.processes = 0;
  l.open_files = 0;
  EXPECT_EQ(prepare_rlimits(l).count, 1u);  // only RLIMIT_CORE
}

class LandlockRules : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = fs::temp_directory_path().string() + "/droid-landlock-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    root_ = fs::canonical(tmpl).string();
  }
  void TearDown() override { fs::remove_all(root_); }
  bool has_rule(const std::vector<Rule>& rules, const std::string& path) {
    return std::any_of(rules.begin(), rules.end(), [&](const Rule& r) { return r.path == path; });
  }
  std::string root_;
};

TEST_F(LandlockRules, ReadRootContainingADeniedPathIsExpandedAroundIt) {
  fs::create_directories(root_ + "/etc/droid");
  fs::create_directories(root_ + "/etc/ssl/certs");
  std::ofstream(root_ + "/etc/hosts") << "x";
  fs::create_symlink(root_ + "/etc/droid", root_ + "/etc/alias-of-droid");
  FsPolicy p;
  p.readable = {root_ + "/etc"};
  p.denied = {root_ + "/etc/droid"};
  auto rules = expand_rules(p, 1);
  EXPECT_FALSE(has_rule(rules, root_ + "/etc"));
  EXPECT_FALSE(has_rule(rules, root_ + "/etc/droid"));
  EXPECT_TRUE(has_rule(rules, root_ + "/etc/ssl"));
  EXPECT_TRUE(has_rule(rules, root_ + "/etc/hosts"));
  EXPECT_EQ(rules.size(), 2u);  // the symlink to the denied dir is skipped
}

TEST_F(LandlockRules, DeniedPathThroughASymlinkIsStillDenied) {
  fs::create_directories(root_ + "/real/secrets");
  fs::create_directories(root_ + "/real/other");
  fs::create_symlink(root_ + "/real", root_ + "/run");
  FsPolicy p;
  p.readable = {root_ + "/real"};
  p.denied = {root_ + "/run/secrets"};  // names the same directory through the symlink
  auto rules = expand_rules(p, 3);
  EXPECT_TRUE(has_rule(rules, root_ + "/real/other"));
  EXPECT_FALSE(has_rule(rules, root_ + "/real"));
  EXPECT_FALSE(has_rule(rules, root_ + "/real/secrets"));
}

TEST_F(LandlockRules, FilesGetOnlyFileRights) {
  std::ofstream(root_ + "/f") << "x";
  FsPolicy p;
  p.readable = {root_ + "/f"};
  auto rules = expand_rules(p, 1);
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_EQ(rules[0].access, 1u | 4u);  // EXECUTE | READ_FILE, no READ_DIR
}

TEST_F(LandlockRules, RefusesOverlapsThatWouldExposeADeniedPath) {
  fs::create_directories(root_ + "/ws/creds");
  FsPolicy writable_contains;
  writable_contains.writable = {root_ + "/ws"};
  writable_contains.denied = {root_ + "/ws/creds"};
  EXPECT_THROW(expand_rules(writable_contains, 1), SandboxError);
  FsPolicy readable_inside;
  readable_inside.readable = {root_ + "/ws/creds"};
  readable_inside.denied = {root_ + "/ws"};
  EXPECT_THROW(expand_rules(readable_inside, 1), SandboxError);
  FsPolicy relative;
  relative.denied = {"etc/droid"};
  EXPECT_THROW(expand_rules(relative, 1), SandboxError);
  FsPolicy missing;
  missing.writable = {root_ + "/does-not-exist"};
  EXPECT_THROW(expand_rules(missing, 1), SandboxError);
}

TEST_F(LandlockRules, WritableRootsGetEveryRightOfTheAbi) {
  FsPolicy p;
  p.writable = {root_};
  EXPECT_EQ(expand_rules(p, 1)[0].access, (1u << 13) - 1);
  EXPECT_EQ(expand_rules(p, 2)[0].access, (1u << 14) - 1);
  EXPECT_EQ(expand_rules(p, 3)[0].access, (1u << 15) - 1);
  EXPECT_EQ(expand_rules(p, 5)[0].access, (1u << 16) - 1);
}

TEST(Landlock, KernelReportsAnAbi) { EXPECT_GE(landlock_abi(), 1); }

// Installs the filter in a child (no_new_privs, no Landlock) and runs `call`;
// returns the errno the call failed with, 0 if it succeeded, or -1/-2 when
// the filter could not be installed.
int errno_under_filter(Network net, const std::function<long()>& call, bool install = true) {
  const BpfProgram& prog = build_filter(net);
  int fds[2];
  if (pipe(fds) != 0) return -3;
  pid_t pid = fork();
  if (pid == 0) {
    int result = 0;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) result = -1;
    if (result == 0 && install && install_filter(prog) != 0) result = -2;
    if (result == 0) result = call() < 0 ? errno : 0;
    if (write(fds[1], &result, sizeof result) != sizeof result) _exit(1);
    _exit(0);
  }
  close(fds[1]);
  int result = -4;
  if (read(fds[0], &result, sizeof result) != sizeof result) result = -4;
  close(fds[0]);
  waitpid(pid, nullptr, 0);
  return result;
}

long close_if_fd(long fd) {
  if (fd >= 0) close(static_cast<int>(fd));
  return fd;
}

TEST(SeccompFilter, KeyctlIsDenied) {
  auto call = [] { return syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0); };
  EXPECT_EQ(errno_under_filter(Network::None, call, false), 0);  // control
  EXPECT_EQ(errno_under_filter(Network::None, call), EPERM);
}

TEST(SeccompFilter, IoUringIsDenied) {
  auto call = [] {
    io_uring_params params{};
    return close_if_fd(syscall(SYS_io_uring_setup, 4, &params));
  };
  EXPECT_EQ(errno_under_filter(Network::None, call), EPERM);
}

TEST(SeccompFilter, NamespacesAreDenied) {
  auto unshare_user = [] { return static_cast<long>(unshare(CLONE_NEWUSER)); };
  EXPECT_EQ(errno_under_filter(Network::None, unshare_user, false), 0);  // control (as root)
  EXPECT_EQ(errno_under_filter(Network::None, unshare_user), EPERM);
  auto clone_net = [] {
    long pid = syscall(SYS_clone, CLONE_NEWNET | SIGCHLD, nullptr, nullptr, nullptr, nullptr);
    if (pid == 0) _exit(0);
    if (pid > 0) waitpid(static_cast<pid_t>(pid), nullptr, 0);
    return pid;
  };
  EXPECT_EQ(errno_under_filter(Network::None, clone_net), EPERM);
  auto plain_fork = [] {
    pid_t pid = fork();
    if (pid == 0) _exit(0);
    if (pid > 0) waitpid(pid, nullptr, 0);
    return static_cast<long>(pid);
  };
  EXPECT_EQ(errno_under_filter(Network::None, plain_fork), 0);
}

TEST(SeccompFilter, PtraceAndBpfAreDenied) {
  auto ptrace_parent = [] { return ptrace(PTRACE_ATTACH, getppid(), nullptr, nullptr); };
  EXPECT_EQ(errno_under_filter(Network::None, ptrace_parent), EPERM);
  auto bpf_call = [] { return syscall(SYS_bpf, 0, nullptr, 0); };
  EXPECT_EQ(errno_under_filter(Network::None, bpf_call, false), EINVAL);  // control: reaches the kernel
  EXPECT_EQ(errno_under_filter(Network::None, bpf_call), EPERM);
}

TEST(SeccompFilter, SocketsDependOnNetwork) {
  auto inet = [] { return close_if_fd(socket(AF_INET, SOCK_STREAM, 0)); };
  auto unix_socket = [] { return close_if_fd(socket(AF_UNIX, SOCK_STREAM, 0)); };
  auto raw = [] { return close_if_fd(socket(AF_INET, SOCK_RAW, 1)); };
  EXPECT_EQ(errno_under_filter(Network::None, inet), EPERM);
  EXPECT_EQ(errno_under_filter(Network::None, unix_socket), 0);
  EXPECT_EQ(errno_under_filter(Network::Gateway, inet), 0);
  EXPECT_EQ(errno_under_filter(Network::Gateway, raw, false), 0);  // control (as root)
  EXPECT_EQ(errno_under_filter(Network::Gateway, raw), EPERM);
}

TEST(SeccompFilter, PersonalityQueryAllowedFlagsDenied) {
  auto query = [] { return static_cast<long>(personality(0xffffffff)); };
  auto no_aslr = [] {
    return static_cast<long>(personality(static_cast<unsigned long>(PER_LINUX) | ADDR_NO_RANDOMIZE));
  };
  EXPECT_EQ(errno_under_filter(Network::None, query), 0);
  EXPECT_EQ(errno_under_filter(Network::None, no_aslr), EPERM);
}

}  // namespace
}  // namespace droid::runner::sandbox
