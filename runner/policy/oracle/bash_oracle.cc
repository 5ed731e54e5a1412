#include "policy/oracle/bash_oracle.h"

#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <set>
#include <string>
#include <string_view>
#include <system_error>

namespace droid::runner::policy::oracle {
namespace {

constexpr const char* kRoot = "/media/oracle";
constexpr const char* kBinDirs[] = {"/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin"};
constexpr int kTimeoutSeconds = 5;
constexpr uid_t kNobody = 65534;

// Programs that run other programs or only transform text: run for real after
// they are logged, so that what they start is seen.
constexpr const char* kPassThrough[] = {"bash",    "sh",      "dash",   "rbash",   "env",        "nice",   "nohup",
                                        "timeout", "stdbuf",  "setsid", "xargs",   "find",       "base64", "base32",
                                        "cat",     "rev",     "xxd",    "tr",      "head",       "tail",   "sed",
                                        "awk",     "mawk",    "gawk",   "python3", "python3.11", "perl",   "git",
                                        "ionice",  "taskset", "flock",  "printf",  "echo",       "true"};

bool write_all(int fd, const std::string& s) {
  std::size_t off = 0;
  while (off < s.size()) {
    ssize_t n = write(fd, s.data() + off, s.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<std::size_t>(n);
  }
  return true;
}

bool read_exact(int fd, std::string& out, std::size_t n) {
  out.resize(n);
  std::size_t off = 0;
  while (off < n) {
    ssize_t r = read(fd, out.data() + off, n - off);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    off += static_cast<std::size_t>(r);
  }
  return true;
}

// A message: decimal length, '\n', bytes.
bool send(int fd, const std::string& s) { return write_all(fd, std::to_string(s.size()) + "\n" + s); }

bool receive(int fd, std::string& out) {
  std::string len;
  for (char c;;) {
    ssize_t r = read(fd, &c, 1);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    if (c == '\n') break;
    len += c;
  }
  return read_exact(fd, out, std::stoul(len));
}

std::string read_file(const std::string& path) {
  std::string out;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return out;
  char buf[65536];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(n));
  close(fd);
  return out;
}

bool write_file(const std::string& path, const std::string& text, mode_t mode) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return false;
  bool ok = write_all(fd, text);
  close(fd);
  chmod(path.c_str(), mode);
  return ok;
}

[[noreturn]] void die(int fd, const std::string& what) {
  send(fd, "ERROR " + what + ": " + std::system_category().message(errno));
  _exit(1);
}

bool bind(const std::string& from, const std::string& to, bool read_only) {
  if (mount(from.c_str(), to.c_str(), nullptr, MS_BIND, nullptr) != 0) return false;
  if (read_only && mount(nullptr, to.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY, nullptr) != 0) return false;
  return true;
}

std::vector<std::string> list_dir(const char* dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) names.push_back(entry.path().filename());
  return names;
}

