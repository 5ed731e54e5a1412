#include "sandbox/sandbox.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "sandbox/environment.h"
#include "sandbox/output_limit.h"
#include "sandbox/process_tree.h"

namespace droid::runner::sandbox {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// The step of the child's setup that failed, sent to the runner over a
// close-on-exec pipe: an exec that succeeds sends nothing.
enum class Step : int {
  Session,
  Signals,
  Stdio,
  Rlimits,
  Capabilities,
  NoNewPrivs,
  CloseFds,
  Chdir,
  Landlock,
  Seccomp,
  Exec
};

const char* step_name(Step step) {
  switch (step) {
    case Step::Session: return "setsid";
    case Step::Signals: return "resetting signals";
    case Step::Stdio: return "redirecting stdio";
    case Step::Rlimits: return "setting rlimits";
    case Step::Capabilities: return "dropping capabilities";
    case Step::NoNewPrivs: return "PR_SET_NO_NEW_PRIVS";
    case Step::CloseFds: return "closing inherited fds";
    case Step::Chdir: return "changing to the workspace";
    case Step::Landlock: return "enforcing Landlock";
    case Step::Seccomp: return "installing the seccomp filter";
    case Step::Exec: return "exec";
  }
  return "?";
}

struct SetupFailure {
  int step = 0;
  int error = 0;
};

// What the supervisor tells the runner once the whole tree is gone.
struct Report {
  int status = 0;  // wait status of the command
  int reaped = 0;  // the command was reaped (status is meaningful)
  int timed_out = 0;
};

// Everything the forked processes need, prepared before fork.
struct Prepared {
  const char* exec_path = nullptr;
  std::vector<char*> argv;
  std::vector<char*> envp;
  const char* workspace = nullptr;
  PreparedLimits limits;
  const BpfProgram* filter = nullptr;
  int ruleset_fd = -1;
  int devnull = -1;
  int stdin_r = -1;  // the command's stdin when there is data to feed, else devnull
  int out_w = -1, err_w = -1, setup_w = -1, report_w = -1;
  int stdin_w = -1;  // the runner's end, closed in the supervisor
  int out_r = -1, err_r = -1, setup_r = -1, report_r = -1;
  std::chrono::milliseconds timeout{0};
  std::chrono::milliseconds grace{0};
  pid_t runner = 0;
};

void write_all(int fd, const void* data, std::size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = write(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    p += n;
    size -= static_cast<std::size_t>(n);
  }
}

[[noreturn]] void fail(const Prepared& p, Step step, int error) {
  SetupFailure f{static_cast<int>(step), error};
  write_all(p.setup_w, &f, sizeof f);
  _exit(step == Step::Exec && error == ENOENT ? 127 : 126);
}

template <std::size_t N>
int close_fds_except(std::array<int, N> keep) {
  std::sort(keep.begin(), keep.end());
  unsigned int from = 3;
  for (int k : keep) {
    if (k < 3 || static_cast<unsigned int>(k) < from) continue;  // stdio, unset (-1) or a repeat
    if (static_cast<unsigned int>(k) > from && syscall(SYS_close_range, from, k - 1, 0) != 0) return errno;
    from = static_cast<unsigned int>(k) + 1;
  }
  return syscall(SYS_close_range, from, ~0U, 0) == 0 ? 0 : errno;
}

// A runner started as root would hand root's capabilities to the command
// (CAP_SYS_PTRACE, CAP_DAC_OVERRIDE...): drop them all, for good. Unprivileged,
// there is nothing to drop and the bounding-set calls fail harmlessly.
int drop_capabilities() {
  for (int cap = 0; cap <= 63; ++cap) {
    if (prctl(PR_CAPBSET_READ, cap) < 0) break;  // past the kernel's last capability
    prctl(PR_CAPBSET_DROP, cap);
  }
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  std::array<__user_cap_data_struct, 2> none{};
  return syscall(SYS_capset, &header, none.data()) == 0 ? 0 : errno;
}

// The command's process: async-signal-safe calls only, then exec.
[[noreturn]] void command_main(const Prepared& p) {
  sigset_t none;
  sigemptyset(&none);
  if (pthread_sigmask(SIG_SETMASK, &none, nullptr) != 0) fail(p, Step::Signals, errno);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    sigaction(sig, &dfl, nullptr);  // fails harmlessly for signals glibc reserves
  }
  if (setsid() < 0) fail(p, Step::Session, errno);
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail(p, Step::Session, errno);
  if (dup2(p.stdin_r >= 0 ? p.stdin_r : p.devnull, 0) < 0 || dup2(p.out_w, 1) < 0 || dup2(p.err_w, 2) < 0)
    fail(p, Step::Stdio, errno);
  if (int e = apply_rlimits(p.limits); e != 0) fail(p, Step::Rlimits, e);
  if (int e = drop_capabilities(); e != 0) fail(p, Step::Capabilities, e);
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail(p, Step::NoNewPrivs, errno);
  if (int e = close_fds_except(std::array<int, 2>{p.ruleset_fd, p.setup_w}); e != 0) fail(p, Step::CloseFds, e);
  if (chdir(p.workspace) != 0) fail(p, Step::Chdir, errno);
  if (int e = restrict_self(p.ruleset_fd); e != 0) fail(p, Step::Landlock, e);
  if (int e = install_filter(*p.filter); e != 0) fail(p, Step::Seccomp, e);
  execve(p.exec_path, p.argv.data(), p.envp.data());
  fail(p, Step::Exec, errno);
}

