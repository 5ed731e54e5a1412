// One HTTP(S) POST to an LLM gateway, with the response body delivered as it
// arrives, on cpprestsdk's http_client.
//
// Why cpprestsdk and not libcurl: it is the project's HTTP stack (the Kubernetes
// client uses it), its response task completes when the headers are in and the
// body stream can then be read incrementally (getn on what is buffered), which is
// all SSE needs. Its two traps are handled here: the configured timeout applies
// to each read, not to the request, so an attempt deadline cancels the request
// through a cancellation token from a watchdog thread; and it sends the URL's
// host as SNI even when it is an IP literal (not a valid SNI name), so SNI is
// only enabled for DNS names. Certificates are checked against the configured CA
// bundle (replacing the system store) with host-name verification (RFC 2818).
// Proxies come from ProxyEnvironment (NO_PROXY honoured); https goes through a
// CONNECT tunnel.
//
// Callbacks run on the caller's thread (the body is read with blocking waits
// there, never inside cpprestsdk's thread pool).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "llm/gateway_config.h"

namespace droid::llm {

struct HttpHead {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case

  std::string header(const std::string& lower_name) const;
};

class HttpTransport {
 public:
  // Throws ConfigError for an unusable URL, CA bundle or client certificate.
  explicit HttpTransport(const GatewayConfig& config);
  ~HttpTransport();
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  // POSTs `body` (JSON) to `url` (same scheme and authority as the base URL).
  // on_head runs once the status line and headers are in; on_body then runs for
  // each piece of the body. Throws TransportError (no answer, TLS failure,
  // connection lost, connect or idle timeout) and TimeoutError (the deadline passed).
  void post(const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers,
            const std::string& body, std::chrono::steady_clock::time_point deadline,
            const std::function<void(const HttpHead&)>& on_head, const std::function<void(std::string_view)>& on_body);

  const std::string& proxy() const;  // the proxy in use ("" for direct), credentials removed

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace droid::llm
