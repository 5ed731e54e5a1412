// The tool sandbox (SPEC §6.6): runs one command, captures its output and
// returns how it ended. Every tool process of the agent goes through it.
//
// run_sandboxed() forks a supervisor, which makes itself a child subreaper and
// forks the command. In the command's process, before exec, in this order:
// new session and process group (setsid), default signal dispositions and
// mask, stdin from /dev/null (or a pipe the runner feeds Spec::stdin_data
// into), rlimits (rlimits.h), PR_SET_NO_NEW_PRIVS, every fd above 2 closed,
// working directory = workspace, Landlock (landlock.h), seccomp
// (seccomp_filter.h), then execve with a clean environment (environment.h).
// The supervisor enforces the timeout: SIGTERM to the process group and every
// descendant, a grace period, then SIGKILL to all of them; being a subreaper,
// it also finds processes that escaped the group with setsid(). When the
// command exits, whatever it left running is killed too. If the runner dies,
// the supervisor (PR_SET_PDEATHSIG) kills the tree. The runner writes
// stdin_data while it reads stdout and stderr to the end, keeping at most
// max_output_bytes of each. Each run gets a private temp dir ($TMPDIR),
// removed afterwards.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "sandbox/landlock.h"
#include "sandbox/rlimits.h"
#include "sandbox/seccomp_filter.h"

namespace droid::runner::sandbox {

// Paths the runner keeps its configuration, credentials and service-account
// token in, plus the system's own secrets; they stay unreadable in the sandbox.
std::vector<std::string> default_denied_paths();

struct Spec {
  std::vector<std::string> argv;  // argv[0] is looked up on `path` unless it contains a '/'
  std::string workspace;          // must exist; the cwd, $HOME and the only writable tree besides $TMPDIR
  std::chrono::milliseconds timeout = std::chrono::minutes(10);
  std::chrono::milliseconds kill_grace = std::chrono::seconds(2);  // between SIGTERM and SIGKILL
  Network network = Network::None;
  std::size_t max_output_bytes = 1 << 20;  // kept per stream
  Limits limits;
  std::string path;                         // $PATH in the sandbox; empty for kDefaultPath
  std::map<std::string, std::string> env;   // explicitly allowed extra variables
  std::vector<std::string> extra_readable;  // more read+execute trees (toolchains, test helpers)
  std::vector<std::string> denied = default_denied_paths();
  std::string temp_parent = "/tmp";  // where the private temp dir is created
  std::string stdin_data;            // written to the command's stdin, then EOF; empty: /dev/null
};

struct Outcome {
  int exit_code = -1;  // the command's; 128+N when killed by signal N; 124 on timeout;
                       // 126 when the sandbox could not be entered or exec failed; 127 not found
  bool timed_out = false;
  int term_signal = 0;  // the signal that ended the command, if any
  std::string out;      // stdout, at most max_output_bytes
  std::string err;      // stderr, at most max_output_bytes
  bool out_truncated = false;
  bool err_truncated = false;
  std::size_t out_bytes = 0;  // bytes written, kept or not
  std::size_t err_bytes = 0;
  std::string error;     // why the command could not start, if it could not
  int landlock_abi = 0;  // the ABI the ruleset used
  std::chrono::microseconds elapsed{0};

  bool truncated() const { return out_truncated || err_truncated; }
};

// Throws SandboxError when the sandbox cannot be set up at all (no Landlock, a
// denied path overlapping an allowed one, a missing workspace...), before
// anything runs; failures inside the child are reported in Outcome::error.
Outcome run_sandboxed(const Spec& spec);

}  // namespace droid::runner::sandbox
