#include "metrics/ops_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "metrics/test_http.h"

namespace droid::op {
namespace {

using testing::free_port;
using testing::http_request;

TEST(ParseListenAddress, AcceptsHostPortForms) {
  const auto a = parse_listen_address("0.0.0.0:8080");
  EXPECT_EQ(a.host, "0.0.0.0");
  EXPECT_EQ(a.port, 8080);
  const auto b = parse_listen_address(":9090");
  EXPECT_EQ(b.host, "0.0.0.0");
  EXPECT_EQ(b.port, 9090);
  const auto c = parse_listen_address("127.0.0.1:1");
  EXPECT_EQ(c.host, "127.0.0.1");
  EXPECT_EQ(c.port, 1);
  EXPECT_EQ(parse_listen_address("10.0.0.7:65535").port, 65535);
  EXPECT_EQ(parse_listen_address("localhost:80").host, "localhost");
}

TEST(ParseListenAddress, RejectsMalformedText) {
  for (const char* bad : {"", "8080", "host:", "host:0", "host:65536", "host:80x", "host:-1", "::1:80", "[::1:80",
                          "[::1]:80", "[::]:8080", "[]:80", "host: 80"}) {
    EXPECT_THROW(parse_listen_address(bad), std::invalid_argument) << bad;
  }
  try {
    parse_listen_address("host:99999");
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("host:99999"), std::string::npos) << e.what();
  }
  try {
    parse_listen_address("[::]:8080");
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("IPv6"), std::string::npos) << e.what();
  }
}

// A check with a fixed answer (small enough for std::function's inline storage).
OpsServer::Check always(bool ok, const char* reason = "") {
  return [ok, reason] { return std::pair{ok, std::string(reason)}; };
}

TEST(OpsServer, RequiresAReadinessCheckAndAPort) {
  Metrics m;
  EXPECT_THROW(OpsServer(m, {.address = {"127.0.0.1", 8080}, .readiness = {}, .liveness = {}}), std::invalid_argument);
  EXPECT_THROW(OpsServer(m, {.address = {"127.0.0.1", 0}, .readiness = always(true), .liveness = {}}),
               std::invalid_argument);
}

TEST(OpsServer, RoutesWithoutTheListener) {
  Metrics m;
  OpsServer ops(m,
                {.address = {"127.0.0.1", 8080}, .readiness = always(false, "informers not synced"), .liveness = {}});
  EXPECT_EQ(ops.respond("GET", "/healthz").status, 200);
  EXPECT_EQ(ops.respond("GET", "/readyz").status, 503);
  EXPECT_EQ(ops.respond("GET", "/readyz").body, "informers not synced");
  EXPECT_EQ(ops.respond("GET", "/metrics").content_type, OpsServer::kMetricsContentType);
  EXPECT_EQ(ops.respond("GET", "/").status, 404);
  EXPECT_EQ(ops.respond("GET", "/metrics/").status, 404);
  EXPECT_EQ(ops.respond("DELETE", "/nope").status, 404);
  EXPECT_EQ(ops.respond("HEAD", "/healthz").status, 405);
}

class OpsServerHttp : public ::testing::Test {
 protected:
  void start(OpsServer::Check readiness, OpsServer::Check liveness = {}) {
    server_ = std::make_unique<OpsServer>(metrics_, OpsServer::Options{.address = {"127.0.0.1", free_port()},
                                                                       .readiness = std::move(readiness),
                                                                       .liveness = std::move(liveness)});
    server_->start();
  }
  testing::HttpReply get(const std::string& path) { return http_request("GET", server_->url(), path); }

  Metrics metrics_;
  std::unique_ptr<OpsServer> server_;
};

TEST_F(OpsServerHttp, ServesMetricsInTheTextFormat) {
  metrics_.set_sessions_by_phase({{"Running", 4}});
  metrics_.observe_reconcile("session", 0.01, true);
  start(always(true));
  const auto reply = get("/metrics");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(reply.body, metrics_.serialize());
  EXPECT_NE(reply.body.find("droid_sessions{phase=\"Running\"} 4\n"), std::string::npos) << reply.body;
  EXPECT_NE(reply.body.find("droid_reconcile_errors_total{controller=\"session\"} 1\n"), std::string::npos);
  // A query string does not change the route.
  EXPECT_EQ(get("/metrics?debug=1&format=text").status, 200);
}

