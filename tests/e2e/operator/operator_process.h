// Runs the real droid-operator binary as a child process for the end-to-end
// tests: start() forks and execs it with the given flags, its JSON log lines
// going to a file; kill() sends SIGKILL (a crash), terminate() SIGTERM and waits
// (a graceful stop). The destructor kills what is still running, and so does this
// process's death (PR_SET_PDEATHSIG: start() from the thread that lives longest).
#pragma once
#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace droid::e2e {

class OperatorProcess {
 public:
  OperatorProcess(std::string binary, std::vector<std::string> args, std::string log_file);
  ~OperatorProcess();
  OperatorProcess(const OperatorProcess&) = delete;
  OperatorProcess& operator=(const OperatorProcess&) = delete;

  void start();
  void kill();  // SIGKILL and reap
  // SIGTERM; returns the exit status, or -1 when it had to be killed after `grace`.
  int terminate(std::chrono::milliseconds grace = std::chrono::seconds(20));
  bool running();
  pid_t pid() const { return pid_; }
  const std::string& log_file() const { return log_file_; }
  std::string log_tail(std::size_t bytes = 4000) const;

 private:
  std::string binary_;
  std::vector<std::string> args_;
  std::string log_file_;
  pid_t pid_ = -1;
};

// A TCP port on 127.0.0.1 that was free a moment ago.
int free_port();

}  // namespace droid::e2e
