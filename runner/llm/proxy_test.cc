#include "llm/proxy.h"

#include <gtest/gtest.h>

namespace droid::llm {
namespace {

TEST(NoProxy, DomainsSuffixesPortsAddressesAndCidrs) {
  const std::string np =
      " localhost, .svc ,cluster.local,10.0.0.0/8, 192.168.1.5, gw.example.com:8443, [::1], fd00::/8";
  EXPECT_TRUE(no_proxy_matches(np, "localhost", 80));
  EXPECT_TRUE(no_proxy_matches(np, "litellm.llm.svc", 4000));
  EXPECT_TRUE(no_proxy_matches(np, "vllm.llm.svc.cluster.local", 8000));
  EXPECT_TRUE(no_proxy_matches(np, "CLUSTER.LOCAL", 443));
  EXPECT_FALSE(no_proxy_matches(np, "notcluster.local", 443));  // a suffix only at a dot
  EXPECT_TRUE(no_proxy_matches(np, "10.96.0.12", 443));
  EXPECT_FALSE(no_proxy_matches(np, "11.0.0.1", 443));
  EXPECT_TRUE(no_proxy_matches(np, "192.168.1.5", 80));
  EXPECT_FALSE(no_proxy_matches(np, "192.168.1.6", 80));
  EXPECT_TRUE(no_proxy_matches(np, "gw.example.com", 8443));
  EXPECT_FALSE(no_proxy_matches(np, "gw.example.com", 443));
  EXPECT_TRUE(no_proxy_matches(np, "[::1]", 443));
  EXPECT_TRUE(no_proxy_matches(np, "fd00::5", 443));
  EXPECT_FALSE(no_proxy_matches(np, "fe80::1", 443));
  EXPECT_FALSE(no_proxy_matches(np, "api.openai.com", 443));
  EXPECT_TRUE(no_proxy_matches("*", "anything", 1));
  EXPECT_TRUE(no_proxy_matches("*.corp", "a.b.corp", 1));
  EXPECT_FALSE(no_proxy_matches("", "anything", 1));
}

TEST(ProxyFor, SchemeSelectsTheVariableAndNoProxyBypasses) {
  ProxyEnvironment env{"http://secure-proxy:3128", "http://plain-proxy:3128", ".svc"};
  EXPECT_EQ(proxy_for("https", "api.example.com", 443, env), "http://secure-proxy:3128");
  EXPECT_EQ(proxy_for("http", "api.example.com", 80, env), "http://plain-proxy:3128");
  EXPECT_EQ(proxy_for("https", "litellm.llm.svc", 4000, env), "");
  EXPECT_EQ(proxy_for("https", "x", 443, ProxyEnvironment{}), "");
}

TEST(ProxySecrets, TheEgressTokenInTheProxyUrlIsAKnownSecret) {
  ProxyEnvironment env{"http://droid:tok-AbC_123@droid-egress.droid-system.svc:3128",
                       "http://droid:tok-AbC_123@droid-egress.droid-system.svc:3128", ""};
  EXPECT_EQ(proxy_secrets(env), std::vector<std::string>{"tok-AbC_123"});
  env.http_proxy = "http://user:p%40ss@proxy:3128/";
  EXPECT_EQ(proxy_secrets(env), (std::vector<std::string>{"tok-AbC_123", "p@ss"}));
  EXPECT_TRUE(proxy_secrets({"http://proxy:3128", "", ""}).empty());
  EXPECT_TRUE(proxy_secrets({"http://proxy:3128/a@b", "", ""}).empty()) << "an @ in the path is no user info";
}

}  // namespace
}  // namespace droid::llm
