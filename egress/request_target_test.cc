#include "request_target.h"

#include <gtest/gtest.h>

#include "credential.h"

namespace droid::egress {
namespace {

TEST(ParseAbsoluteTarget, HostPortPathQuery) {
  RequestTarget t;
  std::string error;
  ASSERT_TRUE(parse_absolute_target("post", "http://LiteLLM.llm.svc:4000/v1/chat/completions?x=1", t, error)) << error;
  EXPECT_EQ(t.method, "POST");
  EXPECT_EQ(t.host, "litellm.llm.svc");
  EXPECT_EQ(t.port, 4000);
  EXPECT_EQ(t.path, "/v1/chat/completions");
  EXPECT_EQ(t.query, "x=1");
  ASSERT_TRUE(parse_absolute_target("GET", "http://git.corp", t, error));
  EXPECT_EQ(t.port, 80);
  EXPECT_EQ(t.path, "/");
}

TEST(ParseAbsoluteTarget, RefusesWhatIsNotAPlainHttpUrl) {
  RequestTarget t;
  std::string error;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/v1/chat", "absolute http:// URL"},
      {"https://llm/v1", "https:// targets"},
      {"http://user:pw@llm/v1", "user information"},
      {"http://llm:0/", "invalid port"},
      {"http://llm:99999/", "invalid port"},
      {"http://llm:80x/", "invalid port"},
      {"http://[::1]:80/", "invalid host"},
      {"http://ll m/", "invalid host"},
      {"http:///x", "invalid host"},
      {"http://llm/a#frag", "fragment"},
  };
  for (const auto& [target, expected] : cases) {
    EXPECT_FALSE(parse_absolute_target("GET", target, t, error)) << target;
    EXPECT_NE(error.find(expected), std::string::npos) << target << ": " << error;
  }
}

TEST(ParseAuthority, HostColonPort) {
  std::string host, error;
  int port = 0;
  ASSERT_TRUE(parse_authority("Pypi.Mirror.corp:443", host, port, error));
  EXPECT_EQ(host, "pypi.mirror.corp");
  EXPECT_EQ(port, 443);
  EXPECT_FALSE(parse_authority("pypi.mirror.corp", host, port, error));
  EXPECT_FALSE(parse_authority(":443", host, port, error));
}

TEST(SessionToken, BasicAndBearer) {
  EXPECT_EQ(session_token("Basic " + base64("team-a/s1:tok-123")), "tok-123");
  EXPECT_EQ(session_token("basic " + base64(":tok:with:colons")), "tok:with:colons");
  EXPECT_EQ(session_token("Bearer tok-456"), "tok-456");
  EXPECT_EQ(session_token(""), "");
  EXPECT_EQ(session_token("Basic !!!"), "");
  EXPECT_EQ(session_token("Basic " + base64("no-colon")), "");
  EXPECT_EQ(session_token("Digest x"), "");
}

}  // namespace
}  // namespace droid::egress
