// HTTP hooks against a real local HTTP server (a cpprestsdk listener): the
// request the DLP service gets, its answers, and failing closed.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include <cpprest/http_listener.h>

#include "hooks/hooks.h"
#include "hooks/http_hook.h"

namespace droid::runner::hooks {
namespace {

using nlohmann::json;
using web::http::http_request;
using web::http::experimental::listener::http_listener;

int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

// Answers every POST with `status` and `body`, after `delay` (waited out on a
// thread of its own, cut short when the server stops); records what it got.
class DlpServer {
 public:
  struct Seen {
    std::string path;
    std::string body;
    std::string authorization;
    std::string content_type;
  };

  DlpServer() {
    for (int tries = 0;; ++tries) {
      url_ = "http://127.0.0.1:" + std::to_string(free_port());
      listener_ = std::make_unique<http_listener>(web::uri(url_));
      listener_->support([this](http_request req) { handle(std::move(req)); });
      try {
        listener_->open().wait();
        return;
      } catch (const std::exception&) {
        if (tries >= 5) throw;
      }
    }
  }
  ~DlpServer() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    listener_->close().wait();
    for (auto& t : threads_) t.join();
  }
  DlpServer(const DlpServer&) = delete;
  DlpServer& operator=(const DlpServer&) = delete;

  void answer(int status, std::string body, std::chrono::milliseconds delay = {}) {
    std::lock_guard lock(mu_);
    status_ = status;
    body_ = std::move(body);
    delay_ = delay;
  }
  std::vector<Seen> seen() {
    std::lock_guard lock(mu_);
    return seen_;
  }
  const std::string& url() const { return url_; }

 private:
  void handle(http_request req) {
    const std::string body = req.extract_string().get();
    std::lock_guard lock(mu_);
    Seen s;
    s.path = req.relative_uri().path();
    s.body = body;
    if (req.headers().has("Authorization")) s.authorization = req.headers().find("Authorization")->second;
    s.content_type = req.headers().content_type();
    seen_.push_back(s);
    threads_.emplace_back([this, req, status = status_, answer = body_, delay = delay_]() {
      {
        std::unique_lock wait(mu_);
        cv_.wait_for(wait, delay, [this] { return stopping_; });
      }
      try {
        req.reply(status, answer, "application/json").wait();
      } catch (const std::exception&) {  // the client gave up
      }
    });
  }

  std::string url_;
  std::unique_ptr<http_listener> listener_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  int status_ = 200;
  std::string body_;
  std::chrono::milliseconds delay_{0};
  std::vector<Seen> seen_;
  std::vector<std::thread> threads_;
};

class HttpHooks : public ::testing::Test {
 protected:
  Hooks hooks(const std::string& event, double timeout = 10) const {
    json hook = {{"type", "http"},
                 {"url", server_.url() + "/v1/hook"},
                 {"timeout", timeout},
                 {"headers", {{"Authorization", "Bearer dlp-token"}}}};
    Options options;
    options.workspace = "/work/ws";
    options.session_id = "s-42";
    return Hooks(json{{event, {{{"matcher", "Bash"}, {"hooks", {hook}}}}}}, options);
  }
  static json shell_call() { return {{"tool_name", "shell"}, {"tool_input", {{"command", "ls"}}}}; }

  DlpServer server_;
};

TEST_F(HttpHooks, PostsTheInputWithTheConfiguredHeaders) {
  server_.answer(200, "");
  Outcome o = hooks("PreToolUse").run(Event::PreToolUse, shell_call());
  EXPECT_FALSE(o.block) << o.reason;
  EXPECT_TRUE(o.errors.empty());
  EXPECT_EQ(o.hooks_run, 1);
  const auto seen = server_.seen();
  ASSERT_EQ(seen.size(), 1U);
  EXPECT_EQ(seen[0].path, "/v1/hook");
  EXPECT_EQ(seen[0].authorization, "Bearer dlp-token");
  EXPECT_EQ(seen[0].content_type.rfind("application/json", 0), 0U) << seen[0].content_type;
  const json body = json::parse(seen[0].body);
  EXPECT_EQ(body["hook_event_name"], "PreToolUse");
  EXPECT_EQ(body["session_id"], "s-42");
  EXPECT_EQ(body["cwd"], "/work/ws");
  EXPECT_EQ(body["tool_input"]["command"], "ls");
}

TEST_F(HttpHooks, JsonDenyFromTheService) {
  server_.answer(
      200,
      R"({"hookSpecificOutput": {"permissionDecision": "deny", "permissionDecisionReason": "PII in the command"}})");
  Outcome o = hooks("PreToolUse").run(Event::PreToolUse, shell_call());
  EXPECT_TRUE(o.block);
  EXPECT_EQ(o.reason, "PII in the command");
}

TEST_F(HttpHooks, ServerErrorBlocksAPreToolUse) {
  server_.answer(500, "database down");
  Outcome o = hooks("PreToolUse").run(Event::PreToolUse, shell_call());
  EXPECT_TRUE(o.block);
  EXPECT_EQ(o.reason,
            "hook hooks.PreToolUse[0].hooks[0] (http " + server_.url() + "/v1/hook) failed: HTTP 500: database down");
}

TEST_F(HttpHooks, ServerErrorOnPostToolUseIsOnlyAnError) {
  server_.answer(503, "");
  Outcome o = hooks("PostToolUse").run(Event::PostToolUse, shell_call());
  EXPECT_FALSE(o.block);
  ASSERT_EQ(o.errors.size(), 1U);
  EXPECT_NE(o.errors[0].find("failed: HTTP 503"), std::string::npos) << o.errors[0];
}

TEST_F(HttpHooks, SlowServerTimesOutAndBlocks) {
  server_.answer(200, "", std::chrono::seconds(5));
  const auto started = std::chrono::steady_clock::now();
  Outcome o = hooks("PreToolUse", 0.3).run(Event::PreToolUse, shell_call());
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  EXPECT_TRUE(o.block);
  EXPECT_NE(o.reason.find("failed: timed out after 0.3 s"), std::string::npos) << o.reason;
}

TEST(HttpHook, NothingListeningIsAFailure) {
  HookResult r = run_http_hook(Event::PreToolUse, "http://127.0.0.1:" + std::to_string(free_port()) + "/hook", {}, "{}",
                               std::chrono::seconds(5), "");
  EXPECT_TRUE(r.failed);
  EXPECT_EQ(r.error.rfind("no answer: ", 0), 0U) << r.error;
}

TEST(HttpHook, UnreadableCaBundleIsAFailure) {
  HookResult r = run_http_hook(Event::PreToolUse, "https://127.0.0.1:1/hook", {}, "{}", std::chrono::seconds(5),
                               "/nonexistent/ca.pem");
  EXPECT_TRUE(r.failed);
  EXPECT_EQ(r.error, "CA bundle /nonexistent/ca.pem cannot be read");
}

}  // namespace
}  // namespace droid::runner::hooks