// The supervisor: a child subreaper between the runner and the command.
[[noreturn]] void supervisor_main(const Prepared& p) {
  // Only what the supervisor and the command need stays open: not the
  // runner's ends of these pipes, nor those of another run going on in
  // another thread of the runner, whose EOF would otherwise wait for this run.
  if (close_fds_except(
          std::array<int, 7>{p.out_w, p.err_w, p.setup_w, p.report_w, p.ruleset_fd, p.devnull, p.stdin_r}) != 0) {
    close(p.out_r);  // no close_range: at least this run's runner ends
    close(p.err_r);
    close(p.setup_r);
    close(p.report_r);
    if (p.stdin_w >= 0) close(p.stdin_w);  // or the command would never see EOF
  }
  sigset_t watched;
  sigemptyset(&watched);
  sigaddset(&watched, SIGCHLD);
  sigaddset(&watched, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &watched, nullptr);
  // The runner's death sends SIGTERM, handled below like a timeout.
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0 || getppid() != p.runner) _exit(1);

  const auto deadline = Clock::now() + p.timeout;
  const pid_t command = fork();
  if (command == 0) command_main(p);
  close(p.out_w);
  close(p.err_w);
  close(p.setup_w);
  close(p.ruleset_fd);
  close(p.devnull);
  if (p.stdin_r >= 0) close(p.stdin_r);
  Report report;
  if (command < 0) {
    write_all(p.report_w, &report, sizeof report);
    _exit(1);
  }

  bool terminating = false;
  auto kill_deadline = deadline;
  bool reaped = false;
  int status = 0;
  while (!reaped) {
    auto now = Clock::now();
    if (!terminating && now >= deadline) {
      report.timed_out = 1;
      terminating = true;
      kill(-command, SIGTERM);
      signal_descendants(SIGTERM);
      kill_deadline = now + p.grace;
    }
    if (terminating && now >= kill_deadline) break;
    auto wait_for = (terminating ? kill_deadline : deadline) - now;
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(wait_for).count();
    timespec ts{static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)};
    int sig = sigtimedwait(&watched, nullptr, &ts);
    if (sig == SIGTERM) break;  // the runner is gone: tear everything down
    for (;;) {
      int st = 0;
      pid_t r = waitpid(-1, &st, WNOHANG);
      if (r <= 0) break;
      if (r == command) {
        status = st;
        reaped = true;
      }
    }
  }
  // The command is done (or out of time): nothing it started may outlive it.
  kill(-command, SIGKILL);
  kill_and_reap_all(command, &status, &reaped);
  report.status = status;
  report.reaped = reaped ? 1 : 0;
  write_all(p.report_w, &report, sizeof report);
  _exit(0);
}

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = other.fd_;
      other.fd_ = -1;
    }
    return *this;
  }
  ~Fd() { reset(); }
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

struct Pipe {
  Fd r, w;
};

Pipe make_pipe() {
  std::array<int, 2> fds{};
  if (pipe2(fds.data(), O_CLOEXEC) != 0) throw SandboxError(std::string("pipe2: ") + errno_message(errno));
  Pipe p;
  p.r = Fd(fds[0]);
  p.w = Fd(fds[1]);
  return p;
}

