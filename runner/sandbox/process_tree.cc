#include "sandbox/process_tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <unordered_map>

namespace droid::runner::sandbox {
namespace {

// The parent pid from /proc/PID/stat ("pid (comm) state ppid ..."; comm may
// contain spaces and parentheses, so parse from the last ')').
pid_t parent_of(const char* pid) {
  char path[300];
  std::snprintf(path, sizeof path, "/proc/%.255s/stat", pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  char buf[512];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return -1;
  buf[n] = '\0';
  const char* close_paren = std::strrchr(buf, ')');
  if (close_paren == nullptr || close_paren[1] == '\0' || close_paren[2] == '\0') return -1;
  const char* p = close_paren + 2;  // state
  while (*p != '\0' && *p != ' ') ++p;
  return static_cast<pid_t>(std::strtol(p, nullptr, 10));
}

}  // namespace

std::vector<pid_t> descendants(pid_t root) {
  std::unordered_multimap<pid_t, pid_t> children;
  if (DIR* dir = opendir("/proc")) {
    while (dirent* e = readdir(dir)) {  // NOLINT(concurrency-mt-unsafe): a DIR* of our own
      if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
      pid_t ppid = parent_of(e->d_name);
      if (ppid > 0) children.emplace(ppid, static_cast<pid_t>(std::strtol(e->d_name, nullptr, 10)));
    }
    closedir(dir);
  }
  std::vector<pid_t> out;
  std::vector<pid_t> todo = {root};
  while (!todo.empty()) {
    pid_t p = todo.back();
    todo.pop_back();
    auto [first, last] = children.equal_range(p);
    for (auto it = first; it != last; ++it) {
      out.push_back(it->second);
      todo.push_back(it->second);
    }
  }
  return out;
}

void signal_descendants(int sig) {
  for (pid_t p : descendants(getpid())) kill(p, sig);
}

void kill_and_reap_all(pid_t watched, int* watched_status, bool* watched_reaped) {
  for (;;) {
    // A subreaper without children has no descendants left: an orphan is
    // reparented before its parent becomes a zombie, so the walk below is
    // only needed while some child remains.
    pid_t p = 0;
    for (;;) {
      int status = 0;
      p = waitpid(-1, &status, WNOHANG);
      if (p <= 0) break;
      if (p == watched) {
        *watched_status = status;
        *watched_reaped = true;
      }
    }
    if (p < 0) return;  // ECHILD
    for (pid_t d : descendants(getpid())) kill(d, SIGKILL);
    timespec pause{0, 1000L * 1000L};
    nanosleep(&pause, nullptr);
  }
}

}  // namespace droid::runner::sandbox
