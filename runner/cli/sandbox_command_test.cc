// Runs the real droid-runner binary: `sandbox` must pass the command's output
// and exit code through, give 124 on timeout and 125 on usage errors.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "process/subprocess.h"

namespace {

using droid::process::Result;

class SandboxCli : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = std::filesystem::temp_directory_path().string() + "/droid-sandbox-cli-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    workspace_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(workspace_); }

  Result sandbox(std::vector<std::string> options, const std::vector<std::string>& command) const {
    std::vector<std::string> argv = {DROID_RUNNER, "sandbox", "--workspace", workspace_};
    argv.insert(argv.end(), options.begin(), options.end());
    argv.emplace_back("--");
    argv.insert(argv.end(), command.begin(), command.end());
    return droid::process::run(argv);
  }

  std::string workspace_;
};

TEST_F(SandboxCli, PassesOutputAndExitCodeThrough) {
  Result r = sandbox({}, {"sh", "-c", "echo hello; echo oops >&2; pwd; exit 3"});
  EXPECT_EQ(r.exit_code, 3) << r.describe();
  EXPECT_EQ(r.out, "hello\n" + std::filesystem::canonical(workspace_).string() + "\n");
  EXPECT_EQ(r.err, "oops\n");
}

TEST_F(SandboxCli, TimeoutExitsWith124) {
  Result r = sandbox({"--timeout", "1"}, {"sleep", "30"});
  EXPECT_EQ(r.exit_code, 124) << r.describe();
  EXPECT_NE(r.err.find("timed out"), std::string::npos) << r.err;
}

TEST_F(SandboxCli, WritesOutsideTheWorkspaceFail) {
  Result r = sandbox({}, {"sh", "-c", "echo x > /tmp/droid-sandbox-cli-escape"});
  EXPECT_NE(r.exit_code, 0) << r.describe();
  EXPECT_FALSE(std::filesystem::exists("/tmp/droid-sandbox-cli-escape"));
}

TEST_F(SandboxCli, NetworkOptionControlsInetSockets) {
  // bash's /dev/tcp opens an inet socket: EPERM without network, connection
  // refused (port 9 closed) with the gateway; both fail, differently.
  Result none = sandbox({}, {"bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9"});
  EXPECT_NE(none.err.find("Operation not permitted"), std::string::npos) << none.describe();
  Result gateway = sandbox({"--network", "gateway"}, {"bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9"});
  EXPECT_EQ(gateway.err.find("Operation not permitted"), std::string::npos) << gateway.describe();
  EXPECT_NE(gateway.err.find("Connection refused"), std::string::npos) << gateway.describe();
}

TEST_F(SandboxCli, MaxOutputTruncatesWithANote) {
  Result r = sandbox({"--max-output", "10"}, {"sh", "-c", "yes | head -c 1000"});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.out, "y\ny\ny\ny\ny\n");
  EXPECT_NE(r.err.find("stdout truncated to 10 of 1000 bytes"), std::string::npos) << r.err;
}

TEST_F(SandboxCli, EnvOptionAddsOneVariable) {
  Result r = sandbox({"--env", "GREETING=hi"}, {"sh", "-c", "echo $GREETING"});
  EXPECT_EQ(r.out, "hi\n") << r.describe();
}

TEST_F(SandboxCli, UsageErrorsExitWith125) {
  EXPECT_EQ(droid::process::run({DROID_RUNNER, "sandbox", "--", "true"}).exit_code, 125);  // no workspace
  EXPECT_EQ(sandbox({"--network", "everything"}, {"true"}).exit_code, 125);
  EXPECT_EQ(sandbox({"--timeout", "soon"}, {"true"}).exit_code, 125);
  EXPECT_EQ(droid::process::run({DROID_RUNNER, "sandbox", "--workspace", workspace_}).exit_code, 125);
  Result missing = sandbox({}, {"no-such-command-droid"});
  EXPECT_EQ(missing.exit_code, 127) << missing.describe();
}

TEST_F(SandboxCli, FailsClosedOnADeniedPathInTheWorkspace) {
  std::filesystem::create_directory(workspace_ + "/creds");
  Result r = sandbox({"--deny", workspace_ + "/creds"}, {"true"});
  EXPECT_EQ(r.exit_code, 125) << r.describe();
  EXPECT_NE(r.err.find("overlaps the denied path"), std::string::npos) << r.err;
}

}  // namespace