// In the server: the namespaces, the stubs, the read-only root.
void set_up(int reply, const std::string& stub, const std::vector<std::string>& extra) {
  if (unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS) != 0) die(reply, "unshare");
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) die(reply, "make / private");
  if (mount("tmpfs", kRoot, "tmpfs", 0, "mode=0755,size=64m") != 0) {
    // /media/oracle does not exist on the host: put a tmpfs on /media (made if missing) first.
    mkdir("/media", 0755);
    if (mount("tmpfs", "/media", "tmpfs", 0, "mode=0755,size=64m") != 0) die(reply, "tmpfs on /media");
    mkdir(kRoot, 0755);
    if (mount("tmpfs", kRoot, "tmpfs", 0, "mode=0755,size=64m") != 0) die(reply, "tmpfs on /media/oracle");
  }
  std::string root = kRoot;
  mkdir((root + "/real").c_str(), 0755);
  mkdir(BashOracle::kWorkspace, 0777);
  mkdir(BashOracle::kHome, 0777);
  chown(BashOracle::kWorkspace, kNobody, kNobody);
  chown(BashOracle::kHome, kNobody, kNobody);
  write_file(root + "/log", "", 0666);
  std::string pass = "\n";
  for (const char* p : kPassThrough) pass += std::string(p) + "\n";
  write_file(root + "/passthrough", pass, 0644);
  // Keep the real pass-through programs where the stub finds them.
  for (const char* p : kPassThrough) {
    std::string real = root + "/real/" + p;
    for (const char* dir : kBinDirs) {
      char resolved[PATH_MAX];
      std::string path = std::string(dir) + "/" + p;
      if (realpath(path.c_str(), resolved) == nullptr) continue;
      struct stat st {};
      if (stat(resolved, &st) != 0 || !S_ISREG(st.st_mode)) continue;
      write_file(real, "", 0755);
      if (!bind(resolved, real, false)) die(reply, "bind " + path);
      break;
    }
  }
  // The PATH directories become fresh ones where every name is the stub (a link: argv[0] stays the name
  // bash used). Mounting over each file would follow links out of them (/usr/bin/ld.so is the loader).
  std::set<std::string> names;
  for (const char* dir : kBinDirs)
    for (auto& name : list_dir(dir)) names.insert(name);
  for (const auto& name : extra)
    if (!name.empty() && name.find('/') == std::string::npos) names.insert(name);
  for (const char* dir : kBinDirs) {
    if (mount("tmpfs", dir, "tmpfs", 0, "mode=0755,size=8m") != 0) die(reply, std::string("tmpfs on ") + dir);
    if (std::string_view(dir) != "/usr/bin") continue;
    for (const auto& name : names) symlink(stub.c_str(), (std::string(dir) + "/" + name).c_str());
  }
  // Nothing else is writable: the root and /work read-only, fresh /tmp and /dev/shm.
  for (const char* dir : {"/tmp", "/var/tmp", "/dev/shm"}) mount("tmpfs", dir, "tmpfs", 0, "mode=1777,size=16m");
  if (mount(nullptr, "/", nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY, nullptr) != 0) {
    // A root that is not a mount point of its own: bind it onto itself first.
    if (!bind("/", "/", true)) die(reply, "read-only root");
  }
}

// DROID_ORACLE_DEBUG=1: bash's status and stderr on the server's stderr.
bool debug() {
  static const bool on = std::getenv("DROID_ORACLE_DEBUG") != nullptr;  // NOLINT(concurrency-mt-unsafe): read once
  return on;
}

// In the server: one command in real bash, as nobody, in a fresh PID namespace.
std::string run_one(const std::string& command, bool& timed_out) {
  std::string log = std::string(kRoot) + "/log";
  write_file(log, "", 0666);
  // Every command starts from an empty workspace and home: nothing an earlier one wrote is run.
  for (const char* dir : {BashOracle::kWorkspace, BashOracle::kHome, "/tmp"}) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
      std::filesystem::remove_all(entry.path(), ec);
  }
  pid_t child = fork();
  if (child == 0) {
    // A PID namespace, and a mount namespace for its own /proc (the stubs read their ancestors there).
    if (unshare(CLONE_NEWPID | CLONE_NEWNS) != 0) _exit(120);
    pid_t bash = fork();
    if (bash == 0) {
      // PID 1 of the namespace: when it ends, the kernel kills everything it left behind.
      if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) _exit(125);
      int null = open("/dev/null", O_RDWR);
      dup2(null, 0);
      dup2(null, 1);
      int err = open("/media/oracle/err", O_WRONLY | O_CREAT | O_TRUNC, 0666);
      dup2(err >= 0 ? err : null, 2);
      for (int fd = 3; fd < 1024; ++fd) close(fd);
      rlimit procs{64, 64}, cpu{kTimeoutSeconds, kTimeoutSeconds}, fsize{1 << 20, 1 << 20};
      setrlimit(RLIMIT_NPROC, &procs);
      setrlimit(RLIMIT_CPU, &cpu);
      setrlimit(RLIMIT_FSIZE, &fsize);
      if (chdir(BashOracle::kWorkspace) != 0) _exit(121);
      setgroups(0, nullptr);
      if (setgid(kNobody) != 0 || setuid(kNobody) != 0) _exit(122);
      std::string home = std::string("HOME=") + BashOracle::kHome;
      const char* env[] = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                           home.c_str(),
                           "USER=nobody",
                           "LANG=C",
                           "SHELL=/bin/bash",
                           nullptr};
      std::string real = std::string(kRoot) + "/real/bash";
      const char* argv[] = {"bash", "--noprofile", "--norc", "-c", command.c_str(), nullptr};
      execve(real.c_str(), const_cast<char* const*>(argv), const_cast<char* const*>(env));
      _exit(127);
    }
    if (bash < 0) _exit(123);
    // Wait with a deadline; killing PID 1 ends the namespace.
    for (int waited = 0; waited < kTimeoutSeconds * 100; ++waited) {
      int status = 0;
      if (waitpid(bash, &status, WNOHANG) == bash) {
        if (debug()) fprintf(stderr, "oracle: bash status %d\n", status);
        _exit(0);
      }
      usleep(10000);
    }
    kill(bash, SIGKILL);
    waitpid(bash, nullptr, 0);
    _exit(124);
  }
  int status = 0;
  waitpid(child, &status, 0);
  timed_out = WIFEXITED(status) && WEXITSTATUS(status) == 124;
  if (debug())
    fprintf(stderr, "oracle: status %d, stderr: %s\n", status, read_file(std::string(kRoot) + "/err").c_str());
  return read_file(log);
}

