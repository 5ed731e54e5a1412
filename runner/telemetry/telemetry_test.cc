#include "telemetry/telemetry.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "log/log.h"
#include "telemetry/trace_id.h"

namespace droid::runner::telemetry {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A TCP socket on 127.0.0.1 that listens but never accepts: the kernel
// completes the handshake, then nothing ever answers the request.
class SilentListener {
 public:
  SilentListener() : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    if (fd_ < 0) throw std::runtime_error("socket failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ::close(fd_);
      throw std::runtime_error("bind/listen failed");
    }
    port_ = ntohs(addr.sin_port);
  }
  ~SilentListener() { ::close(fd_); }
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;
  int port() const { return port_; }

 private:
  int fd_;
  int port_ = 0;
};

// A port nothing listens on (bound, then closed).
int closed_port() {
  const SilentListener listener;
  return listener.port();
}

void run_session(Telemetry& t) {
  auto llm = t.start_llm_call("gpt-test");
  LlmCall call;
  call.provider = "openai";
  call.request_model = "gpt-test";
  call.response_model = "gpt-test-1";
  call.finish_reason = "stop";
  call.input_tokens = 10;
  call.output_tokens = 2;
  llm->end_llm(call);
  auto tool = t.start_tool_call("shell", "call_1");
  ToolCall shell;
  shell.name = "shell";
  shell.outcome = "ok";
  shell.risk = "low";
  shell.decision = "allow";
  tool->end_tool(shell);
  t.blocked("command");
  t.audit({{"event", "tool_call"}, {"tool", "shell"}});
}

TEST(TelemetryDisabled, IsANoOpWithAValidRandomTraceId) {
  std::atomic<int> redactions = 0;
  Config config;
  config.redact = [&redactions](std::string_view s) {
    ++redactions;
    return std::string(s);
  };
  auto a = Telemetry::make(config);
  auto b = Telemetry::make(config);
  EXPECT_TRUE(is_valid_trace_id(a->trace_id())) << a->trace_id();
  EXPECT_TRUE(is_valid_trace_id(b->trace_id())) << b->trace_id();
  EXPECT_NE(a->trace_id(), b->trace_id());
  EXPECT_EQ(a->trace_id(), a->trace_id());  // stable for the session

  run_session(*a);
  auto unended = a->start_llm_call("m");  // destroyed unended: nothing to do either
  unended.reset();
  a->finish("Succeeded", "Completed");
  a->finish("Succeeded", "Completed");  // idempotent
  EXPECT_EQ(redactions, 0) << "disabled telemetry has nothing to redact";
}

TEST(TelemetryConfig, RejectsABadEndpointNamingTheField) {
  for (const char* endpoint : {"otel-collector:4318", "ftp://collector:4318", "http://", "http://:4318",
                               "http://collector:4318?x=1", "http://user:pw@collector:4318", "http://a b"}) {
    Config config;
    config.endpoint = endpoint;
    try {
      Telemetry::make(config);
      ADD_FAILURE() << "accepted endpoint " << endpoint;
    } catch (const std::invalid_argument& e) {
      EXPECT_THAT(e.what(), HasSubstr("telemetry endpoint")) << endpoint;
    }
  }
}

TEST(TelemetryConfig, RejectsAnUnreadableCaFile) {
  Config config;
  config.endpoint = "https://collector:4318";
  config.ca_file = "/nonexistent/ca.pem";
  try {
    Telemetry::make(config);
    FAIL() << "accepted a missing CA file";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("ca_file"));
    EXPECT_THAT(e.what(), HasSubstr("/nonexistent/ca.pem"));
  }
}

TEST(TelemetryConfig, RejectsBadHeadersWithoutEchoingTheValue) {
  Config config;
  config.endpoint = "http://collector:4318";
  config.headers = {{"authorization", "Bearer abc\r\nX-Injected: 1"}};
  try {
    Telemetry::make(config);
    FAIL() << "accepted a header value with CR LF";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("headers"));
    EXPECT_THAT(e.what(), Not(HasSubstr("Bearer")));
  }
  config.headers = {{"bad name", "v"}};
  EXPECT_THROW(Telemetry::make(config), std::invalid_argument);
}

TEST(TelemetryConfig, RejectsANonPositiveExportTimeout) {
  Config config;
  config.endpoint = "http://collector:4318";
  config.export_timeout = std::chrono::milliseconds(0);
  try {
    Telemetry::make(config);
    FAIL() << "accepted a zero export timeout";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("export_timeout"));
  }
}

// With no collector there, the session still works and finish() returns; the
// SDK's export failures are in the structured log.
TEST(TelemetryEnabled, NoCollectorListeningDoesNotHoldTheSession) {
  std::mutex mutex;
  std::vector<nlohmann::json> lines;
  droid::log::set_sink([&](const std::string& line) {
    const std::lock_guard lock(mutex);
    lines.push_back(nlohmann::json::parse(line));
  });
  Config config;
  config.endpoint = "http://127.0.0.1:" + std::to_string(closed_port());
  config.export_timeout = std::chrono::seconds(2);
  auto t = Telemetry::make(config);
  EXPECT_TRUE(is_valid_trace_id(t->trace_id())) << t->trace_id();
  run_session(*t);
  const auto start = std::chrono::steady_clock::now();
  t->finish("Failed", "GatewayUnreachable");
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, config.export_timeout * 3) << "finish() must be bounded by the export timeout";
  t->finish("Failed", "GatewayUnreachable");  // idempotent
  droid::log::set_sink(nullptr);
  const std::lock_guard lock(mutex);
  const bool reported = std::any_of(lines.begin(), lines.end(), [](const nlohmann::json& line) {
    return line.value("logger", "") == "telemetry" && line.value("level", "") == "error";
  });
  EXPECT_TRUE(reported) << "no telemetry error in the structured log; " << lines.size() << " lines";
}

// A collector that takes the connection and never answers: finish() gives up
// after about the export timeout instead of hanging.
TEST(TelemetryEnabled, FinishIsBoundedWhenTheCollectorNeverAnswers) {
  const SilentListener silent;
  Config config;
  config.endpoint = "http://127.0.0.1:" + std::to_string(silent.port());
  config.export_timeout = std::chrono::seconds(1);
  auto t = Telemetry::make(config);
  run_session(*t);
  const auto start = std::chrono::steady_clock::now();
  t->finish("Succeeded", "Completed");
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, config.export_timeout * 4)
      << "finish() took " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms";
}

TEST(TelemetryEnabled, SpansAfterFinishAreDropped) {
  Config config;
  config.endpoint = "http://127.0.0.1:" + std::to_string(closed_port());
  config.export_timeout = std::chrono::milliseconds(500);
  auto t = Telemetry::make(config);
  t->finish("Cancelled", "Cancelled");
  run_session(*t);  // no crash, no export: the providers are shut down
  SUCCEED();
}

}  // namespace
}  // namespace droid::runner::telemetry
