#include "destination.h"

#include <gtest/gtest.h>

namespace droid::egress {
namespace {

Destination llm() {
  Destination d;
  d.name = "llm";
  d.hosts = {HostPattern("litellm.llm.svc"), HostPattern("*.gw.corp")};
  d.ports = {4000};
  d.methods = {"POST"};
  d.path_prefixes = {"/v1/"};
  return d;
}

Destination git() {
  Destination d;
  d.name = "git";
  d.hosts = {HostPattern("git.corp")};
  d.git_repositories = {"/team/app.git"};
  return d;
}

RequestTarget target(std::string host, int port, std::string method, std::string path, std::string query = "") {
  return {std::move(host), port, std::move(method), std::move(path), std::move(query)};
}

// HostPattern and is_plain_path: libdroid/contract/egress_grant_test.cc.

TEST(MatchRequest, AllowsOnlyListedHostPortMethodAndPath) {
  const Destination d = llm();
  const std::vector<const Destination*> allowed{&d};
  std::string why;
  auto m = match_request(allowed, target("litellm.llm.svc", 4000, "POST", "/v1/chat/completions"), why);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->destination, &d);
  EXPECT_TRUE(match_request(allowed, target("x.gw.corp", 4000, "POST", "/v1/messages"), why));

  EXPECT_FALSE(match_request(allowed, target("evil.example", 4000, "POST", "/v1/x"), why));
  EXPECT_NE(why.find("host evil.example"), std::string::npos) << why;
  EXPECT_FALSE(match_request(allowed, target("litellm.llm.svc", 80, "POST", "/v1/x"), why));
  EXPECT_NE(why.find("port 80"), std::string::npos) << why;
  EXPECT_FALSE(match_request(allowed, target("litellm.llm.svc", 4000, "GET", "/v1/x"), why));
  EXPECT_NE(why.find("method GET"), std::string::npos) << why;
  EXPECT_FALSE(match_request(allowed, target("litellm.llm.svc", 4000, "POST", "/admin"), why));
  EXPECT_NE(why.find("path /admin"), std::string::npos) << why;
}

TEST(MatchRequest, RefusesPathsThatCouldEscapeAPrefix) {
  const Destination d = llm();
  const std::vector<const Destination*> allowed{&d};
  std::string why;
  for (const char* path : {"/v1/../admin", "/v1/%2e%2e/admin", "/v1/%2E./x", "/v1//x", "/v1/a%2fb", "/v1\\..\\x",
                           "/v1/./x", "v1/x", "", "/v1/\x01"}) {
    EXPECT_FALSE(match_request(allowed, target("litellm.llm.svc", 4000, "POST", path), why)) << path;
  }
}

TEST(MatchRequest, DefaultPortIs80AndNoDestinationsMeansNothing) {
  const Destination g = git();
  std::string why;
  EXPECT_TRUE(match_request({&g}, target("git.corp", 80, "POST", "/team/app.git/git-upload-pack"), why));
  EXPECT_FALSE(match_request({&g}, target("git.corp", 8080, "POST", "/team/app.git/git-upload-pack"), why));
  EXPECT_FALSE(match_request({}, target("git.corp", 80, "GET", "/"), why));
}

TEST(MatchRequest, GitAllowsOnlySmartHttpOfItsRepositories) {
  const Destination g = git();
  const std::vector<const Destination*> allowed{&g};
  std::string why;
  auto m =
      match_request(allowed, target("git.corp", 80, "GET", "/team/app.git/info/refs", "service=git-upload-pack"), why);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->git, GitService::UploadPack);
  m = match_request(allowed, target("git.corp", 80, "GET", "/team/app.git/info/refs", "service=git-receive-pack"), why);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->git, GitService::UploadPack);  // the advertisement is a read
  m = match_request(allowed, target("git.corp", 80, "POST", "/team/app.git/git-receive-pack"), why);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->git, GitService::ReceivePack);

  EXPECT_FALSE(match_request(allowed, target("git.corp", 80, "GET", "/team/app.git/info/refs"), why));  // dumb
  EXPECT_FALSE(match_request(allowed, target("git.corp", 80, "GET", "/team/app.git/HEAD"), why));
  EXPECT_FALSE(match_request(allowed, target("git.corp", 80, "GET", "/team/app.git/objects/info/packs"), why));
  EXPECT_FALSE(match_request(allowed, target("git.corp", 80, "POST", "/team/other.git/git-receive-pack"), why));
  EXPECT_FALSE(match_request(allowed, target("git.corp", 80, "POST", "/team/app.gitx/git-receive-pack"), why));
  EXPECT_FALSE(match_request(allowed, target("git.corp", 80, "GET", "/team/app.git/git-receive-pack"), why));
  EXPECT_FALSE(match_request(allowed, target("git.corp", 80, "POST", "/team/app.git/git-receive-pack", "x=1"), why));
}

TEST(MatchTunnel, OnlyTunnelDestinationsAndTheirPorts) {
  Destination t;
  t.name = "mirror";
  t.hosts = {HostPattern("*.mirror.corp")};
  t.tunnel = true;
  const Destination l = llm();
  EXPECT_EQ(match_tunnel({&l, &t}, "pypi.mirror.corp", 443), &t);
  EXPECT_EQ(match_tunnel({&l, &t}, "pypi.mirror.corp", 8443), nullptr);
  EXPECT_EQ(match_tunnel({&l, &t}, "litellm.llm.svc", 4000), nullptr);  // HTTP destinations are not tunnels
  std::string why;
  EXPECT_FALSE(match_request({&t}, target("pypi.mirror.corp", 443, "GET", "/"), why));  // nor tunnels HTTP
}

}  // namespace
}  // namespace droid::egress
