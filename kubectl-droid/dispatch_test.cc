// The plugin end to end without a cluster: command and flag errors, help, and
// an API server that cannot be reached (a real refused connection).
#include "dispatch.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "exit_codes.h"

namespace droid::kubectl {
namespace {

namespace fs = std::filesystem;

struct Outcome {
  int code;
  std::string out;
  std::string err;
};

class DispatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kubeconfig_ = fs::temp_directory_path() / ("kubectl_droid_dispatch_" + std::to_string(getpid()) + ".yaml");
    // Nothing listens on port 1: every request is refused at once.
    std::ofstream(kubeconfig_) << "clusters: [{name: c, cluster: {server: \"https://127.0.0.1:1\"}}]\n"
                                  "contexts: [{name: dead, context: {cluster: c, namespace: team}}]\n"
                                  "current-context: dead\n";
  }
  void TearDown() override { fs::remove(kubeconfig_); }

  Outcome run(const std::vector<std::string>& args) {
    std::ostringstream out, err;
    Io io{out, err, Environment{}};
    io.env.kubeconfig = kubeconfig_.string();
    const int code = dispatch(args, io);
    return {code, out.str(), err.str()};
  }
  fs::path kubeconfig_;
};

TEST_F(DispatchTest, HelpAndUnknownCommands) {
  auto o = run({"--help"});
  EXPECT_EQ(o.code, 0);
  EXPECT_NE(o.out.find("policy explain"), std::string::npos);
  o = run({});
  EXPECT_EQ(o.code, kExitUsage);
  o = run({"frobnicate"});
  EXPECT_EQ(o.code, kExitUsage);
  EXPECT_EQ(o.err.substr(0, o.err.find('\n')), "error: unknown command \"frobnicate\"");
  o = run({"run", "--help"});
  EXPECT_EQ(o.code, 0);
  EXPECT_NE(o.out.find("--no-wait-approval"), std::string::npos);
  EXPECT_NE(o.out.find("--kubeconfig FILE"), std::string::npos);
  o = run({"version"});
  EXPECT_EQ(o.code, 0);
  EXPECT_EQ(o.out, std::string("kubectl-droid ") + DROID_VERSION + " (API droid.dev/v1alpha1)\n");
}

TEST_F(DispatchTest, UsageErrorsExitTwo) {
  auto o = run({"list", "--bogus"});
  EXPECT_EQ(o.code, kExitUsage);
  EXPECT_EQ(o.err.substr(0, o.err.find('\n')), "error: unknown option --bogus");
  o = run({"get"});
  EXPECT_EQ(o.code, kExitUsage);
  EXPECT_EQ(o.err, "error: kubectl droid get needs a session NAME (see kubectl droid list)\n");
  o = run({"run", "--model", "qwen"});
  EXPECT_EQ(o.code, kExitUsage);
  EXPECT_EQ(o.err, "error: a session needs a prompt: give --prompt TEXT, --prompt-file FILE or -f FILE\n");
  o = run({"list", "-o", "table"});
  EXPECT_EQ(o.code, kExitUsage);
  EXPECT_EQ(o.err, "error: -o/--output: \"table\" is not one of json, yaml, wide\n");
  o = run({"policy", "show"});
  EXPECT_EQ(o.code, kExitUsage);
  o = run({"run", "--prompt", "x", "extra"});
  EXPECT_EQ(o.code, kExitUsage);
  EXPECT_NE(o.err.find("quote the prompt"), std::string::npos);
}

TEST_F(DispatchTest, UnreachableApiServerNamesTheKubeconfig) {
  auto o = run({"get", "s1"});
  EXPECT_EQ(o.code, kExitError);
  EXPECT_NE(o.err.find("error: cannot reach the API server https://127.0.0.1:1 (kubeconfig " + kubeconfig_.string() +
                       ", context dead)"),
            std::string::npos)
      << o.err;
  EXPECT_NE(o.err.find("choose another --kubeconfig/--context"), std::string::npos);
}

}  // namespace
}  // namespace droid::kubectl
