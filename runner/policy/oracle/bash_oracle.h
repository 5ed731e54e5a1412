// Real bash as the judge of what a command line runs. In a private mount,
// network, IPC and PID namespace (root only), every program on PATH is replaced
// by a stub (stub.cc) that logs its argv and exits 0; the programs that only run
// others or print text pass through to the real ones, so what they start is
// logged too. Each command then runs in real bash as `nobody`, on a read-only
// root, in a fresh PID namespace with a time limit, and the oracle returns the
// argv of every program bash (and what it ran) executed. Nothing real runs.
//
// The namespaces live in a server process forked at construction: the test
// process itself stays as it was (threads, sanitizers).
#pragma once

#include <sys/types.h>
#include <string>
#include <vector>

namespace droid::runner::policy::oracle {

struct Observed {
  std::vector<std::vector<std::string>> programs;  // argv of each program executed, in order
  bool timed_out = false;
};

class BashOracle {
 public:
  // `stub`: the path of the stub program; `extra_names`: programs to stub that
  // are not installed here (kubectl, terraform...), so that bash finds them.
  BashOracle(std::string stub, const std::vector<std::string>& extra_names);
  ~BashOracle();
  BashOracle(const BashOracle&) = delete;
  BashOracle& operator=(const BashOracle&) = delete;

  // Whether the oracle could be set up (root, namespaces); else why not.
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  Observed run(const std::string& command);

  static constexpr const char* kWorkspace = "/media/oracle/ws";  // bash's working directory
  static constexpr const char* kHome = "/media/oracle/home";     // $HOME, which ~ expands to

 private:
  pid_t server_ = -1;
  int to_server_ = -1, from_server_ = -1;
  std::string error_;
};

// The canonical list of what ran: records of the log, parsed.
std::vector<std::vector<std::string>> parse_log(const std::string& log);

}  // namespace droid::runner::policy::oracle
