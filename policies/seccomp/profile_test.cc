// policies/seccomp/droid-runner.json, the runner pod's Localhost seccomp profile:
// its structure, what it names, and its effect when applied the way runc applies it
// (droid-seccomp-exec): the syscalls SPEC §6.6 forbids fail with EPERM (and do not
// without the profile), while the runner's own sandbox (Landlock + seccomp), threads,
// git and python still work under it.
#include <gtest/gtest.h>
#include <seccomp.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "oci_profile.h"
#include "process/subprocess.h"

namespace {

namespace fs = std::filesystem;
using droid::seccomp_profile::load_profile;
using droid::seccomp_profile::parse_profile;
using droid::seccomp_profile::Profile;

// SPEC §6.6 and the node-tier issue: never allowed, whatever the arguments.
const std::vector<std::string> kForbidden = {"ptrace",
                                             "process_vm_readv",
                                             "process_vm_writev",
                                             "mount",
                                             "umount2",
                                             "umount",
                                             "unshare",
                                             "setns",
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
                                             "pivot_root",
                                             "chroot",
                                             "fsopen",
                                             "fsmount",
                                             "move_mount",
                                             "open_tree",
                                             "kcmp",
                                             "pidfd_getfd",
                                             "swapon",
                                             "settimeofday",
                                             "clock_settime"};

// What droid-runner (agent loop, sandbox) and the tools it runs need.
const std::vector<std::string> kNeeded = {"read",
                                          "write",
                                          "openat",
                                          "close",
                                          "execve",
                                          "fork",
                                          "vfork",
                                          "wait4",
                                          "exit_group",
                                          "mmap",
                                          "mprotect",
                                          "futex",
                                          "rseq",
                                          "prctl",
                                          "seccomp",
                                          "capget",
                                          "capset",
                                          "setsid",
                                          "setpgid",
                                          "close_range",
                                          "memfd_create",
                                          "prlimit64",
                                          "setrlimit",
                                          "landlock_create_ruleset",
                                          "landlock_add_rule",
                                          "landlock_restrict_self",
                                          "connect",
                                          "sendto",
                                          "recvfrom",
                                          "epoll_wait",
                                          "pipe2",
                                          "rt_sigaction",
                                          "kill",
                                          "getrandom",
                                          "newfstatat",
                                          "statx",
                                          "getdents64",
                                          "renameat2",
                                          "unlinkat"};

// Names newer than bookworm's libseccomp (2.5.4), which skips them as runc does.
const std::set<std::string> kNewerThanLibseccomp = {"fchmodat2",        "futex_requeue", "futex_wait", "futex_wake",
                                                    "map_shadow_stack", "mseal",         "cachestat"};

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The probe's "NAME RESULT" lines as a map.
std::map<std::string, std::string> parse_probe(const std::string& out) {
  std::map<std::string, std::string> results;
  std::istringstream lines(out);
  std::string name;
  std::string result;
  while (lines >> name >> result) results[name] = result;
  return results;
}

droid::process::Result under_profile(const std::vector<std::string>& command,
                                     const std::vector<std::string>& env = {}) {
  std::vector<std::string> argv = {DROID_SECCOMP_EXEC, DROID_SECCOMP_PROFILE, "--"};
  argv.insert(argv.end(), command.begin(), command.end());
  droid::process::Options options;
  options.env = env;
  options.env.emplace_back("ASAN_OPTIONS=detect_leaks=0");  // LeakSanitizer needs ptrace (sanitize preset)
  return droid::process::run_with(argv, options);
}

class ProfileTest : public ::testing::Test {
 protected:
  Profile profile_ = load_profile(DROID_SECCOMP_PROFILE);
};

TEST_F(ProfileTest, DeniesByDefaultWithEperm) {
  EXPECT_EQ(profile_.default_action, "SCMP_ACT_ERRNO");
  EXPECT_EQ(profile_.default_errno_ret, 1);
  EXPECT_NE(std::find(profile_.architectures.begin(), profile_.architectures.end(), "SCMP_ARCH_X86_64"),
            profile_.architectures.end());
  for (const auto& rule : profile_.rules)
    EXPECT_TRUE(rule.action == "SCMP_ACT_ALLOW" || rule.action == "SCMP_ACT_ERRNO") << rule.names.front();
}

TEST_F(ProfileTest, NoRuleAllowsAForbiddenSyscall) {
  for (const auto& name : kForbidden) {
    EXPECT_FALSE(profile_.allows(name)) << name;
    EXPECT_FALSE(profile_.allows_conditionally(name)) << name;
  }
}

TEST_F(ProfileTest, AllowsWhatTheRunnerNeeds) {
  for (const auto& name : kNeeded) EXPECT_TRUE(profile_.allows(name)) << name;
  // Only conditionally: clone without namespace flags, socket of a few families.
  EXPECT_FALSE(profile_.allows("clone"));
  EXPECT_TRUE(profile_.allows_conditionally("clone"));
  EXPECT_TRUE(profile_.allows_conditionally("socket"));
  EXPECT_FALSE(profile_.allows("clone3"));
}

TEST_F(ProfileTest, CloneIsAllowedOnlyWithoutNamespaceFlags) {
  const auto& rules = profile_.rules;
  auto clone = std::find_if(rules.begin(), rules.end(), [](const auto& r) {
    return r.action == "SCMP_ACT_ALLOW" && std::find(r.names.begin(), r.names.end(), "clone") != r.names.end();
  });
  ASSERT_NE(clone, rules.end());
  ASSERT_EQ(clone->args.size(), 1U);
  const auto& c = clone->args.front();
  EXPECT_EQ(c.op, "SCMP_CMP_MASKED_EQ");
  EXPECT_EQ(c.index, 0U);
  EXPECT_EQ(c.value_two, 0U);
  for (unsigned long long flag :
       {CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET})
    EXPECT_EQ(c.value & flag, flag) << std::hex << flag;
}

TEST_F(ProfileTest, EveryNameIsASyscall) {
  for (const auto& name : profile_.names()) {
    if (kNewerThanLibseccomp.count(name) != 0) continue;
    const bool known = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, name.c_str()) != __NR_SCMP_ERROR ||
                       seccomp_syscall_resolve_name_arch(SCMP_ARCH_AARCH64, name.c_str()) != __NR_SCMP_ERROR;
    EXPECT_TRUE(known) << name << " is no syscall (a typo would leave it denied)";
  }
}

