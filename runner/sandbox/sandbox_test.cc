// Runs real commands in the sandbox: each escape a tool might try is attempted
// by sandbox_probe (or a shell one-liner) and must fail; controls show the same
// probe succeeds where it is allowed, so that the tests can fail.
#include "sandbox/sandbox.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace droid::runner::sandbox {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

const std::string kProbe = DROID_SANDBOX_PROBE;
constexpr uid_t kNobody = 65534;

std::string describe(const Outcome& o) {
  return "exit " + std::to_string(o.exit_code) + (o.timed_out ? " (timed out)" : "") + "\nstdout: " + o.out +
         "\nstderr: " + o.err + "\nerror: " + o.error;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool process_gone(pid_t pid) { return kill(pid, 0) != 0 && errno == ESRCH; }

// Runs `f` in a forked child that has switched to uid/gid 65534, and returns
// its Outcome: the sandbox must work for an unprivileged runner.
Outcome as_nobody(const std::function<Outcome()>& f) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe");
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    std::string msg;
    if (setgroups(0, nullptr) != 0 || setgid(kNobody) != 0 || setuid(kNobody) != 0) {
      msg = "-1\n0\ncannot drop to 65534\n";
    } else {
      try {
        Outcome o = f();
        msg = std::to_string(o.exit_code) + "\n" + std::to_string(o.out.size()) + "\n" + o.out + o.err + o.error;
      } catch (const std::exception& e) {
        msg = "-2\n0\n" + std::string(e.what());
      }
    }
    for (std::size_t off = 0; off < msg.size();) {
      ssize_t n = write(fds[1], msg.data() + off, msg.size() - off);
      if (n <= 0) break;
      off += static_cast<std::size_t>(n);
    }
    _exit(0);
  }
  close(fds[1]);
  std::string all;
  char buf[4096];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) all.append(buf, static_cast<std::size_t>(n));
  close(fds[0]);
  waitpid(pid, nullptr, 0);
  std::istringstream in(all);
  Outcome o;
  std::size_t out_size = 0;
  in >> o.exit_code >> out_size;
  in.get();
  o.out.resize(out_size);
  in.read(o.out.data(), static_cast<std::streamsize>(out_size));
  std::getline(in, o.err, '\0');
  return o;
}

class Sandbox : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = fs::temp_directory_path().string() + "/droid-sandbox-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    workspace_ = root_ + "/workspace";
    fs::create_directory(workspace_);
    // Traversable and writable by 65534 for the unprivileged tests, and by
    // root, whose capabilities (CAP_DAC_OVERRIDE included) the sandbox drops.
    chmod(root_.c_str(), 0755);
    ASSERT_EQ(chown(workspace_.c_str(), kNobody, kNobody), 0);
    chmod(workspace_.c_str(), 0777);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  Spec spec(std::vector<std::string> argv) const {
    Spec s;
    s.argv = std::move(argv);
    s.workspace = workspace_;
    s.timeout = std::chrono::seconds(30);
    s.extra_readable = {fs::path(kProbe).parent_path().string()};
    return s;
  }
  Outcome probe(std::vector<std::string> args) const {
    args.insert(args.begin(), kProbe);
    return run_sandboxed(spec(args));
  }
  Outcome sh(const std::string& script) const { return run_sandboxed(spec({"/bin/sh", "-c", script})); }

  std::string root_;
  std::string workspace_;
};

#define EXPECT_BLOCKED(outcome, errno_name)                      \
  do {                                                           \
    const Outcome& o_ = (outcome);                               \
    EXPECT_EQ(o_.exit_code, 1) << describe(o_);                  \
    EXPECT_EQ(o_.out, "errno=" errno_name "\n") << describe(o_); \
  } while (false)

#define EXPECT_ALLOWED(outcome)                 \
  do {                                          \
    const Outcome& o_ = (outcome);              \
    EXPECT_EQ(o_.exit_code, 0) << describe(o_); \
    EXPECT_EQ(o_.out, "ok\n") << describe(o_);  \
  } while (false)

TEST_F(Sandbox, ExitCodeAndOutputAreTheCommands) {
  Outcome o = sh("echo out; echo err >&2; exit 7");
  EXPECT_EQ(o.exit_code, 7) << describe(o);
  EXPECT_EQ(o.out, "out\n");
  EXPECT_EQ(o.err, "err\n");
  EXPECT_FALSE(o.timed_out);
  EXPECT_FALSE(o.truncated());
}