// The run's private temp dir, removed with everything in it.
class TempDir {
 public:
  explicit TempDir(const std::string& parent) {
    std::string tmpl = parent + "/droid-sandbox-XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr)
      throw SandboxError("cannot create a temp dir in '" + parent + "': " + errno_message(errno));
    path_ = tmpl;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string resolve_command(const std::string& name, const std::string& path_var, const std::string& workspace) {
  if (name.find('/') != std::string::npos) return name[0] == '/' ? name : workspace + "/" + name;
  std::size_t start = 0;
  while (start <= path_var.size()) {
    std::size_t end = path_var.find(':', start);
    if (end == std::string::npos) end = path_var.size();
    std::string dir = path_var.substr(start, end - start);
    if (dir.empty()) dir = workspace;
    std::string candidate = dir.append("/").append(name);
    struct stat st {};
    if (stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(candidate.c_str(), X_OK) == 0)
      return candidate;
    start = end + 1;
  }
  return {};
}

int map_status(int status, Outcome& outcome) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) {
    outcome.term_signal = WTERMSIG(status);
    return 128 + WTERMSIG(status);
  }
  return -1;
}

// Writes what it can of `data` from `offset` to the non-blocking `fd`; false
// once the reader is gone (EPIPE) or on another error. SIGPIPE is blocked in
// this thread around the write and a SIGPIPE it raised is consumed, so the
// runner is not killed by a command that does not read its stdin.
bool feed(int fd, const std::string& data, std::size_t& offset) {
  sigset_t pipe_only, old_mask, pending;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  sigemptyset(&pending);
  pthread_sigmask(SIG_BLOCK, &pipe_only, &old_mask);
  sigpending(&pending);
  const bool was_pending = sigismember(&pending, SIGPIPE) == 1;
  bool ok = true;
  while (offset < data.size()) {
    ssize_t n = write(fd, data.data() + offset, data.size() - offset);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n <= 0) {
      ok = false;
      break;
    }
    offset += static_cast<std::size_t>(n);
  }
  if (!ok && !was_pending) {
    const timespec zero{0, 0};
    while (sigtimedwait(&pipe_only, nullptr, &zero) < 0 && errno == EINTR) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  return ok;
}

}  // namespace

std::vector<std::string> default_denied_paths() {
  return {"/var/run/secrets", "/run/secrets", "/etc/droid",    "/var/lib/droid",  "/etc/shadow",
          "/etc/gshadow",     "/etc/shadow-", "/etc/gshadow-", "/etc/ssl/private"};
}

