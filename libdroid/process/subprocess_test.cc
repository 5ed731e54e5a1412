#include "process/subprocess.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace droid::process {
namespace {

using namespace std::chrono_literals;

TEST(Subprocess, CapturesStdoutStderrAndExitCode) {
  Result r = run({"sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
  EXPECT_FALSE(r.ok());
}

TEST(Subprocess, FeedsStdin) {
  std::string big(1 << 20, 'x');  // larger than a pipe buffer
  Result r = run({"wc", "-c"}, big);
  EXPECT_TRUE(r.ok()) << r.describe();
  EXPECT_EQ(r.out, std::to_string(big.size()) + "\n");
}

TEST(Subprocess, PassesArgumentsWithoutAShell) {
  Result r = run({"printf", "%s|", "a b", "$(x)", "*"});
  EXPECT_EQ(r.out, "a b|$(x)|*|");
}

TEST(Subprocess, KillsTheProcessGroupAtTheTimeout) {
  auto start = std::chrono::steady_clock::now();
  Result r = run({"sh", "-c", "sleep 30 & sleep 30"}, {}, 300ms);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.exit_code, 128 + 9);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
}

TEST(Subprocess, ReportsSignals) { EXPECT_EQ(run({"sh", "-c", "kill -TERM $$"}).exit_code, 128 + 15); }

TEST(Subprocess, MissingProgramThrows) {
  EXPECT_THROW(run({"/nonexistent/program"}), std::runtime_error);
  EXPECT_THROW(run({}), std::invalid_argument);
}

}  // namespace
}  // namespace droid::process

namespace droid::process {
namespace {

TEST(Subprocess, OptionsSetTheDirectoryAndTheEnvironment) {
  Options o;
  o.cwd = "/usr";
  o.env = {"DROID_TEST_A=one", "HOME=/nowhere"};
  Result r = run_with({"sh", "-c", "pwd; echo $DROID_TEST_A $HOME"}, o);
  ASSERT_TRUE(r.ok()) << r.describe();
  EXPECT_EQ(r.out, "/usr\none /nowhere\n");

  o.clear_env = true;
  o.env = {"ONLY=this", "PATH=/usr/bin:/bin"};
  r = run_with({"sh", "-c", "env | sort"}, o);
  ASSERT_TRUE(r.ok()) << r.describe();
  EXPECT_EQ(r.out.find("HOME="), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ONLY=this"), std::string::npos) << r.out;

  o.cwd = "/does/not/exist";
  EXPECT_THROW(run_with({"true"}, o), std::runtime_error);
}

}  // namespace
}  // namespace droid::process