TEST_F(Sandbox, KilledBySignalGives128PlusSignal) {
  Outcome o = sh("kill -KILL $$");
  EXPECT_EQ(o.exit_code, 128 + SIGKILL) << describe(o);
  EXPECT_EQ(o.term_signal, SIGKILL);
}

TEST_F(Sandbox, TimeoutGives124AndKillsPromptly) {
  Spec s = spec({"/bin/sleep", "30"});
  s.timeout = milliseconds(300);
  Outcome o = run_sandboxed(s);
  EXPECT_EQ(o.exit_code, 124) << describe(o);
  EXPECT_TRUE(o.timed_out);
  EXPECT_LT(o.elapsed, std::chrono::seconds(5));
}

TEST_F(Sandbox, TimeoutEscalatesToSigkillWhenSigtermIsIgnored) {
  Spec s = spec({"/bin/sh", "-c", "trap '' TERM; echo $$ > sh.pid; while :; do sleep 1; done"});
  s.timeout = milliseconds(300);
  s.kill_grace = milliseconds(300);
  Outcome o = run_sandboxed(s);
  EXPECT_EQ(o.exit_code, 124) << describe(o);
  EXPECT_LT(o.elapsed, std::chrono::seconds(5));
  EXPECT_TRUE(process_gone(std::stoi(slurp(workspace_ + "/sh.pid"))));
}

TEST_F(Sandbox, CommandNotFoundGives127) {
  Outcome o = run_sandboxed(spec({"no-such-command-droid"}));
  EXPECT_EQ(o.exit_code, 127);
  EXPECT_NE(o.error.find("command not found"), std::string::npos) << o.error;
}

TEST_F(Sandbox, ExecutableOutsideTheReadableTreesCannotRun) {
  // The probe exists, but without its directory in extra_readable Landlock refuses exec.
  Spec s = spec({kProbe, "euid"});
  s.extra_readable.clear();
  Outcome o = run_sandboxed(s);
  EXPECT_EQ(o.exit_code, 126) << describe(o);
  EXPECT_NE(o.error.find("exec failed"), std::string::npos) << o.error;
}

TEST_F(Sandbox, ReportsTheLandlockAbi) {
  Outcome o = sh("true");
  EXPECT_EQ(o.landlock_abi, landlock_abi());
  EXPECT_GE(o.landlock_abi, 1);
}

TEST_F(Sandbox, CanWriteWorkspaceAndPrivateTmpdir) {
  EXPECT_ALLOWED(probe({"write", workspace_ + "/file"}));
  Outcome o = sh("echo x > \"$TMPDIR/f\" && cat \"$TMPDIR/f\" && echo \"$TMPDIR\"");
  ASSERT_EQ(o.exit_code, 0) << describe(o);
  std::string tmpdir = o.out.substr(2, o.out.size() - 3);
  EXPECT_EQ(tmpdir.rfind("/tmp/droid-sandbox-", 0), 0u) << tmpdir;
  EXPECT_FALSE(fs::exists(tmpdir)) << "the private temp dir must be removed after the run";
}

TEST_F(Sandbox, CannotWriteTmp) {
  EXPECT_BLOCKED(probe({"write", root_ + "/outside"}), "EACCES");
  EXPECT_BLOCKED(probe({"write", "/tmp/droid-sandbox-escape"}), "EACCES");
  EXPECT_FALSE(fs::exists(root_ + "/outside"));
}

TEST_F(Sandbox, CannotWriteEtc) {
  // Root outside the sandbox could; inside, Landlock (and dropped capabilities) refuse.
  EXPECT_BLOCKED(probe({"write", "/etc/droid-sandbox-escape"}), "EACCES");
  EXPECT_BLOCKED(probe({"write", "/etc/passwd"}), "EACCES");
  EXPECT_FALSE(fs::exists("/etc/droid-sandbox-escape"));
}

TEST_F(Sandbox, CannotWriteTheRunnersHome) {
  const char* home = std::getenv("HOME");
  ASSERT_NE(home, nullptr);
  std::string target = std::string(home) + "/droid-sandbox-escape";
  EXPECT_BLOCKED(probe({"write", target}), "EACCES");
  EXPECT_FALSE(fs::exists(target));
}

