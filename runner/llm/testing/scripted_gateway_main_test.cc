// droid-scripted-gateway as a process: it prints where it listens, serves a script
// read from a file with the key from a file, records to a file, and exits 0 on
// SIGTERM; without a key it refuses to start.
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "llm/client.h"
#include "llm/testing/test_pki.h"

extern char** environ;  // NOLINT

namespace droid::llm {
namespace {

struct Child {
  pid_t pid = -1;
  int out = -1;  // its stdout
};

Child spawn(const std::vector<std::string>& args) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));  // NOLINT
  argv.push_back(nullptr);
  Child c;
  const int rc = posix_spawn(&c.pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (rc != 0) throw std::runtime_error("posix_spawn failed");
  c.out = fds[0];
  return c;
}

std::string read_line(int fd, int timeout_ms) {
  std::string line;
  char ch = 0;
  while (line.empty() || line.back() != '\n') {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0 || read(fd, &ch, 1) != 1) break;
    line.push_back(ch);
  }
  return line;
}

int wait_exit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(ScriptedGatewayMain, ServesAScriptRecordsAndStopsOnSigterm) {
  const std::string dir = ::testing::TempDir() + "/llm-gw-main-" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  testing::write_file(dir + "/script.json",
                      R"({"turns": [{"match": {"lastMessageContains": "ping"}, "response": {"text": "pong"}}]})");
  testing::write_file(dir + "/key", "sk-main-test-key-1234\n");
  Child c = spawn({DROID_SCRIPTED_GATEWAY, "--script", dir + "/script.json", "--listen", "http://127.0.0.1:0",
                   "--api-key-file", dir + "/key", "--record", dir + "/requests.jsonl"});
  const std::string line = read_line(c.out, 20000);
  const auto listening = nlohmann::json::parse(line, nullptr, false);
  ASSERT_TRUE(listening.is_object() && listening.contains("listening")) << "printed: " << line;

  GatewayConfig config;
  config.provider = Provider::OpenAI;
  config.base_url = listening["listening"].get<std::string>() + "/v1";
  config.api_key = "sk-main-test-key-1234";
  Request r;
  r.model = "m";
  r.messages = {Message::user("ping")};
  std::string streamed;
  const auto ms_now = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  const auto sent_from = ms_now();
  EXPECT_EQ(make_client(config)->complete(r, [&](std::string_view d) { streamed += d; }).message.text(), "pong");
  EXPECT_EQ(streamed, "pong");
  const auto answered_by = ms_now();

  kill(c.pid, SIGTERM);
  EXPECT_EQ(wait_exit(c.pid), 0);
  close(c.out);
  std::ifstream record(dir + "/requests.jsonl");
  std::string first;
  ASSERT_TRUE(std::getline(record, first));
  const auto entry = nlohmann::json::parse(first);
  EXPECT_EQ(entry["body"]["messages"][0]["content"], "ping");
  EXPECT_EQ(entry["headers"]["authorization"], "[REDACTED]");
  // When it arrived, on the wall clock (what the benchmark's create -> first LLM request reads).
  ASSERT_TRUE(entry["receivedAtMs"].is_number_integer()) << first;
  EXPECT_GE(entry["receivedAtMs"].get<std::int64_t>(), sent_from);
  EXPECT_LE(entry["receivedAtMs"].get<std::int64_t>(), answered_by);
  EXPECT_EQ(first.find("sk-main-test-key-1234"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(ScriptedGatewayMain, RefusesToStartWithoutAKey) {
  const std::string script = ::testing::TempDir() + "/llm-gw-nokey.json";
  testing::write_file(script, R"({"turns": []})");
  Child c = spawn({DROID_SCRIPTED_GATEWAY, "--script", script, "--api-key-file", "/nonexistent/key"});
  EXPECT_EQ(wait_exit(c.pid), 2);
  close(c.out);
}

}  // namespace
}  // namespace droid::llm