TEST_F(OpsServerHttp, HealthzFollowsTheLivenessCheck) {
  std::atomic<bool> alive{true};
  start(always(true), [&alive] { return std::pair{alive.load(), std::string("reconciler stuck")}; });
  auto reply = get("/healthz");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "ok");
  alive = false;
  reply = get("/healthz");
  EXPECT_EQ(reply.status, 503);
  EXPECT_EQ(reply.body, "reconciler stuck");
}

TEST_F(OpsServerHttp, ReadyzFollowsTheReadinessCheck) {
  std::atomic<bool> synced{false};
  start([&synced] { return std::pair{synced.load(), std::string("informers not synced")}; });
  auto reply = get("/readyz");
  EXPECT_EQ(reply.status, 503);
  EXPECT_EQ(reply.body, "informers not synced");
  EXPECT_EQ(get("/healthz").status, 200);  // not ready is still alive
  synced = true;
  reply = get("/readyz");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "ok");
}

TEST_F(OpsServerHttp, ACheckThatThrowsAnswers503WithItsMessage) {
  start([]() -> std::pair<bool, std::string> { throw std::runtime_error("cache exploded"); });
  const auto reply = get("/readyz");
  EXPECT_EQ(reply.status, 503);
  EXPECT_NE(reply.body.find("cache exploded"), std::string::npos) << reply.body;
}

TEST_F(OpsServerHttp, UnknownPathsAre404AndOtherMethods405) {
  start(always(true));
  EXPECT_EQ(get("/").status, 404);
  EXPECT_EQ(get("/metricsx").status, 404);
  EXPECT_EQ(get("/debug/pprof").status, 404);
  for (const char* method : {"POST", "PUT", "DELETE", "PATCH"}) {
    const auto reply = http_request(method, server_->url(), "/metrics");
    EXPECT_EQ(reply.status, 405) << method;
    EXPECT_EQ(reply.allow, "GET") << method;
  }
  EXPECT_EQ(http_request("POST", server_->url(), "/readyz").status, 405);
}

TEST_F(OpsServerHttp, ShutdownFailsTheProbesButKeepsMetrics) {
  start(always(true));
  EXPECT_FALSE(server_->shutting_down());
  server_->begin_shutdown();
  EXPECT_TRUE(server_->shutting_down());
  auto reply = get("/healthz");
  EXPECT_EQ(reply.status, 503);
  EXPECT_EQ(reply.body, "shutting down");
  EXPECT_EQ(get("/readyz").status, 503);
  EXPECT_EQ(get("/metrics").status, 200);
}

TEST_F(OpsServerHttp, StopClosesThePortAndIsIdempotent) {
  start(always(true));
  const std::string url = server_->url();
  EXPECT_EQ(get("/healthz").status, 200);
  server_->stop();
  EXPECT_ANY_THROW(http_request("GET", url, "/healthz"));
  server_->stop();
  server_.reset();  // the destructor stops again
}

TEST_F(OpsServerHttp, StartTwiceIsAnError) {
  start(always(true));
  EXPECT_THROW(server_->start(), std::logic_error);
  EXPECT_EQ(get("/healthz").status, 200);
}

TEST(OpsServer, APortInUseFailsToStartWithTheAddress) {
  // Another socket (as another process would) listens on the port.
  const testing::ListeningSocket taken;
  Metrics m;
  OpsServer ops(m, {.address = {"127.0.0.1", taken.port()}, .readiness = always(true), .liveness = {}});
  try {
    ops.start();
    FAIL() << "started on a port in use";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(ops.url()), std::string::npos) << e.what();
  }
  ops.stop();  // nothing to stop: no error

  // A failed start leaves the server usable on a free port.
  OpsServer other(m, {.address = {"127.0.0.1", free_port()}, .readiness = always(true), .liveness = {}});
  other.start();
  EXPECT_EQ(http_request("GET", other.url(), "/healthz").status, 200);
}

TEST_F(OpsServerHttp, ServesConcurrentScrapesWhileMetricsChange) {
  start(always(true));
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (std::size_t i = 0; !done.load(); ++i) {
      metrics_.observe_reconcile("session", 0.001, false);
      metrics_.set_sessions_by_phase({{"Running", i}});
    }
  });
  std::vector<std::future<int>> scrapes;
  scrapes.reserve(32);
  for (int i = 0; i < 32; ++i) {
    scrapes.push_back(std::async(std::launch::async, [this, i] {
      return http_request("GET", server_->url(), i % 2 ? "/metrics" : "/readyz").status;
    }));
  }
  for (auto& s : scrapes) EXPECT_EQ(s.get(), 200);
  done = true;
  writer.join();
}

}  // namespace
}  // namespace droid::op
