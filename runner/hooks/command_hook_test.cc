// Command hooks run for real: /bin/sh in the tool sandbox, input on stdin.
#include "hooks/command_hook.h"

#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace droid::runner::hooks {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

class CommandHook : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = fs::temp_directory_path().string() + "/droid-hooks-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    workspace_ = root_ + "/workspace";
    fs::create_directory(workspace_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  HookResult run(const std::string& command, const std::string& input = "{}",
                 milliseconds timeout = std::chrono::seconds(30)) const {
    return run_command_hook(Event::PreToolUse, command, input, sandbox::Spec{}, workspace_, timeout);
  }

  std::string root_;
  std::string workspace_;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST_F(CommandHook, GetsTheInputOnStdinAndRunsInTheWorkspace) {
  HookResult r =
      run("cat > seen.json; pwd > cwd.txt; printf %s \"$CLAUDE_PROJECT_DIR\" > dir.txt", R"({"tool_name":"shell"})");
  EXPECT_FALSE(r.failed) << r.error;
  EXPECT_EQ(slurp(workspace_ + "/seen.json"), R"({"tool_name":"shell"})");
  EXPECT_EQ(slurp(workspace_ + "/cwd.txt"), fs::canonical(workspace_).string() + "\n");
  EXPECT_EQ(slurp(workspace_ + "/dir.txt"), workspace_);
}

TEST_F(CommandHook, ExitTwoBlocks) {
  HookResult r = run("cat >/dev/null; echo 'force push is not allowed' >&2; exit 2");
  EXPECT_TRUE(r.block);
  EXPECT_EQ(r.reason, "force push is not allowed");
}

TEST_F(CommandHook, TimeoutIsAFailure) {
  const auto started = std::chrono::steady_clock::now();
  HookResult r = run("sleep 5", "{}", milliseconds(200));
  EXPECT_TRUE(r.failed);
  EXPECT_EQ(r.error, "timed out after 0.2 s");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

TEST_F(CommandHook, MissingScriptIsAFailure) {
  HookResult r = run("./no-such-hook.sh");
  EXPECT_TRUE(r.failed);
  EXPECT_NE(r.error.find("could not run (exit 127)"), std::string::npos) << r.error;
}

TEST_F(CommandHook, CannotWriteOutsideTheWorkspace) {
  const std::string outside = root_ + "/outside.txt";
  HookResult r = run("echo pwned > " + outside + " || { echo 'write refused' >&2; exit 1; }");
  EXPECT_FALSE(fs::exists(outside));
  EXPECT_EQ(r.error.rfind("exit 1:", 0), 0U) << r.error;
  // Control: the same write inside the workspace succeeds.
  HookResult ok = run("echo fine > " + workspace_ + "/inside.txt");
  EXPECT_TRUE(ok.error.empty()) << ok.error;
  EXPECT_EQ(slurp(workspace_ + "/inside.txt"), "fine\n");
}

TEST_F(CommandHook, UnusableSandboxIsAFailure) {
  HookResult r =
      run_command_hook(Event::PreToolUse, "true", "{}", sandbox::Spec{}, root_ + "/missing", std::chrono::seconds(5));
  EXPECT_TRUE(r.failed);
  EXPECT_EQ(r.error.rfind("could not start: ", 0), 0U) << r.error;
}

}  // namespace
}  // namespace droid::runner::hooks