TEST_F(Sandbox, CannotReadTheRunnersHomeOrOtherUnlistedTrees) {
  std::ofstream(root_ + "/unlisted") << "secret";
  EXPECT_BLOCKED(probe({"read", root_ + "/unlisted"}), "EACCES");
  EXPECT_ALLOWED(probe({"read", "/etc/passwd"}));  // control: the system stays readable
}

TEST_F(Sandbox, CannotReadADeniedCredentialPath) {
  // A readable tree holding both a public file and the runner's credentials.
  std::string tree = root_ + "/tree";
  fs::create_directories(tree + "/credentials");
  std::ofstream(tree + "/public") << "hello";
  std::ofstream(tree + "/credentials/token") << "s3cr3t";
  fs::create_symlink(tree + "/credentials/token", tree + "/link-to-token");
  Spec s = spec({kProbe, "read", tree + "/credentials/token"});
  s.extra_readable.push_back(tree);
  s.denied.push_back(tree + "/credentials");
  EXPECT_BLOCKED(run_sandboxed(s), "EACCES");
  s.argv = {kProbe, "read", tree + "/link-to-token"};
  EXPECT_BLOCKED(run_sandboxed(s), "EACCES");
  s.argv = {kProbe, "read", tree + "/public"};
  EXPECT_ALLOWED(run_sandboxed(s));
}

TEST_F(Sandbox, CannotReadAServiceAccountTokenBelowAReadableTree) {
  // /var/run/secrets/kubernetes.io/serviceaccount/token, rebuilt below a temp dir.
  std::string var = root_ + "/var";
  std::string sa = var + "/run/secrets/kubernetes.io/serviceaccount";
  fs::create_directories(sa);
  fs::create_directories(var + "/lib/app");
  std::ofstream(sa + "/token") << "eyJhbGciOi";
  std::ofstream(var + "/lib/app/data") << "data";
  std::ofstream(var + "/run/pidfile") << "1";
  Spec s = spec({kProbe, "read", sa + "/token"});
  s.extra_readable.push_back(var);
  s.denied.push_back(var + "/run/secrets");
  EXPECT_BLOCKED(run_sandboxed(s), "EACCES");
  s.argv = {"/bin/sh", "-c", "ls " + var + "/run/secrets"};
  EXPECT_NE(run_sandboxed(s).exit_code, 0);
  s.argv = {kProbe, "read", var + "/lib/app/data"};
  EXPECT_ALLOWED(run_sandboxed(s));
  s.argv = {kProbe, "read", var + "/run/pidfile"};
  EXPECT_ALLOWED(run_sandboxed(s));
}

TEST_F(Sandbox, DefaultDeniedPathsCoverTheServiceAccountAndDroidConfig) {
  auto denied = default_denied_paths();
  for (const char* p : {"/var/run/secrets", "/run/secrets", "/etc/droid"})
    EXPECT_NE(std::find(denied.begin(), denied.end(), p), denied.end()) << p;
}

TEST_F(Sandbox, FailsClosedWhenADeniedPathIsInsideTheWorkspace) {
  fs::create_directory(workspace_ + "/creds");
  Spec s = spec({"/bin/true"});
  s.denied.push_back(workspace_ + "/creds");
  EXPECT_THROW(run_sandboxed(s), SandboxError);
}

TEST_F(Sandbox, FailsClosedWhenAReadablePathIsInsideADeniedOne) {
  fs::create_directories(root_ + "/creds/sub");
  Spec s = spec({"/bin/true"});
  s.extra_readable.push_back(root_ + "/creds/sub");
  s.denied.push_back(root_ + "/creds");
  EXPECT_THROW(run_sandboxed(s), SandboxError);
}

TEST_F(Sandbox, ProcEnvironOfTheRunnerIsUnreadable) {
  EXPECT_BLOCKED(probe({"read", "/proc/" + std::to_string(getpid()) + "/environ"}), "EACCES");
  EXPECT_ALLOWED(probe({"read", "/proc/self/environ"}));  // control
}

TEST_F(Sandbox, PtraceOfASiblingFails) {
  Outcome o = sh("sleep 10 & P=$!; " + kProbe + " ptrace $P; rc=$?; kill $P; exit $rc");
  EXPECT_BLOCKED(o, "EPERM");
}

