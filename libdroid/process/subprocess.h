// Running a program and capturing what it prints, without a shell: fork and
// execvp, stdin fed from a string, stdout and stderr captured separately, the
// child in its own process group, killed as a group at the timeout.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace droid::process {

struct Result {
  int exit_code = -1;      // exit status, or 128+signal when killed by a signal
  bool timed_out = false;  // killed because it exceeded the timeout
  std::string out;         // everything written to stdout
  std::string err;         // everything written to stderr

  bool ok() const { return exit_code == 0 && !timed_out; }
  // The exit status and both outputs, for assertion and error messages.
  std::string describe() const;
};

// Runs argv[0] (looked up on PATH) with its arguments. Throws std::runtime_error
// when the program cannot be started.
Result run(const std::vector<std::string>& argv, const std::string& input = {},
           std::chrono::milliseconds timeout = std::chrono::seconds(60));

struct Options {
  std::string input;
  std::chrono::milliseconds timeout = std::chrono::seconds(60);
  std::string cwd;               // empty: the caller's
  bool clear_env = false;        // start from an empty environment instead of the caller's
  std::vector<std::string> env;  // "NAME=value", added or replacing the caller's
};
Result run_with(const std::vector<std::string>& argv, const Options& options);

}  // namespace droid::process
