// The exit codes of kubectl droid (documented in README.md). A CI job tells a
// session's outcome from the status: 0 only when the session Succeeded (or a
// command other than run did its job).
#pragma once

#include <stdexcept>
#include <string>

namespace droid::kubectl {

enum ExitCode : int {
  kExitOk = 0,                // Succeeded; any other command done
  kExitFailed = 1,            // the session Failed
  kExitUsage = 2,             // bad command line or manifest
  kExitDenied = 3,            // refused by policy (phase Denied)
  kExitTimedOut = 4,          // the session ran past its timeout (phase TimedOut)
  kExitCancelled = 5,         // the session was cancelled (phase Cancelled)
  kExitAwaitingApproval = 6,  // run --no-wait-approval: the session waits for an approval
  kExitError = 7,             // kubeconfig, connection, RBAC, not found, or an API refusal
  kExitWaitTimeout = 8,       // run --wait-timeout elapsed before the session finished
};

// The exit code for a session that ended in `phase` (a terminal phase or
// AwaitingApproval); kExitError for anything else.
int exit_code_for_phase(const std::string& phase);

// Whether a phase is final (Denied, Succeeded, Failed, TimedOut, Cancelled).
bool is_terminal_phase(const std::string& phase);

// A failure the command reports as one message and an exit code.
class CommandError : public std::runtime_error {
 public:
  CommandError(const std::string& message, int code) : std::runtime_error(message), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

// A command line or manifest that cannot be used (exit 2).
class UsageError : public CommandError {
 public:
  explicit UsageError(const std::string& message) : CommandError(message, kExitUsage) {}
};

}  // namespace droid::kubectl
