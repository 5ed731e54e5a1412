// The operator child never outlives what started it: a test or bench killed with SIGKILL
// (no destructor runs) leaves no operator behind.
#include "operator_process.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

namespace droid::e2e {
namespace {

// Gone, or a zombie waiting for init to reap it.
bool exited(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  const auto close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z';
}

TEST(OperatorProcess, DiesWithTheProcessThatStartedIt) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t starter = fork();
  ASSERT_GE(starter, 0);
  if (starter == 0) {
    OperatorProcess child("/bin/sleep", {"300"}, "/dev/null");
    child.start();
    const pid_t pid = child.pid();
    (void)!write(fds[1], &pid, sizeof pid);
    pause();
    _exit(0);
  }
  pid_t child = -1;
  ASSERT_EQ(read(fds[0], &child, sizeof child), static_cast<ssize_t>(sizeof child));
  close(fds[0]);
  close(fds[1]);
  ASSERT_GT(child, 0);
  EXPECT_FALSE(exited(child));
  ::kill(starter, SIGKILL);  // no destructor runs
  int status = 0;
  waitpid(starter, &status, 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!exited(child) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const bool gone = exited(child);
  if (!gone) ::kill(child, SIGKILL);
  EXPECT_TRUE(gone) << "the child " << child << " outlived the process that started it";
}

}  // namespace
}  // namespace droid::e2e
