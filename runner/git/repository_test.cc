// The repository against real git: a bare repository served by `git daemon`
// (the git protocol, push enabled) and, for credentials, a socket that asks
// for HTTP basic authentication the way a git server does.
#include "git/repository.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "llm/testing/test_pki.h"
#include "process/subprocess.h"

namespace droid::runner::git {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

fs::path temp_dir(const char* tag) {
  std::string t = std::string("/tmp/droid-git-") + tag + "-XXXXXX";
  return ::mkdtemp(t.data());
}

void sh(const std::string& script, const fs::path& cwd = "/") {
  process::Options o;
  o.cwd = cwd.string();
  o.env = {"GIT_CONFIG_NOSYSTEM=1", "HOME=" + cwd.string(), "GIT_AUTHOR_NAME=t",
           "GIT_AUTHOR_EMAIL=t@t",  "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t"};
  const process::Result r = process::run_with({"sh", "-ec", script}, o);
  ASSERT_TRUE(r.ok()) << script << "\n" << r.describe();
}

int free_port() {
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(s);
  return ntohs(a.sin_port);
}

// A bare repository with one commit on main, served by git daemon.
struct Server {
  fs::path root = temp_dir("srv");
  int port = free_port();
  pid_t daemon = -1;

  Server() {
    sh("git init -q --bare -b main app.git && git init -q -b main seed && cd seed && echo hello > README.md && "
       "git add README.md && git commit -qm init && git push -q ../app.git main",
       root);
    daemon = ::fork();
    if (daemon == 0) {
      ::execlp("git", "git", "daemon", "--reuseaddr", "--export-all", "--enable=receive-pack",
               ("--base-path=" + root.string()).c_str(), ("--port=" + std::to_string(port)).c_str(),
               "--listen=127.0.0.1", root.c_str(), nullptr);
      ::_exit(127);
    }
    // Ready when it answers.
    for (int i = 0; i < 100; ++i) {
      if (process::run({"git", "ls-remote", url()}, {}, 5s).ok()) return;
      std::this_thread::sleep_for(100ms);
    }
    ADD_FAILURE() << "git daemon did not start";
  }
  ~Server() {
    if (daemon > 0) {
      ::kill(daemon, SIGTERM);
      ::waitpid(daemon, nullptr, 0);
    }
    fs::remove_all(root);
  }
  std::string url() const { return "git://127.0.0.1:" + std::to_string(port) + "/app.git"; }
  std::string show(const std::string& what) const {
    return process::run({"git", "--git-dir", (root / "app.git").string(), "show", what}).out;
  }
};

struct RepositoryTest : ::testing::Test {
  Server server;
  fs::path scratch = temp_dir("ws");
  fs::path workspace = scratch / "workspace";
  fs::path private_dir = scratch / "private";
  void SetUp() override { fs::create_directories(workspace); }
  void TearDown() override { fs::remove_all(scratch); }
};

TEST_F(RepositoryTest, ClonesReportsChangesCommitsAndPushesToItsOwnBranch) {
  Repository repo(workspace.string(), "", private_dir.string());
  repo.clone(server.url(), "main");
  EXPECT_EQ(repo.base_ref(), "main");
  ASSERT_TRUE(fs::exists(workspace / "README.md"));
  EXPECT_TRUE(repo.changed_files().empty());

  std::ofstream(workspace / "README.md") << "hello, world\n";
  fs::create_directories(workspace / "src");
  std::ofstream(workspace / "src" / "new.txt") << "new\n";
  EXPECT_EQ(repo.changed_files(), (std::vector<std::string>{"README.md", "src/new.txt"}));
  const std::string diff = repo.diff();
  EXPECT_NE(diff.find("+hello, world"), std::string::npos) << diff;
  EXPECT_NE(diff.find("+new"), std::string::npos) << "untracked files are in the diff:\n" << diff;

  const std::string sha = repo.commit_all("droid: greet the world", "droid", "droid@droid.dev");
  EXPECT_EQ(sha.size(), 40u);
  EXPECT_THROW(repo.push("main"), GitError) << "never the branch the session started from";
  repo.push("droid/greeting");
  EXPECT_EQ(server.show("droid/greeting:README.md"), "hello, world\n");
  EXPECT_NE(server.show("droid/greeting").find("droid: greet the world"), std::string::npos);
  EXPECT_EQ(server.show("main:README.md"), "hello\n") << "main is untouched";
}

TEST_F(RepositoryTest, WhatTheAgentWroteIntoDotGitDoesNotRunWhenTheRunnerCommits) {
  Repository repo(workspace.string(), "", private_dir.string());
  repo.clone(server.url(), "");
  EXPECT_EQ(repo.base_ref(), "main");
  const fs::path witness = scratch / "pwned";
  // An agent with write access to the workspace plants hooks and config that
  // would run programs outside the sandbox when the runner calls git.
  fs::create_directories(workspace / ".git" / "hooks");
  std::ofstream(workspace / ".git" / "hooks" / "pre-commit") << "#!/bin/sh\ntouch " << witness << "\n";
  fs::permissions(workspace / ".git" / "hooks" / "pre-commit", fs::perms::owner_all);
  std::ofstream(workspace / ".git" / "config", std::ios::app)
      << "[core]\n\thooksPath = .git/hooks\n\tfsmonitor = touch " << witness << "\n"
      << "[filter \"x\"]\n\tclean = touch " << witness << "\n";
  std::ofstream(workspace / ".gitattributes") << "* filter=x\n";
  std::ofstream(workspace / "file.txt") << "content\n";
  repo.diff();
  repo.commit_all("droid: change", "droid", "droid@droid.dev");
  EXPECT_FALSE(fs::exists(witness)) << "a program the agent planted ran outside the sandbox";
}

// The agent cannot write the runner's private directory, but it can replace
// the workspace's .git: by a "gitdir:" file or a symlink to a repository it
// prepared, or add a commondir file that moves the config elsewhere.
TEST_F(RepositoryTest, ARepositoryTheAgentSubstitutedForDotGitIsRefusedNotUsed) {
  for (const std::string how : {"gitdir-file", "symlink"}) {
    SCOPED_TRACE(how);
    fs::remove_all(workspace);
    fs::remove_all(private_dir);
    fs::create_directories(workspace);
    Repository repo(workspace.string(), "", private_dir.string());
    repo.clone(server.url(), "main");
    const fs::path witness = scratch / ("pwned-" + how);
    const fs::path evil = scratch / ("evil-" + how);
    fs::remove_all(evil);
    fs::copy(workspace / ".git", evil, fs::copy_options::recursive);
    std::ofstream(evil / "config", std::ios::app) << "[filter \"x\"]\n\tclean = touch " << witness << "\n";
    std::ofstream(workspace / ".gitattributes") << "* filter=x\n";
    fs::remove_all(workspace / ".git");
    if (how == "symlink") {
      fs::create_directory_symlink(evil, workspace / ".git");
    } else {
      std::ofstream(workspace / ".git") << "gitdir: " << evil.string() << "\n";
    }
    std::ofstream(workspace / "file.txt") << "content\n";
    try {
      repo.commit_all("droid: change", "droid", "droid@droid.dev");
      ADD_FAILURE() << "committed from a repository the runner did not clone";
    } catch (const GitError& e) {
      EXPECT_NE(std::string(e.what()).find(".git is no longer the directory the clone made"), std::string::npos)
          << e.what();
    }
    EXPECT_THROW(repo.push("droid/x"), GitError);
    EXPECT_FALSE(fs::exists(witness)) << "a program from the substituted config ran outside the sandbox";
  }
}

TEST_F(RepositoryTest, ACommondirPlantedInDotGitDoesNotRedirectTheConfig) {
  Repository repo(workspace.string(), "", private_dir.string());
  repo.clone(server.url(), "main");
  const fs::path witness = scratch / "pwned";
  const fs::path common = scratch / "common";
  fs::copy(workspace / ".git", common, fs::copy_options::recursive);
  std::ofstream(common / "config", std::ios::app) << "[filter \"x\"]\n\tclean = touch " << witness << "\n";
  std::ofstream(workspace / ".gitattributes") << "* filter=x\n";
  std::ofstream(workspace / ".git" / "commondir") << common.string() << "\n";
  std::ofstream(workspace / "file.txt") << "content\n";
  const std::string sha = repo.commit_all("droid: change", "droid", "droid@droid.dev");
  EXPECT_EQ(sha.size(), 40u);
  EXPECT_FALSE(fs::exists(witness)) << "git read the config the agent pointed commondir at";
  repo.push("droid/common");
  EXPECT_EQ(server.show("droid/common:file.txt"), "content\n");
}

TEST_F(RepositoryTest, RefusesUrlsWithCredentialsOrTransportsThatRunCommands) {
  Repository repo(workspace.string(), "", private_dir.string());
  for (const char* url : {"https://bob:s3cret@git.corp/app.git", "ext::sh -c touch% /tmp/x", "--upload-pack=x"}) {
    try {
      repo.clone(url, "");
      ADD_FAILURE() << url;
    } catch (const GitError& e) {
      EXPECT_NE(std::string(e.what()).find("repository.url"), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()).find("s3cret"), std::string::npos) << e.what();
    }
  }
}