TEST_F(Sandbox, PtraceOfAProcessOutsideTheSandboxFails) {
  // A process of the runner's (not the test itself: a successful attach would stop it).
  pid_t outside = fork();
  if (outside == 0) {
    pause();
    _exit(0);
  }
  Outcome o = probe({"ptrace", std::to_string(outside)});
  kill(outside, SIGKILL);
  waitpid(outside, nullptr, 0);
  EXPECT_BLOCKED(o, "EPERM");
}

TEST_F(Sandbox, SignalsToTheRunnerAreRefused) {
  if (landlock_abi() < 6) GTEST_SKIP() << "Landlock signal scoping needs ABI 6";
  EXPECT_BLOCKED(probe({"kill", std::to_string(getpid())}), "EPERM");
}

TEST_F(Sandbox, UnshareUserNamespaceFails) { EXPECT_BLOCKED(probe({"unshare"}), "EPERM"); }

TEST_F(Sandbox, CloneWithNamespaceFlagsFails) { EXPECT_BLOCKED(probe({"clone-newuser"}), "EPERM"); }

TEST_F(Sandbox, Clone3IsUnavailableSoLibcFallsBackToClone) {
  EXPECT_BLOCKED(probe({"clone3-newuser"}), "ENOSYS");
  Outcome o = sh("(echo sub) | cat");  // fork/clone still work
  EXPECT_EQ(o.out, "sub\n") << describe(o);
}

TEST_F(Sandbox, MountFails) { EXPECT_BLOCKED(probe({"mount", workspace_}), "EPERM"); }

TEST_F(Sandbox, InetSocketsNeedNetworkGateway) {
  EXPECT_BLOCKED(probe({"socket", "inet"}), "EPERM");
  EXPECT_BLOCKED(probe({"socket", "inet6"}), "EPERM");
  EXPECT_BLOCKED(probe({"socket", "packet"}), "EPERM");
  EXPECT_ALLOWED(probe({"socket", "unix"}));
}

TEST_F(Sandbox, NetworkGatewayAllowsConnectingOut) {
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(listener, 4), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  std::string port = std::to_string(ntohs(addr.sin_port));

  Spec s = spec({kProbe, "connect", port});
  EXPECT_BLOCKED(run_sandboxed(s), "EPERM");
  s.network = Network::Gateway;
  EXPECT_ALLOWED(run_sandboxed(s));
  s.argv = {kProbe, "socket", "packet"};
  EXPECT_BLOCKED(run_sandboxed(s), "EPERM");  // raw sockets stay denied
  close(listener);
}

TEST_F(Sandbox, IoUringFails) { EXPECT_BLOCKED(probe({"io_uring"}), "EPERM"); }

TEST_F(Sandbox, BpfFails) { EXPECT_BLOCKED(probe({"bpf"}), "EPERM"); }

TEST_F(Sandbox, KeyctlFails) { EXPECT_BLOCKED(probe({"keyctl"}), "EPERM"); }

TEST_F(Sandbox, PersonalityFlagsFail) { EXPECT_BLOCKED(probe({"personality"}), "EPERM"); }

TEST_F(Sandbox, I386SyscallsKillTheProcess) {
  Outcome o = probe({"int80"});
  EXPECT_EQ(o.exit_code, 128 + SIGSYS) << describe(o);
}

TEST_F(Sandbox, SetsidEscapeeIsKilledAtTimeout) {
  Spec s = spec({"/bin/sh", "-c", "setsid sh -c 'echo $$ > escapee.pid; exec sleep 300' & sleep 300"});
  s.timeout = milliseconds(1000);
  Outcome o = run_sandboxed(s);
  EXPECT_EQ(o.exit_code, 124) << describe(o);
  EXPECT_LT(o.elapsed, std::chrono::seconds(8));
  std::string pid = slurp(workspace_ + "/escapee.pid");
  ASSERT_FALSE(pid.empty());
  EXPECT_TRUE(process_gone(std::stoi(pid))) << "escaped process " << pid << " survived";
}

TEST_F(Sandbox, BackgroundEscapeeIsKilledWhenTheCommandExits) {
  Outcome o = sh("setsid sleep 300 & echo $! > bg.pid");
  EXPECT_EQ(o.exit_code, 0) << describe(o);
  EXPECT_LT(o.elapsed, std::chrono::seconds(5));
  EXPECT_TRUE(process_gone(std::stoi(slurp(workspace_ + "/bg.pid"))));
}

