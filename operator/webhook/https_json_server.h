// A small HTTPS server of JSON POST endpoints (cpprestsdk's http_listener on
// OpenSSL), e.g. for Kubernetes admission webhooks:
//
//   HttpsJsonServer server({.address = "0.0.0.0", .port = 8443,
//                           .cert_file = "/certs/tls.crt", .key_file = "/certs/tls.key"},
//                          {{"/validate", [](const nlohmann::json& in) { return answer(in); }}});
//   server.start();   // throws when the certificate or the port cannot be used
//   ...
//   server.stop();
//
// Requests: POST to a route with a JSON body is answered 200 with the handler's
// JSON. Otherwise: 404 (unknown path), 405 (a method other than POST, with
// Allow: POST), 413 (body over max_body_bytes), 400 (body not JSON), 500 (the
// handler threw; the server goes on). Errors are {"error": "..."} bodies. The
// query string is ignored (the apiserver adds ?timeout=10s).
//
// The handler runs on cpprestsdk's thread pool: it must be fast and never block
// (no I/O, no waiting on other tasks). Concurrent requests run it concurrently.
//
// TLS: 1.2 minimum. cpprestsdk builds a new SSL context for every accepted
// connection and lets us fill it (http_server_asio.cpp, start_connection), so
// each new connection gets the credentials current at accept time; a thread
// re-reads the certificate and key files every reload_interval and takes a
// changed, valid pair (see tls_credentials.h). Connections already open keep
// their certificate; the listening port is never closed for a rotation.
//
// Limits of cpprestsdk: it cannot report the port it bound, so port 0 is
// refused (tests pick a free port); it buffers a request body before the
// handler sees it, so a Content-Length over the limit is refused from the
// header, but a chunked body is only measured once received. Two servers on
// one address:port in a process are refused at start() (cpprestsdk would stop
// the first one when the second fails to register).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "webhook/tls_credentials.h"

namespace droid::op {

using JsonHandler = std::function<nlohmann::json(const nlohmann::json& request)>;

struct HttpsJsonServerOptions {
  std::string address = "0.0.0.0";                    // an IPv4 address or a host name to bind
  int port = 8443;                                    // 1..65535
  std::string cert_file;                              // PEM certificate (chain), leaf first
  std::string key_file;                               // PEM private key
  std::size_t max_body_bytes = std::size_t{3} << 20;  // the apiserver sends at most ~3 MiB
  std::chrono::milliseconds reload_interval = std::chrono::seconds(5);
};

class HttpsJsonServer {
 public:
  // Routes are exact paths ("/validate"). Throws std::invalid_argument for a
  // bad port or an empty route table.
  HttpsJsonServer(HttpsJsonServerOptions options, std::map<std::string, JsonHandler> routes);
  ~HttpsJsonServer();  // stop()
  HttpsJsonServer(const HttpsJsonServer&) = delete;
  HttpsJsonServer& operator=(const HttpsJsonServer&) = delete;

  // Loads the credentials and starts listening. Throws TlsCredentialsError for
  // unusable certificate files and std::runtime_error when it cannot listen.
  void start();
  // Stops accepting, closes open connections and the reload thread. Idempotent.
  void stop();

  // Re-reads the certificate files now (the reload thread does it on its own);
  // true when new credentials are in use. Only after start().
  bool reload_credentials();
  // The credentials new connections get (null before start()).
  std::shared_ptr<const TlsCredentials> credentials() const;

  const HttpsJsonServerOptions& options() const { return options_; }
  std::string base_url() const;  // "https://ADDRESS:PORT"

  struct Impl;

 private:
  void reload_loop(const std::stop_token& stop);

  HttpsJsonServerOptions options_;
  std::map<std::string, JsonHandler> routes_;
  std::shared_ptr<ReloadingCredentials> credentials_;
  std::unique_ptr<Impl> impl_;
  std::mutex reload_mu_;
  std::condition_variable_any reload_cv_;
  std::jthread reload_thread_;
};

}  // namespace droid::op
