#include "process/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace droid::process {
namespace {

// A pipe whose ends are closed on destruction.
struct Pipe {
  int fds[2] = {-1, -1};
  Pipe() {
    if (pipe2(fds, O_CLOEXEC) != 0) {
      throw std::runtime_error(std::string("pipe2: ") + std::generic_category().message(errno));
    }
  }
  ~Pipe() {
    CloseRead();
    CloseWrite();
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  void CloseRead() {
    if (fds[0] >= 0) close(fds[0]);
    fds[0] = -1;
  }
  void CloseWrite() {
    if (fds[1] >= 0) close(fds[1]);
    fds[1] = -1;
  }
};

void SetNonBlocking(int fd) {
  int flags = fcntl(fd, F_GETFL);
  if (flags >= 0) fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

// In the child: only async-signal-safe calls until exec.
[[noreturn]] void ExecChild(char* const* args, char* const* envp, const char* cwd, Pipe& in, Pipe& out, Pipe& err,
                            Pipe& status) {
  setpgid(0, 0);
  if (dup2(in.fds[0], STDIN_FILENO) < 0 || dup2(out.fds[1], STDOUT_FILENO) < 0 || dup2(err.fds[1], STDERR_FILENO) < 0 ||
      (cwd != nullptr && chdir(cwd) != 0)) {
    int e = errno;
    ssize_t ignored = write(status.fds[1], &e, sizeof e);
    (void)ignored;
    _exit(127);
  }
  execvpe(args[0], args, envp);
  int e = errno;
  ssize_t ignored = write(status.fds[1], &e, sizeof e);
  (void)ignored;
  _exit(127);
}

}  // namespace

std::string Result::describe() const {
  std::string s = timed_out ? "timed out" : "exit " + std::to_string(exit_code);
  s += "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err;
  return s;
}

Result run(const std::vector<std::string>& argv, const std::string& input, std::chrono::milliseconds timeout) {
  Options options;
  options.input = input;
  options.timeout = timeout;
  return run_with(argv, options);
}

Result run_with(const std::vector<std::string>& argv, const Options& options) {
  const std::string& input = options.input;
  const std::chrono::milliseconds timeout = options.timeout;
  if (argv.empty()) throw std::invalid_argument("process::run: empty argv");
  // The child's environment: the caller's (unless cleared) with `env` on top.
  std::vector<std::string> env_strings;
  if (!options.clear_env)
    for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
  for (const auto& kv : options.env) {
    const std::string name = kv.substr(0, kv.find('=') + 1);
    std::erase_if(env_strings, [&](const std::string& e) { return e.compare(0, name.size(), name) == 0; });
    env_strings.push_back(kv);
  }
  std::vector<char*> envp;
  envp.reserve(env_strings.size() + 1);
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  Pipe in, out, err, status;
  // Built before fork: the child may only make async-signal-safe calls.
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::generic_category().message(errno));
  if (pid == 0)
    ExecChild(args.data(), envp.data(), options.cwd.empty() ? nullptr : options.cwd.c_str(), in, out, err, status);

  // Parent.
  in.CloseRead();
  out.CloseWrite();
  err.CloseWrite();
  status.CloseWrite();

  // Did exec succeed? The status pipe is close-on-exec: EOF means yes.
  int exec_errno = 0;
  ssize_t n;
  do {
    n = read(status.fds[0], &exec_errno, sizeof exec_errno);
  } while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(sizeof exec_errno)) {
    int ws;
    waitpid(pid, &ws, 0);
    throw std::runtime_error("cannot execute " + argv[0] + ": " + std::generic_category().message(exec_errno));
  }

  SetNonBlocking(in.fds[1]);
  SetNonBlocking(out.fds[0]);
  SetNonBlocking(err.fds[0]);
  if (input.empty()) in.CloseWrite();

  Result result;
  size_t written = 0;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[65536];
  while (out.fds[0] >= 0 || err.fds[0] >= 0) {
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      kill(-pid, SIGKILL);
      kill(pid, SIGKILL);
      result.timed_out = true;
      break;
    }
    pollfd fds[3];
    nfds_t count = 0;
    int idx_in = -1, idx_out = -1, idx_err = -1;
    if (in.fds[1] >= 0) {
      idx_in = static_cast<int>(count);
      fds[count++] = {in.fds[1], POLLOUT, 0};
    }
    if (out.fds[0] >= 0) {
      idx_out = static_cast<int>(count);
      fds[count++] = {out.fds[0], POLLIN, 0};
    }
    if (err.fds[0] >= 0) {
      idx_err = static_cast<int>(count);
      fds[count++] = {err.fds[0], POLLIN, 0};
    }
    auto wait_ms = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
    int rc = poll(fds, count, static_cast<int>(std::min<long long>(wait_ms, 1000)));
    if (rc < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("poll: ") + std::generic_category().message(errno));
    }
    if (idx_in >= 0 && fds[idx_in].revents) {
      if (fds[idx_in].revents & (POLLERR | POLLHUP)) {
        in.CloseWrite();  // the child stopped reading
      } else {
        ssize_t w = write(in.fds[1], input.data() + written, input.size() - written);
        if (w > 0) written += static_cast<size_t>(w);
        if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == input.size()) {
          in.CloseWrite();
        }
      }
    }
    auto drain = [&](int idx, Pipe& p, std::string& sink) {
      if (idx < 0 || !fds[idx].revents) return;
      ssize_t r = read(p.fds[0], buf, sizeof buf);
      if (r > 0) {
        sink.append(buf, static_cast<size_t>(r));
      } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
        p.CloseRead();
      }
    };
    drain(idx_out, out, result.out);
    drain(idx_err, err, result.err);
  }
  in.CloseWrite();

  int ws = 0;
  while (waitpid(pid, &ws, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(ws)) {
    result.exit_code = WEXITSTATUS(ws);
  } else if (WIFSIGNALED(ws)) {
    result.exit_code = 128 + WTERMSIG(ws);
  }
  return result;
}

}  // namespace droid::process