TEST_F(Sandbox, ForkBombIsBoundedByNprocForAnUnprivilegedRunner) {
  Spec s = spec({kProbe, "forkbomb", "2000"});
  s.limits.processes = 40;
  s.timeout = std::chrono::seconds(20);
  Outcome o = as_nobody([&] { return run_sandboxed(s); });
  ASSERT_EQ(o.exit_code, 0) << describe(o);
  std::istringstream in(o.out);
  std::string word, err;
  int forked = 0;
  in >> word >> forked >> err >> word;
  EXPECT_LT(forked, 40) << o.out;
  EXPECT_EQ(err, "errno=EAGAIN") << o.out;
  for (int pid; in >> pid;) EXPECT_TRUE(process_gone(pid)) << "fork bomb child " << pid << " survived";
}

TEST_F(Sandbox, HugeOutputIsTruncatedWithoutBlockingTheCommand) {
  Spec s = spec({kProbe, "spew", std::to_string(50 << 20)});
  s.max_output_bytes = 1 << 20;
  Outcome o = run_sandboxed(s);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out.size(), std::size_t{1} << 20);
  EXPECT_TRUE(o.out_truncated);
  EXPECT_FALSE(o.err_truncated);
  EXPECT_EQ(o.out_bytes, std::size_t{50} << 20);
}

TEST_F(Sandbox, StdinIsDevNullByDefault) {
  Outcome o = sh("wc -c");
  EXPECT_EQ(o.exit_code, 0) << describe(o);
  EXPECT_EQ(o.out, "0\n") << describe(o);
}

TEST_F(Sandbox, StdinDataIsFedThenEof) {
  Spec s = spec({"/bin/sh", "-c", "cat; echo end"});
  s.stdin_data = "{\"tool_name\": \"shell\"}\n";
  Outcome o = run_sandboxed(s);
  EXPECT_EQ(o.exit_code, 0) << describe(o);
  EXPECT_EQ(o.out, s.stdin_data + "end\n");
}

// More than a pipe buffer each way: the runner must write stdin while it
// drains stdout, or both sides would block.
TEST_F(Sandbox, LargeStdinEchoedBackDoesNotDeadlock) {
  Spec s = spec({"/bin/cat"});
  s.stdin_data.assign(std::size_t{8} << 20, 'x');
  s.max_output_bytes = std::size_t{16} << 20;
  Outcome o = run_sandboxed(s);
  EXPECT_EQ(o.exit_code, 0) << describe(o);
  EXPECT_FALSE(o.timed_out);
  EXPECT_EQ(o.out.size(), s.stdin_data.size());
  EXPECT_EQ(o.out, s.stdin_data);
}

// A command that never reads its stdin: the runner gets EPIPE, not a SIGPIPE
// that would kill it, and the outcome is the command's.
TEST_F(Sandbox, CommandIgnoringLargeStdinDoesNotKillTheRunner) {
  Spec s = spec({"/bin/sh", "-c", "exec 0<&-; echo ignored"});
  s.stdin_data.assign(std::size_t{4} << 20, 'y');
  Outcome o = run_sandboxed(s);
  EXPECT_EQ(o.exit_code, 0) << describe(o);
  EXPECT_EQ(o.out, "ignored\n");
}

// Two runs from two threads of the runner: the second run's supervisor,
// forked while the first is feeding its stdin, must not keep the first's pipe
// ends open, or the first command would wait for EOF until the second ended.
TEST_F(Sandbox, ConcurrentRunsDoNotHoldEachOthersPipes) {
  Spec first = spec({"/bin/sh", "-c", "sleep 1; wc -c"});
  first.stdin_data.assign(std::size_t{1} << 20, 'z');  // more than a pipe holds: fed while it sleeps
  first.timeout = std::chrono::seconds(4);
  Outcome first_outcome;
  std::thread feeder([&] { first_outcome = run_sandboxed(first); });
  std::this_thread::sleep_for(milliseconds(300));  // the first run is under way (ordering, not timing)
  Spec second = spec({"/bin/sleep", "30"});
  second.timeout = std::chrono::seconds(5);
  Outcome second_outcome = run_sandboxed(second);
  feeder.join();
  EXPECT_FALSE(first_outcome.timed_out) << describe(first_outcome);
  EXPECT_EQ(first_outcome.out, std::to_string(first.stdin_data.size()) + "\n") << describe(first_outcome);
  EXPECT_TRUE(second_outcome.timed_out);
}

