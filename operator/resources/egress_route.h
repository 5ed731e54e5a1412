// How a runner pod reaches anything outside itself when the operator runs with an
// egress gateway (--egress-gateway; issue 15, /work/notes/egress-contract.md):
//   - every request goes through the gateway as an HTTP proxy: HTTP_PROXY,
//     HTTPS_PROXY (and the lower-case names) = http://droid:<token>@<gateway>,
//     NO_PROXY unset, so the OTEL collector is reached through it too;
//   - the runner speaks plain HTTP in absolute form to the gateway, which
//     originates TLS upstream with the destination's CA bundle and client
//     certificate and injects the credential: an https:// URL the runner is given
//     becomes http://<same host>:<same port><same path> (the port is kept explicit,
//     443 for https, so that the gateway matches the destination's port);
//   - the per-session token is the runner's only credential: valid only at the
//     gateway, only from the session's pod, only until the session ends.
#pragma once

#include <optional>
#include <string>

namespace droid::op {

// The gateway as a session sees it. Empty `proxy`: direct mode.
struct EgressRoute {
  std::string proxy;       // HOST:PORT of the gateway's Service
  std::string namespace_;  // where the gateway pods run (the operator's namespace)
  std::string token;       // contract::egress_token of the session's current run
};

// Labels of the gateway pods (the Helm chart's droid-egress Deployment): the
// per-session NetworkPolicy allows egress to pods with them in `namespace_`.
inline constexpr const char* kEgressGatewayNameLabel = "app.kubernetes.io/name";
inline constexpr const char* kEgressGatewayName = "droid-egress";
inline constexpr const char* kEgressProxyUser = "droid";

struct UrlParts {
  std::string scheme;  // "http" or "https", lower case
  std::string host;    // as written (no user info)
  int port = 0;        // explicit, else 80/443
  std::string path;    // from the first '/', "" when none
};

// http:// and https:// URLs only, without user info; nullopt otherwise.
std::optional<UrlParts> parse_http_url(const std::string& url);

// The URL the runner uses through the gateway: http://host:port/path; the URL
// unchanged when it is not an http(s) URL (the admission refuses those in egress mode).
std::string through_gateway(const std::string& url);

// http://droid:<token>@<proxy>
std::string proxy_url(const EgressRoute& route);

}  // namespace droid::op
