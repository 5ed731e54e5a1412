// The program the bash oracle (bash_oracle.h) puts in place of every program on
// PATH: it appends its argv to the oracle's log as one record and exits 0, so
// that nothing real runs. The programs that only run other programs or print
// text (shells, env, timeout, xargs, find, base64, interpreters...) are run for
// real afterwards, from the copies the oracle keeps, so that the commands they
// start are logged too. Record: for each argument "LENGTH:BYTES", then "\n".
#include <fcntl.h>
#include <sys/auxv.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

namespace {

constexpr const char* kLog = "/media/oracle/log";
constexpr const char* kReal = "/media/oracle/real/";
constexpr const char* kPassThrough = "/media/oracle/passthrough";

std::string basename_of(const char* path) {
  const char* slash = std::strrchr(path, '/');
  return slash != nullptr ? slash + 1 : path;
}

bool passes_through(const std::string& name) {
  int fd = open(kPassThrough, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  std::string list;
  char buf[4096];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) list.append(buf, static_cast<std::size_t>(n));
  close(fd);
  return list.find("\n" + name + "\n") != std::string::npos;
}

// Whether this process was started by git's own implementation (its shell
// scripts in git-core): those are git's internals, not what the command ran.
bool inside_git_core(int argc, char** argv) {
  constexpr const char* kGitCore = "/usr/lib/git-core/";
  for (int i = 0; i < argc; ++i)
    if (std::strstr(argv[i], kGitCore) != nullptr) return true;
  pid_t pid = getppid();
  for (int depth = 0; depth < 16 && pid > 1; ++depth) {
    std::string proc = "/proc/" + std::to_string(pid);
    int fd = open((proc + "/cmdline").c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) break;
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n > 0) {
      for (ssize_t k = 0; k < n; ++k)
        if (buf[k] == '\0') buf[k] = ' ';
      buf[n] = '\0';
      if (std::strstr(buf, kGitCore) != nullptr) return true;
    }
    fd = open((proc + "/stat").c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) break;
    n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) break;
    buf[n] = '\0';
    const char* close_paren = std::strrchr(buf, ')');  // "pid (comm) state ppid ..."
    if (close_paren == nullptr) break;
    // " STATE PPID ...": the parent after the state letter.
    const char* p = close_paren + 1;
    while (*p == ' ') ++p;
    if (*p == '\0') break;
    char* end = nullptr;
    long ppid = std::strtol(p + 1, &end, 10);
    if (end == p + 1) break;
    pid = static_cast<pid_t>(ppid);
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  // The program is the file bash executed, not the argv[0] it passed: `exec -a NAME prog` and a
  // hashed name (BASH_CMDS[ls]=/bin/rm) run prog with another argv[0].
  // getauxval hands the address over as an integer.
  const auto* execfn = reinterpret_cast<const char*>(getauxval(AT_EXECFN));  // NOLINT(performance-no-int-to-ptr)
  std::string name = basename_of(execfn != nullptr ? execfn : argv[0]);
  std::string record;
  for (int i = 0; i < argc; ++i) {
    std::string arg = i == 0 ? name : std::string(argv[i]);
    record += std::to_string(arg.size()) + ":" + arg;
  }
  record += '\n';
  int fd = inside_git_core(argc, argv) ? -1 : open(kLog, O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd >= 0) {
    // One write per record: O_APPEND keeps records whole when processes run at once.
    ssize_t written = write(fd, record.data(), record.size());
    (void)written;
    close(fd);
  }
  if (passes_through(name)) {
    std::string real = kReal + name;
    execv(real.c_str(), argv);
    return 127;
  }
  return 0;
}