[[noreturn]] void serve(int in, int out, const std::string& stub, const std::vector<std::string>& extra) {
  set_up(out, stub, extra);
  send(out, "READY");
  for (std::string command; receive(in, command);) {
    bool timed_out = false;
    std::string log = run_one(command, timed_out);
    send(out, std::string(timed_out ? "T" : "-") + log);
  }
  _exit(0);
}

}  // namespace

std::vector<std::vector<std::string>> parse_log(const std::string& log) {
  std::vector<std::vector<std::string>> out;
  std::vector<std::string> record;
  std::size_t i = 0;
  while (i < log.size()) {
    if (log[i] == '\n') {
      out.push_back(std::move(record));
      record.clear();
      ++i;
      continue;
    }
    std::size_t colon = log.find(':', i);
    if (colon == std::string::npos) break;
    std::size_t n = std::stoul(log.substr(i, colon - i));
    record.push_back(log.substr(colon + 1, n));
    i = colon + 1 + n;
  }
  return out;
}

BashOracle::BashOracle(std::string stub, const std::vector<std::string>& extra_names) {
  if (geteuid() != 0) {
    error_ = "the bash oracle needs root (private namespaces and bind mounts)";
    return;
  }
  char resolved[PATH_MAX];
  if (realpath(stub.c_str(), resolved) == nullptr) {
    error_ = "the stub program " + stub + " is missing";
    return;
  }
  stub = resolved;
  int down[2], up[2];
  if (pipe2(down, O_CLOEXEC) != 0 || pipe2(up, O_CLOEXEC) != 0) {
    error_ = "pipe";
    return;
  }
  server_ = fork();
  if (server_ == 0) {
    close(down[1]);
    close(up[0]);
    serve(down[0], up[1], stub, extra_names);
  }
  close(down[0]);
  close(up[1]);
  to_server_ = down[1];
  from_server_ = up[0];
  std::string hello;
  if (!receive(from_server_, hello)) {
    error_ = "the oracle server ended while setting up";
  } else if (hello != "READY") {
    error_ = hello;
  }
}

BashOracle::~BashOracle() {
  if (to_server_ >= 0) close(to_server_);
  if (from_server_ >= 0) close(from_server_);
  if (server_ > 0) waitpid(server_, nullptr, 0);
}

Observed BashOracle::run(const std::string& command) {
  Observed r;
  std::string reply;
  if (!ok() || !send(to_server_, command) || !receive(from_server_, reply) || reply.empty()) {
    error_ = error_.empty() ? "the oracle server stopped answering" : error_;
    return r;
  }
  r.timed_out = reply[0] == 'T';
  r.programs = parse_log(reply.substr(1));
  return r;
}

}  // namespace droid::runner::policy::oracle