// A server that asks for basic authentication and records what git sends.
TEST_F(RepositoryTest, HttpCredentialsComeFromTheMountedFilesAndNeverShowInErrors) {
  const fs::path creds = scratch / "creds";
  fs::create_directories(creds);
  std::ofstream(creds / "username") << "droid-bot\n";
  std::ofstream(creds / "token") << "glpat-0123456789abcdefXYZ\n";

  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  socklen_t len = sizeof a;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&a), &len);
  ::listen(listener, 8);
  std::string authorization;
  std::thread server([&] {
    for (int i = 0; i < 2; ++i) {
      const int c = ::accept(listener, nullptr, nullptr);
      if (c < 0) return;
      char buf[8192];
      const ssize_t n = ::read(c, buf, sizeof buf);
      const std::string req(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
      const auto h = req.find("Authorization: Basic ");
      std::string reply;
      if (h == std::string::npos) {
        reply = "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"git\"\r\nContent-Length: 0\r\n\r\n";
      } else {
        authorization = req.substr(h + 21, req.find("\r\n", h) - h - 21);
        reply = "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n";
      }
      (void)!::write(c, reply.data(), reply.size());
      ::close(c);
      if (h != std::string::npos) return;
    }
  });
  Repository repo(workspace.string(), creds.string(), private_dir.string());
  try {
    repo.clone("http://127.0.0.1:" + std::to_string(ntohs(a.sin_port)) + "/app.git", "");
    ADD_FAILURE() << "the clone cannot succeed against this server";
  } catch (const GitError& e) {
    EXPECT_EQ(std::string(e.what()).find("glpat-0123456789abcdefXYZ"), std::string::npos) << e.what();
  }
  ::shutdown(listener, SHUT_RDWR);
  ::close(listener);
  server.join();
  // base64("droid-bot:glpat-0123456789abcdefXYZ")
  EXPECT_EQ(authorization, "ZHJvaWQtYm90OmdscGF0LTAxMjM0NTY3ODlhYmNkZWZYWVo=");
  // Nothing of the credentials was left in the workspace's git config.
  std::ifstream cfg(workspace / ".git" / "config");
  const std::string text((std::istreambuf_iterator<char>(cfg)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text.find("glpat"), std::string::npos);
}

// Smart HTTP over TLS with basic authentication (git http-backend behind
// runner/git/testing/git_https_server.py), trusted through a private CA.
TEST_F(RepositoryTest, ClonesAndPushesOverHttpsWithCredentialsFromTheMountedFiles) {
  namespace pki = droid::llm::testing;
  const pki::KeyPair ca = pki::make_ca("git test CA");
  const pki::KeyPair cert = pki::make_certificate(ca, "git.test", {"IP:127.0.0.1"}, /*server=*/true);
  const fs::path tls = scratch / "tls";
  fs::create_directories(tls);
  pki::write_file((tls / "ca.pem").string(), ca.cert_pem);
  pki::write_file((tls / "cert.pem").string(), cert.cert_pem);
  pki::write_file((tls / "key.pem").string(), cert.key_pem);
  ::setenv("GIT_SSL_CAINFO", (tls / "ca.pem").c_str(), 1);  // the runner passes it through to git

  int out[2];
  ASSERT_EQ(::pipe(out), 0);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::close(out[0]);
    ::execlp("python3", "python3", DROID_GIT_HTTPS_SERVER, server.root.c_str(), (tls / "cert.pem").c_str(),
             (tls / "key.pem").c_str(), "droid-bot", "pa55-w0rd-f0r-g1t-0123", nullptr);
    ::_exit(127);
  }
  ::close(out[1]);
  std::string first_line;
  char c = 0;
  while (::read(out[0], &c, 1) == 1 && c != '\n') first_line.push_back(c);
  ASSERT_FALSE(first_line.empty()) << "the HTTPS git server did not start";
  const std::string url = nlohmann::json::parse(first_line)["url"].get<std::string>() + "/app.git";

  const fs::path creds = scratch / "creds";
  fs::create_directories(creds);
  std::ofstream(creds / "username") << "droid-bot\n";
  std::ofstream(creds / "password") << "wrong-password-0123456789\n";
  {
    Repository wrong(workspace.string(), creds.string(), private_dir.string());
    try {
      wrong.clone(url, "main");
      ADD_FAILURE() << "a clone with the wrong password succeeded";
    } catch (const GitError& e) {
      EXPECT_EQ(std::string(e.what()).find("wrong-password-0123456789"), std::string::npos) << e.what();
    }
  }
  fs::remove_all(workspace);
  fs::create_directories(workspace);
  std::ofstream(creds / "password") << "pa55-w0rd-f0r-g1t-0123\n";
  Repository repo(workspace.string(), creds.string(), private_dir.string());
  repo.clone(url, "main");
  ASSERT_TRUE(fs::exists(workspace / "README.md"));
  std::ofstream(workspace / "README.md") << "over https\n";
  repo.commit_all("droid: https", "droid", "droid@droid.dev");
  repo.push("droid/https");
  EXPECT_EQ(server.show("droid/https:README.md"), "over https\n");
  std::ifstream cfg(workspace / ".git" / "config");
  const std::string text((std::istreambuf_iterator<char>(cfg)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text.find("pa55"), std::string::npos) << "the password was written into the repository's config";

  ::kill(pid, SIGTERM);
  ::waitpid(pid, nullptr, 0);
  ::close(out[0]);
  ::unsetenv("GIT_SSL_CAINFO");
}

}  // namespace
}  // namespace droid::runner::git
