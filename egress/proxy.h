// The egress gateway's proxy: an HTTP/1.1 forward proxy (Boost.Asio/Beast) for
// runner pods. For each request:
//   1. identity: the session token in Proxy-Authorization and the source address
//      must both be one session's (session_registry.h); 407/403 otherwise (a
//      session whose pod address is not known yet waits up to pod_wait for it);
//   2. policy: the absolute-form target must match one of the session's
//      destinations (destination.h); 403 naming the check otherwise (503 when the
//      destination is unavailable: a Secret it needs is missing);
//   3. a git push (POST .../git-receive-pack): its ref updates are read from the
//      body before any byte goes upstream, and only the session's push branch is
//      accepted (receive_pack.h);
//   4. the request goes upstream over HTTP or HTTPS (the destination's CA bundle,
//      its client certificate for mTLS, the host name verified), with the runner's
//      credentials removed and the destination's added (credential.h);
//   5. bodies stream both ways as they arrive, never buffered whole (SSE passes
//      event by event);
//   6. one audit line and the metrics.
// CONNECT host:port opens a byte tunnel to a tunnel destination (no injection);
// the TLS ClientHello's server name must be that host (tls_client_hello.h).
// Threads: `threads` run one io_context; each connection is one coroutine.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "audit.h"
#include "destination.h"
#include "metrics.h"
#include "session_registry.h"

namespace droid::egress {

struct ProxyOptions {
  std::string listen_host = "127.0.0.1";
  int listen_port = 0;  // 0: a free port (see Proxy::port())
  std::string ops_host = "127.0.0.1";
  int ops_port = -1;  // -1: no ops listener; 0: a free port
  int threads = 2;
  std::chrono::seconds idle_timeout{300};
  std::chrono::seconds connect_timeout{10};
  // How long a request whose session's pod address is not known yet waits for it.
  std::chrono::milliseconds pod_wait{2000};
  // "" when ready, else why not (answered by /readyz with 503); unset: always ready.
  std::function<std::string()> readiness;
  // Called after each refused request is audited, with its audit record and its
  // session's uid ("" when the request had no valid identity); must not block
  // (refusal_events.h turns these into Kubernetes events on the session).
  std::function<void(const AuditRecord&, const std::string& session_uid)> on_refusal;
};

class Proxy {
 public:
  // Starts listening and serving. Sessions carry their destinations; upstream TLS
  // contexts are built on first use (a bad CA/certificate fails that request, 502,
  // with the reason in the audit line).
  Proxy(ProxyOptions options, std::shared_ptr<SessionRegistry> sessions, std::shared_ptr<AuditLog> audit,
        std::shared_ptr<Metrics> metrics);
  ~Proxy();  // stops: closes the listeners and every connection, joins the threads
  Proxy(const Proxy&) = delete;
  Proxy& operator=(const Proxy&) = delete;

  int port() const;
  int ops_port() const;  // -1 without an ops listener

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace droid::egress