Outcome run_sandboxed(const Spec& spec) {
  const auto started = Clock::now();
  if (spec.argv.empty()) throw SandboxError("no command given");
  std::error_code ec;
  if (spec.workspace.empty() || !fs::is_directory(spec.workspace, ec))
    throw SandboxError("workspace '" + spec.workspace + "' is not a directory");
  const std::string workspace = fs::canonical(spec.workspace).string();
  TempDir tmp(spec.temp_parent);

  FsPolicy policy;
  policy.writable = {workspace, tmp.path()};
  policy.readable = default_readable_paths();
  policy.readable.insert(policy.readable.end(), spec.extra_readable.begin(), spec.extra_readable.end());
  policy.device_files = default_device_files();
  policy.denied = spec.denied;
  policy.deny_tcp = spec.network == Network::None;
  Ruleset ruleset = build_ruleset(policy);

  Outcome outcome;
  outcome.landlock_abi = ruleset.abi();
  const std::string path_var = spec.path.empty() ? kDefaultPath : spec.path;
  const std::string exec_path = resolve_command(spec.argv[0], path_var, workspace);
  if (exec_path.empty()) {
    outcome.exit_code = 127;
    outcome.error = spec.argv[0] + ": command not found";
    outcome.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started);
    return outcome;
  }
  std::vector<std::string> argv = spec.argv;
  std::vector<std::string> env = build_environment(path_var, workspace, tmp.path(), spec.env);

  Prepared p;
  p.exec_path = exec_path.c_str();
  for (auto& a : argv) p.argv.push_back(a.data());
  p.argv.push_back(nullptr);
  for (auto& e : env) p.envp.push_back(e.data());
  p.envp.push_back(nullptr);
  p.workspace = workspace.c_str();
  p.limits = prepare_rlimits(spec.limits);
  p.filter = &build_filter(spec.network);
  p.ruleset_fd = ruleset.fd();
  Fd devnull(open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (devnull.get() < 0) throw SandboxError(std::string("/dev/null: ") + errno_message(errno));
  p.devnull = devnull.get();
  Pipe out = make_pipe(), err = make_pipe(), setup = make_pipe(), report = make_pipe();
  Pipe in;
  if (!spec.stdin_data.empty()) {
    in = make_pipe();
    if (fcntl(in.w.get(), F_SETFL, O_NONBLOCK) != 0) throw SandboxError(std::string("fcntl: ") + errno_message(errno));
    p.stdin_r = in.r.get();
    p.stdin_w = in.w.get();
  }
  p.out_r = out.r.get();
  p.out_w = out.w.get();
  p.err_r = err.r.get();
  p.err_w = err.w.get();
  p.setup_r = setup.r.get();
  p.setup_w = setup.w.get();
  p.report_r = report.r.get();
  p.report_w = report.w.get();
  p.timeout = spec.timeout;
  p.grace = spec.kill_grace;
  p.runner = getpid();

  const pid_t supervisor = fork();
  if (supervisor < 0) throw SandboxError(std::string("fork: ") + errno_message(errno));
  if (supervisor == 0) supervisor_main(p);
  out.w.reset();
  err.w.reset();
  setup.w.reset();
  report.w.reset();
  in.r.reset();

  CappedBuffer out_buf(spec.max_output_bytes), err_buf(spec.max_output_bytes);
  std::string setup_bytes, report_bytes;
  // The last entry feeds stdin; it does not keep the loop alive: once the
  // output pipes are closed, nobody is left to read it.
  std::array<pollfd, 5> fds = {pollfd{out.r.get(), POLLIN, 0}, pollfd{err.r.get(), POLLIN, 0},
                               pollfd{setup.r.get(), POLLIN, 0}, pollfd{report.r.get(), POLLIN, 0},
                               pollfd{in.w.get(), POLLOUT, 0}};
  constexpr std::size_t kStdin = 4;
  std::size_t fed = 0;
  std::array<char, 65536> buf{};
  int open_fds = 4;
  while (open_fds > 0) {
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[kStdin].fd >= 0 && fds[kStdin].revents != 0) {
      const bool writable = (fds[kStdin].revents & POLLOUT) != 0;
      if (!writable || !feed(fds[kStdin].fd, spec.stdin_data, fed) || fed == spec.stdin_data.size()) {
        in.w.reset();  // EOF for the command, or the command closed its stdin
        fds[kStdin].fd = -1;
      }
    }
    for (std::size_t i = 0; i < kStdin; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = read(fds[i].fd, buf.data(), buf.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        fds[i].fd = -1;
        --open_fds;
        continue;
      }
      const auto size = static_cast<std::size_t>(n);
      if (i == 0) out_buf.append(buf.data(), size);
      if (i == 1) err_buf.append(buf.data(), size);
      if (i == 2) setup_bytes.append(buf.data(), size);
      if (i == 3) report_bytes.append(buf.data(), size);
    }
  }
  int supervisor_status = 0;
  while (waitpid(supervisor, &supervisor_status, 0) < 0 && errno == EINTR) {
  }

  outcome.out_bytes = out_buf.total();
  outcome.err_bytes = err_buf.total();
  outcome.out_truncated = out_buf.truncated();
  outcome.err_truncated = err_buf.truncated();
  outcome.out = out_buf.take();
  outcome.err = err_buf.take();

  Report r;
  if (report_bytes.size() != sizeof r) {
    outcome.exit_code = 126;
    outcome.error = "the sandbox supervisor failed";
  } else {
    std::memcpy(&r, report_bytes.data(), sizeof r);
    outcome.timed_out = r.timed_out != 0;
    if (setup_bytes.size() == sizeof(SetupFailure)) {
      SetupFailure f;
      std::memcpy(&f, setup_bytes.data(), sizeof f);
      outcome.error = std::string("sandbox: ") + step_name(static_cast<Step>(f.step)) + " failed for '" + exec_path +
                      "': " + errno_message(f.error);
      outcome.exit_code = static_cast<Step>(f.step) == Step::Exec && f.error == ENOENT ? 127 : 126;
    } else if (r.reaped != 0) {
      outcome.exit_code = map_status(r.status, outcome);
    }
    if (outcome.timed_out) outcome.exit_code = 124;
  }
  outcome.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started);
  return outcome;
}

}  // namespace droid::runner::sandbox
