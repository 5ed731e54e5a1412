#include "kube/config.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "kube/error.h"

namespace droid::kube {
namespace {

namespace fs = std::filesystem;

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kube_config_test_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    auto p = dir_ / name;
    std::ofstream(p) << text;
    return p.string();
  }
  std::string message_of(const std::string& path, KubeconfigOptions o = {}) {
    try {
      load_kubeconfig(path, o);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "no error";
  }
  fs::path dir_;
};

const char* kTwoContexts = R"(apiVersion: v1
kind: Config
clusters:
- name: a
  cluster:
    server: https://127.0.0.1:6443/
    certificate-authority-data: Q0EgUEVN
- name: b
  cluster:
    server: https://kube.example:443
    certificate-authority: ca.pem
users:
- name: cert
  user:
    client-certificate-data: Q0VSVA==
    client-key-data: S0VZ
- name: tok
  user:
    token: s3cret
- name: tokfile
  user:
    tokenFile: token.txt
contexts:
- name: ctx-a
  context: {cluster: a, user: cert}
- name: ctx-b
  context: {cluster: b, user: tok, namespace: team}
- name: ctx-f
  context: {cluster: b, user: tokfile}
current-context: ctx-a
)";

TEST_F(ConfigTest, CurrentContextWithInlineData) {
  auto c = load_kubeconfig(write("kc", kTwoContexts));
  EXPECT_EQ(c.server, "https://127.0.0.1:6443");
  EXPECT_EQ(c.ca_pem, "CA PEM");
  EXPECT_EQ(c.client_cert_pem, "CERT");
  EXPECT_EQ(c.client_key_pem, "KEY");
  EXPECT_EQ(c.bearer_token(), "");
  EXPECT_EQ(c.default_namespace, "default");
  EXPECT_FALSE(c.insecure_skip_tls_verify);
}

TEST_F(ConfigTest, NamedContextWithFilesRelativeToTheKubeconfig) {
  write("ca.pem", "FILE CA");
  auto c = load_kubeconfig(write("kc", kTwoContexts), {.context = "ctx-b"});
  EXPECT_EQ(c.server, "https://kube.example:443");
  EXPECT_EQ(c.ca_pem, "FILE CA");
  EXPECT_EQ(c.bearer_token(), "s3cret");
  EXPECT_EQ(c.default_namespace, "team");
}

TEST_F(ConfigTest, TokenFileIsReadAndReRead) {
  write("ca.pem", "FILE CA");
  write("token.txt", "first\n");
  auto c = load_kubeconfig(write("kc", kTwoContexts), {.context = "ctx-f"});
  EXPECT_EQ(c.bearer_token(), "first");
  // The kubeconfig's token file is re-read once a minute: replace it with a quick one.
  c.token_file = std::make_shared<TokenFile>((dir_ / "token.txt").string(), std::chrono::milliseconds(0));
  write("token.txt", "second");
  EXPECT_EQ(c.bearer_token(), "second");
  TokenFile slow((dir_ / "token.txt").string(), std::chrono::hours(1));
  EXPECT_EQ(slow.token(), "second");
  write("token.txt", "third");
  EXPECT_EQ(slow.token(), "second");  // cached
}

TEST_F(ConfigTest, ErrorsNameTheFileAndField) {
  const std::string missing_ctx = message_of(write("kc", kTwoContexts), {.context = "nope"});
  EXPECT_NE(missing_ctx.find("kc: contexts: no entry named \"nope\""), std::string::npos) << missing_ctx;

  const std::string no_ca = message_of(write("kc", kTwoContexts), {.context = "ctx-b"});
  EXPECT_NE(no_ca.find("clusters[b].cluster.certificate-authority: cannot read"), std::string::npos) << no_ca;

  auto bad_b64 = std::string(kTwoContexts);
  bad_b64.replace(bad_b64.find("Q0EgUEVN"), 8, "Q0E*UEVN");
  const std::string b64 = message_of(write("kc2", bad_b64));
  EXPECT_NE(b64.find("kc2: clusters[a].cluster.certificate-authority-data: invalid base64"), std::string::npos) << b64;

  EXPECT_NE(message_of((dir_ / "absent").string()).find("absent: cannot read the kubeconfig"), std::string::npos);
  EXPECT_NE(message_of(write("bad", "a: [")).find("bad: invalid YAML"), std::string::npos);
  EXPECT_NE(message_of(write("noserver",
                             "clusters: [{name: a, cluster: {}}]\ncontexts: [{name: c, context: "
                             "{cluster: a}}]\ncurrent-context: c\n"))
                .find("clusters[a].cluster.server is missing"),
            std::string::npos);
  const std::string half = message_of(write("half", R"(clusters: [{name: a, cluster: {server: "https://x"}}]
users: [{name: u, user: {client-certificate-data: Q0VSVA==}}]
contexts: [{name: c, context: {cluster: a, user: u}}]
current-context: c
)"));
  EXPECT_NE(half.find("users[u].user: client-certificate and client-key must be given together"), std::string::npos)
      << half;
}

TEST_F(ConfigTest, ReportsTheContextAndUserUsed) {
  write("ca.pem", "FILE CA");
  auto c = load_kubeconfig(write("kc", kTwoContexts), {.context = "ctx-b"});
  EXPECT_EQ(c.context, "ctx-b");
  EXPECT_EQ(c.user, "tok");
}

TEST_F(ConfigTest, SeveralFilesMergeWithTheFirstWinning) {
  write("ca.pem", "FILE CA");
  const std::string first = write("first", kTwoContexts);
  // The second file redefines cluster "a" (ignored: the first file's wins), adds
  // a context of its own whose relative CA path is relative to the second file,
  // and sets a current-context that the first file's overrides.
  fs::create_directories(dir_ / "other");
  std::ofstream(dir_ / "other" / "ca2.pem") << "SECOND CA";
  std::ofstream(dir_ / "other" / "kc") << R"(clusters:
- name: a
  cluster: {server: "https://ignored.example"}
- name: c
  cluster: {server: "https://second.example", certificate-authority: ca2.pem}
users:
- name: tok
  user: {token: ignored}
contexts:
- name: ctx-c
  context: {cluster: c, user: tok, namespace: second}
current-context: ctx-c
)";
  const std::string second = (dir_ / "other" / "kc").string();
  const std::string missing = (dir_ / "does-not-exist").string();

  auto merged = load_kubeconfig_files({missing, first, second});
  EXPECT_EQ(merged.context, "ctx-a");  // the first file's current-context
  EXPECT_EQ(merged.server, "https://127.0.0.1:6443");

  auto c = load_kubeconfig_files({first, second}, {.context = "ctx-c"});
  EXPECT_EQ(c.server, "https://second.example");
  EXPECT_EQ(c.ca_pem, "SECOND CA");
  EXPECT_EQ(c.bearer_token(), "s3cret");  // user "tok" from the first file
  EXPECT_EQ(c.default_namespace, "second");

  // Reversed, the second file's current-context and cluster "a" win.
  auto reversed = load_kubeconfig_files({second, first});
  EXPECT_EQ(reversed.context, "ctx-c");
  EXPECT_EQ(load_kubeconfig_files({second, first}, {.context = "ctx-a"}).server, "https://ignored.example");

  try {
    load_kubeconfig_files({missing});
    ADD_FAILURE() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("none of these files exists: " + missing), std::string::npos) << e.what();
  }
  try {
    load_kubeconfig_files({first, second}, {.context = "nope"});
    ADD_FAILURE() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(first + ":" + second + ": contexts: no entry named \"nope\""),
              std::string::npos)
        << e.what();
  }
}

