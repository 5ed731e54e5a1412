#include "context.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "args.h"
#include "exit_codes.h"

namespace droid::kubectl {
namespace {

namespace fs = std::filesystem;

std::string kubeconfig(const std::string& cluster, const std::string& server, const std::string& ctx_ns) {
  return "clusters: [{name: " + cluster + ", cluster: {server: \"" + server + "\"}}]\n" + "users: [{name: u-" +
         cluster + ", user: {token: t-" + cluster + "}}]\n" + "contexts: [{name: ctx-" + cluster +
         ", context: {cluster: " + cluster + ", user: u-" + cluster + (ctx_ns.empty() ? "" : ", namespace: " + ctx_ns) +
         "}}]\n" + "current-context: ctx-" + cluster + "\n";
}

class ContextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kubectl_droid_context_" + std::to_string(getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_ / "home" / ".kube");
    std::ofstream(dir_ / "a.yaml") << kubeconfig("a", "https://a.example", "team-a");
    std::ofstream(dir_ / "b.yaml") << kubeconfig("b", "https://b.example", "");
    env_.home = (dir_ / "home").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  Context resolve(const std::vector<std::string>& args) {
    const auto specs = global_flag_specs();
    cli::Flags flags(specs);
    flags.parse(expand_short_flags(args, {}, specs));
    return resolve_context(flags, env_);
  }
  std::string error_of(const std::vector<std::string>& args) {
    try {
      resolve(args);
    } catch (const CommandError& e) {
      return e.what();
    }
    return "no error";
  }
  std::string path(const char* name) const { return (dir_ / name).string(); }

  fs::path dir_;
  Environment env_;
};

TEST_F(ContextTest, KubeconfigFlagThenEnvironmentThenHome) {
  env_.kubeconfig = path("b.yaml");
  EXPECT_EQ(resolve({"--kubeconfig", path("a.yaml")}).config.server, "https://a.example");
  const Context from_env = resolve({});
  EXPECT_EQ(from_env.config.server, "https://b.example");
  EXPECT_EQ(from_env.namespace_name, "default");
  EXPECT_EQ(from_env.source, "kubeconfig " + path("b.yaml") + ", context ctx-b");
  env_.kubeconfig.clear();
  EXPECT_NE(error_of({}).find("no kubeconfig: give --kubeconfig FILE or set KUBECONFIG"), std::string::npos);
  fs::copy_file(dir_ / "a.yaml", dir_ / "home" / ".kube" / "config");
  EXPECT_EQ(resolve({}).config.server, "https://a.example");
}

TEST_F(ContextTest, MergedKubeconfigAndContextAndNamespace) {
  env_.kubeconfig = path("missing.yaml") + ":" + path("a.yaml") + ":" + path("b.yaml");
  Context c = resolve({});
  EXPECT_EQ(c.config.context, "ctx-a");   // the first file's current-context
  EXPECT_EQ(c.namespace_name, "team-a");  // the context's namespace
  c = resolve({"--context", "ctx-b"});
  EXPECT_EQ(c.config.server, "https://b.example");
  EXPECT_EQ(c.config.bearer_token(), "t-b");
  EXPECT_EQ(c.namespace_name, "default");
  EXPECT_EQ(resolve({"-n", "mine"}).namespace_name, "mine");
  EXPECT_NE(error_of({"--context", "nope"})
                .find("kubeconfig: " + path("a.yaml") + ":" + path("b.yaml") + ": contexts: no entry named \"nope\""),
            std::string::npos)
      << error_of({"--context", "nope"});
}

}  // namespace
}  // namespace droid::kubectl