TEST(ProfileParse, RejectsWhatIsNotAProfile) {
  EXPECT_THROW(parse_profile("[]"), std::runtime_error);
  EXPECT_THROW(parse_profile(R"({"defaultAction":"SCMP_ACT_NOPE","syscalls":[]})"), std::runtime_error);
  EXPECT_THROW(parse_profile(R"({"defaultAction":"SCMP_ACT_ERRNO"})"), std::runtime_error);
  EXPECT_THROW(
      parse_profile(R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":[],"action":"SCMP_ACT_ALLOW"}]})"),
      std::runtime_error);
  EXPECT_THROW(parse_profile(R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],
                 "action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_SOMETIMES"}]}]})"),
               std::runtime_error);
  EXPECT_NO_THROW(parse_profile(read_file(DROID_SECCOMP_PROFILE)));
}

TEST(ProfileApplied, ForbiddenSyscallsFailWithEpermOnlyUnderTheProfile) {
  const auto bare = droid::process::run({DROID_SECCOMP_PROBE});
  ASSERT_TRUE(bare.ok()) << bare.describe();
  const auto confined = under_profile({DROID_SECCOMP_PROBE});
  ASSERT_TRUE(confined.ok()) << confined.describe();
  auto without = parse_probe(bare.out);
  auto with = parse_probe(confined.out);

  for (const char* name : {"ptrace",
                           "process_vm_readv",
                           "mount",
                           "umount2",
                           "unshare",
                           "setns",
                           "clone_newuts",
                           "keyctl",
                           "add_key",
                           "request_key",
                           "bpf",
                           "perf_event_open",
                           "io_uring_setup",
                           "init_module",
                           "finit_module",
                           "delete_module",
                           "kexec_load",
                           "reboot",
                           "userfaultfd",
                           "open_by_handle_at",
                           "socket_packet",
                           "personality_addr_no_randomize"})
    EXPECT_EQ(with[name], "EPERM") << name << "\n" << confined.out;

  // Without the profile the same calls fail otherwise (or work): the profile is what refuses them.
  for (const char* name : {"ptrace", "process_vm_readv", "setns"}) EXPECT_NE(without[name], "EPERM") << name;
  if (geteuid() == 0) {
    for (const char* name : {"mount", "umount2", "unshare", "clone_newuts", "bpf", "socket_packet"})
      EXPECT_NE(without[name], "EPERM") << name << "\n" << bare.out;
  }

  for (const char* name : {"landlock_create_ruleset", "seccomp", "prctl", "fork", "socket_inet", "socket_inet6",
                           "socket_unix", "memfd_create", "personality_query"})
    EXPECT_EQ(with[name], "ok") << name << "\n" << confined.out;
  EXPECT_EQ(with["clone3"], "ENOSYS");  // so the C library falls back to clone, which the filter can inspect
}

class RunnerUnderProfile : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = fs::temp_directory_path().string() + "/droid-seccomp-profile-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    workspace_ = tmpl;
  }
  void TearDown() override { fs::remove_all(workspace_); }
  droid::process::Result sandbox(const std::vector<std::string>& command) const {
    std::vector<std::string> argv = {DROID_RUNNER, "sandbox", "--workspace", workspace_.string(), "--"};
    argv.insert(argv.end(), command.begin(), command.end());
    return under_profile(argv);
  }
  fs::path workspace_;
};

TEST_F(RunnerUnderProfile, SandboxRunsACommand) {
  const auto r = sandbox({"/bin/true"});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
}

TEST_F(RunnerUnderProfile, SandboxStillConfinesWritesAndTheToolsWork) {
  // Landlock and the tool filter stack on top of the pod's profile: a write in the
  // workspace works, one outside is refused; git and python (threads: clone3 falls
  // back to clone) work.
  const auto r = sandbox({"/bin/sh", "-c",
                          "echo ok > inside && cat inside && git init -q repo && "
                          "python3 -c 'import threading; t = threading.Thread(target=print, args=(\"thread\",)); "
                          "t.start(); t.join()' && "
                          "(echo x > /var/tmp/droid-seccomp-escape && echo escaped || echo refused)"});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.out, "ok\nthread\nrefused\n") << r.describe();
  EXPECT_TRUE(fs::exists(workspace_ / "repo" / ".git"));
  EXPECT_FALSE(fs::exists("/var/tmp/droid-seccomp-escape"));
}

}  // namespace
