// A program started in the background for the e2e tests, its stdout and stderr
// going to files that the test reads while it runs (to wait for a line), then
// waited for with a timeout (killed as a process group when it passes).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace droid::e2e {

class BackgroundProcess {
 public:
  // `env` entries ("NAME=value") are added to (or replace) the test's environment.
  BackgroundProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                    const std::string& output_prefix);
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  std::string out() const;  // what it wrote to stdout so far
  std::string err() const;
  // Waits until stdout or stderr contains `text`; false when the process ended or the time passed first.
  bool wait_for_output(const std::string& text, std::chrono::milliseconds timeout);
  // Its exit status (128+signal when killed); kills it after `timeout`.
  int wait(std::chrono::milliseconds timeout);

 private:
  bool exited();

  pid_t pid_ = -1;
  int status_ = -1;
  std::string out_path_;
  std::string err_path_;
};

}  // namespace droid::e2e
