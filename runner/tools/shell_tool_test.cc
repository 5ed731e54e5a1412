// The shell tool runs its commands in the real sandbox (Landlock, seccomp).
#include "tools/shell_tool.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tools/testing/workspace.h"

namespace droid::runner::tools {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class ShellToolTest : public ::testing::Test {
 protected:
  Result shell(const json& args) {
    ShellTool tool(context_);
    return tool.run(args);
  }
  testing::TempWorkspace ws_;
  Context context_ = ws_.context();
};

TEST_F(ShellToolTest, ExitCodeAndLabelledStreams) {
  Result r = shell({{"command", "echo out; echo err >&2"}});
  EXPECT_FALSE(r.is_error) << r.content;
  EXPECT_EQ(r.content, "exit code: 0\nstdout:\nout\nstderr:\nerr\n");
  EXPECT_EQ(r.audit["exit_code"], 0);
  EXPECT_EQ(r.audit["stdout_bytes"], 4);
  EXPECT_EQ(r.audit["timed_out"], false);
}

TEST_F(ShellToolTest, NonZeroExitIsAnError) {
  Result r = shell({{"command", "echo failing >&2; exit 3"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(r.content, "exit code: 3\nstderr:\nfailing\n");
  EXPECT_EQ(r.audit["exit_code"], 3);
}

TEST_F(ShellToolTest, NoOutput) { EXPECT_EQ(shell({{"command", "true"}}).content, "exit code: 0\n(no output)\n"); }

TEST_F(ShellToolTest, RunsInTheWorkspaceWithBash) {
  ws_.write("marker.txt", "here\n");
  Result r = shell({{"command", "cat marker.txt; [[ -n $BASH_VERSION ]] && echo bash; touch made.txt"}});
  EXPECT_EQ(r.content, "exit code: 0\nstdout:\nhere\nbash\n") << r.content;
  EXPECT_TRUE(ws_.exists("made.txt"));
}

TEST_F(ShellToolTest, TheSandboxConfinesWrites) {
  std::string target = ws_.outside() + "/escaped";
  Result r = shell({{"command", "echo x > " + target}});
  EXPECT_TRUE(r.is_error) << r.content;
  EXPECT_FALSE(fs::exists(target));
}

TEST_F(ShellToolTest, TimeoutFromTheArgumentKillsTheCommand) {
  Result r = shell({{"command", "sleep 30"}, {"timeout_seconds", 1}});
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(r.audit["timed_out"], true);
  EXPECT_EQ(r.audit["exit_code"], 124);
  EXPECT_NE(r.content.find("[timed out after 1 s"), std::string::npos) << r.content;
}

TEST_F(ShellToolTest, TimeoutIsCappedByTheTemplate) {
  context_.shell.timeout = std::chrono::milliseconds(500);
  Result r = shell({{"command", "sleep 30"}, {"timeout_seconds", 3600}});
  EXPECT_EQ(r.audit["timed_out"], true);
  EXPECT_NE(r.content.find("[timed out after 500 ms"), std::string::npos) << r.content;
}

TEST_F(ShellToolTest, LongOutputKeepsHeadAndTailWithinTheLimit) {
  context_.max_result_bytes = 4096;
  Result r = shell({{"command", "echo FIRST; head -c 100000 /dev/zero | tr '\\0' x; echo; echo LAST"}});
  EXPECT_FALSE(r.is_error);
  EXPECT_LE(r.content.size(), 4096U);
  EXPECT_NE(r.content.find("FIRST"), std::string::npos);
  EXPECT_NE(r.content.find("LAST"), std::string::npos);
  EXPECT_NE(r.content.find("bytes left out"), std::string::npos);
  EXPECT_EQ(r.audit["truncated"], true);
}

TEST_F(ShellToolTest, SandboxOutputCapIsNoted) {
  context_.shell.max_output_bytes = 1000;
  Result r = shell({{"command", "head -c 5000 /dev/zero | tr '\\0' y"}});
  EXPECT_NE(r.content.find("[stdout: 5000 bytes written, only the first 1000 kept]"), std::string::npos) << r.content;
}

TEST_F(ShellToolTest, CommandIsTheCommandString) {
  ShellTool tool(context_);
  EXPECT_EQ(tool.command({{"command", "ls -la"}}), "ls -la");
  EXPECT_EQ(tool.command({{"command", 3}}), std::nullopt);
  EXPECT_EQ(tool.command(json::array()), std::nullopt);
  EXPECT_EQ(tool.access(), Access::Execute);
  EXPECT_NE(tool.definition().description.find("at most 30 s"), std::string::npos);
}

TEST_F(ShellToolTest, BadArguments) {
  EXPECT_EQ(shell(json::object()).content, "command: missing required argument");
  EXPECT_EQ(shell({{"command", "  "}}).content, "command: is empty");
  EXPECT_EQ(shell({{"command", "ls"}, {"timeout_seconds", "5"}}).content,
            "timeout_seconds: expected an integer, got a string");
  EXPECT_EQ(shell({{"command", "ls"}, {"cwd", "/"}}).content,
            "cwd: unknown argument; the arguments are: command, timeout_seconds");
}

TEST_F(ShellToolTest, ASandboxThatCannotStartIsAnError) {
  context_.workspace = ws_.root() + "/missing";
  Result r = shell({{"command", "true"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_NE(r.content.find("the sandbox could not be set up"), std::string::npos) << r.content;
}

}  // namespace
}  // namespace droid::runner::tools