TEST_F(Sandbox, EnvironmentDoesNotLeakTheRunners) {
  setenv("AWS_SECRET_ACCESS_KEY", "fake-secret-key-for-test", 1);
  Spec s = spec({kProbe, "env"});
  s.env["ALLOWED_VAR"] = "yes";
  Outcome o = run_sandboxed(s);
  unsetenv("AWS_SECRET_ACCESS_KEY");
  ASSERT_EQ(o.exit_code, 0) << describe(o);
  EXPECT_EQ(o.out.find("fake-secret-key"), std::string::npos) << o.out;
  std::vector<std::string> names;
  std::istringstream in(o.out);
  for (std::string line; std::getline(in, line);) names.push_back(line.substr(0, line.find('=')));
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"ALLOWED_VAR", "HOME", "LANG", "LC_ALL", "PATH", "TERM", "TMPDIR"}));
  EXPECT_NE(o.out.find("HOME=" + fs::canonical(workspace_).string() + "\n"), std::string::npos) << o.out;
}

TEST_F(Sandbox, RunnerFdsAreNotInherited) {
  int leaked = open("/etc/hostname", O_RDONLY);  // deliberately without O_CLOEXEC
  ASSERT_GE(leaked, 3);
  Outcome o = probe({"fds"});
  close(leaked);
  EXPECT_EQ(o.out, "0 1 2 \n") << describe(o);
}

TEST_F(Sandbox, SetuidBinaryGivesNoPrivilege) {
  std::string suid = workspace_ + "/suid-probe";
  fs::copy_file(kProbe, suid);
  ASSERT_EQ(chown(suid.c_str(), 0, 0), 0);
  ASSERT_EQ(chmod(suid.c_str(), 04755), 0);
  // Control: outside the sandbox, the setuid bit does make 65534 root.
  Spec bare = spec({suid, "euid"});
  Outcome control = as_nobody([&] {
    Outcome o;
    int fds[2];
    if (pipe(fds) != 0) return o;
    pid_t pid = fork();
    if (pid == 0) {
      dup2(fds[1], 1);
      execl(suid.c_str(), suid.c_str(), "euid", nullptr);
      _exit(127);
    }
    close(fds[1]);
    char buf[64];
    ssize_t n = read(fds[0], buf, sizeof buf);
    if (n > 0) o.out.assign(buf, static_cast<std::size_t>(n));
    int status = 0;
    waitpid(pid, &status, 0);
    o.exit_code = WEXITSTATUS(status);
    return o;
  });
  ASSERT_EQ(control.out, "0\n") << "setuid control failed (nosuid mount?): " << describe(control);
  Outcome o = as_nobody([&] { return run_sandboxed(bare); });
  EXPECT_EQ(o.exit_code, 0) << describe(o);
  EXPECT_EQ(o.out, "65534\n") << describe(o);
}

TEST_F(Sandbox, WorksForAnUnprivilegedRunner) {
  Outcome ok = as_nobody([&] { return probe({"write", workspace_ + "/mine"}); });
  EXPECT_ALLOWED(ok);
  EXPECT_BLOCKED(as_nobody([&] { return probe({"write", "/tmp/droid-sandbox-nobody-escape"}); }), "EACCES");
  EXPECT_BLOCKED(as_nobody([&] { return probe({"keyctl"}); }), "EPERM");
  EXPECT_BLOCKED(as_nobody([&] { return probe({"socket", "inet"}); }), "EPERM");
  // The forked 65534 runner's own environ: readable by its uid, not from inside the sandbox.
  Outcome self = as_nobody([&] { return probe({"read", "/proc/" + std::to_string(getpid()) + "/environ"}); });
  EXPECT_BLOCKED(self, "EACCES");
  Outcome id = as_nobody([&] { return run_sandboxed(spec({"/usr/bin/id", "-u"})); });
  EXPECT_EQ(id.out, "65534\n") << describe(id);
}

}  // namespace
}  // namespace droid::runner::sandbox