TEST(KubeconfigPaths, SplitLikeKubectl) {
  EXPECT_EQ(split_kubeconfig_paths(""), std::vector<std::string>{});
  EXPECT_EQ(split_kubeconfig_paths("/a"), std::vector<std::string>{"/a"});
  EXPECT_EQ(split_kubeconfig_paths("/a::/b:/a:"), (std::vector<std::string>{"/a", "/b"}));
}

TEST_F(ConfigTest, InsecureSkipTlsVerifyOnlyWhenAllowed) {
  const std::string kc =
      write("kc", R"(clusters: [{name: a, cluster: {server: "https://x", insecure-skip-tls-verify: true}}]
contexts: [{name: c, context: {cluster: a}}]
current-context: c
)");
  EXPECT_NE(message_of(kc).find("insecure-skip-tls-verify: refused"), std::string::npos);
  EXPECT_TRUE(load_kubeconfig(kc, {.context = "", .allow_insecure = true}).insecure_skip_tls_verify);
}

TEST_F(ConfigTest, InCluster) {
  InClusterPaths paths;
  paths.token = write("token", "sa-token-1\n");
  paths.ca = write("ca.crt", "CA");
  paths.namespace_file = write("namespace", "droid-system");
  paths.token_refresh = std::chrono::milliseconds(0);
  ::setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);  // NOLINT(concurrency-mt-unsafe)
  ::setenv("KUBERNETES_SERVICE_PORT", "443", 1);        // NOLINT(concurrency-mt-unsafe)
  auto c = load_in_cluster(paths);
  EXPECT_EQ(c.server, "https://10.96.0.1:443");
  EXPECT_EQ(c.ca_pem, "CA");
  EXPECT_EQ(c.default_namespace, "droid-system");
  EXPECT_EQ(c.bearer_token(), "sa-token-1");
  write("token", "sa-token-2");  // the kubelet rotated it
  EXPECT_EQ(c.bearer_token(), "sa-token-2");
  fs::remove(paths.token);  // mid-rotation: the last good token is kept
  EXPECT_EQ(c.bearer_token(), "sa-token-2");

  ::setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);  // NOLINT(concurrency-mt-unsafe)
  write("token", "t");
  EXPECT_EQ(load_in_cluster(paths).server, "https://[fd00::1]:443");

  ::unsetenv("KUBERNETES_SERVICE_HOST");  // NOLINT(concurrency-mt-unsafe)
  EXPECT_THROW(load_in_cluster(paths), ConfigError);
  ::setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);  // NOLINT(concurrency-mt-unsafe)
  paths.ca = (dir_ / "absent-ca").string();
  try {
    load_in_cluster(paths);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("absent-ca"), std::string::npos) << e.what();
  }
}

TEST(Base64, DecodesAndRefuses) {
  EXPECT_EQ(base64_decode(""), "");
  EXPECT_EQ(base64_decode("Zg=="), "f");
  EXPECT_EQ(base64_decode("Zm8="), "fo");
  EXPECT_EQ(base64_decode("Zm9v"), "foo");
  EXPECT_EQ(base64_decode("Zm9v\nYmFy"), "foobar");
  EXPECT_THROW(base64_decode("Zm9v!"), std::invalid_argument);
  EXPECT_THROW(base64_decode("Z"), std::invalid_argument);
  EXPECT_THROW(base64_decode("Zg=x"), std::invalid_argument);
}

}  // namespace
}  // namespace droid::kube
