// The operator's plain-HTTP operations endpoint (cpprestsdk http_listener):
//   GET /metrics  200, Metrics::serialize(), Content-Type: text/plain; version=0.0.4; charset=utf-8
//   GET /healthz  200 "ok" while alive; 503 with the reason when the liveness check
//                 says otherwise or once begin_shutdown() was called
//   GET /readyz   200 "ok" only when the readiness check says ready; else 503 with
//                 its reason (e.g. "informers not synced"), or "shutting down"
//   any other path 404; any other method on a known path 405 (Allow: GET)
//
// The checks run on cpprestsdk's thread pool for every probe: they must return at
// once (read atomics or a mutex-guarded flag; never wait on I/O or another task).
// A check that throws answers 503 with the exception's message.
//
//   OpsServer ops(metrics, {.address = parse_listen_address("0.0.0.0:8080"),
//                           .readiness = [&] { return std::pair{synced.load(), std::string("informers not synced")};
//                           }});
//   ops.start();            // throws std::runtime_error when it cannot listen
//   ...                     // on SIGTERM:
//   ops.begin_shutdown();   // probes answer 503 from now on; /metrics still served
//   ops.stop();             // closes the listener, waits for handlers in flight
//
// start() and stop() block: call them from an ordinary thread, never from a pplx
// continuation. The Metrics must outlive the server. cpprestsdk shares one socket
// among the listeners of a process on the same host:port, and a listener that
// fails to register there tears that socket down: give every server of the
// process (this one, the webhook) its own port.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "metrics/metrics.h"

namespace droid::op {

// Where the server listens. The port must not be 0 (the listener cannot report an
// ephemeral port back).
struct ListenAddress {
  std::string host = "0.0.0.0";
  std::uint16_t port = 8080;
};

// Parses "host:port" or ":port" (all IPv4 interfaces, like "0.0.0.0:port"); host
// is an IPv4 address or a host name (cpprestsdk's listener cannot take an IPv6
// literal: it splits host and port at the first colon). Throws
// std::invalid_argument naming the text when malformed, for an IPv6 literal, or
// when the port is not 1..65535.
ListenAddress parse_listen_address(std::string_view text);

// The answer to one request, decided without any I/O (what the listener sends).
struct OpsResponse {
  int status = 200;
  std::string body;
  std::string content_type = "text/plain; charset=utf-8";
};

class OpsServer {
 public:
  // (ok, reason): reason is the 503 body when !ok.
  using Check = std::function<std::pair<bool, std::string>()>;
  struct Options {
    ListenAddress address;
    Check readiness;  // required
    Check liveness;   // optional; unset means alive
  };
  static constexpr const char* kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

  // Throws std::invalid_argument when options.readiness is unset.
  OpsServer(const Metrics& metrics, Options options);
  ~OpsServer();  // stop()
  OpsServer(const OpsServer&) = delete;
  OpsServer& operator=(const OpsServer&) = delete;

  // Binds and starts serving. Throws std::runtime_error (with the address) when it
  // cannot listen, std::logic_error when already started.
  void start();
  // Probes answer 503 "shutting down" from now on (idempotent).
  void begin_shutdown();
  bool shutting_down() const;
  // Stops listening; returns once no handler runs any more. Idempotent.
  void stop();

  // "http://host:port" as configured, and the address itself.
  std::string url() const;
  const ListenAddress& address() const { return options_.address; }

  // The routing and answers, without the listener (the handler calls this).
  OpsResponse respond(std::string_view method, std::string_view path) const;

 private:
  struct Impl;

  const Metrics& metrics_;
  Options options_;
  std::atomic<bool> shutting_down_{false};
  std::mutex lifecycle_mu_;  // serialises start() and stop()
  std::unique_ptr<Impl> impl_;
};

}  // namespace droid::op
