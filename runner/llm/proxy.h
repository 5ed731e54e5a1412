// Which HTTP proxy, if any, the LLM client uses for a gateway URL, following the
// conventions of curl and Go's net/http:
//   HTTPS_PROXY / https_proxy for https:// URLs, HTTP_PROXY / http_proxy for http://
//   (the lower-case name wins when both are set);
//   NO_PROXY / no_proxy: comma-separated entries; "*" disables the proxy for every
//   host; "example.com" and ".example.com" match the domain and its subdomains
//   ("svc" matches "litellm.llm.svc", so in-cluster names can bypass the proxy);
//   an IP matches itself, a CIDR ("10.0.0.0/8") the addresses in it; "host:port"
//   matches only that port. Comparison ignores case.
// The proxy URL must be http:// (cpprestsdk tunnels https through CONNECT; it
// cannot speak TLS to the proxy itself); credentials in it ("http://u:p@proxy:3128")
// are sent as Proxy-Authorization: Basic and never logged.
#pragma once

#include <string>
#include <vector>

namespace droid::llm {

struct ProxyEnvironment {
  std::string https_proxy;
  std::string http_proxy;
  std::string no_proxy;

  static ProxyEnvironment from_process_environment();
};

// True when `no_proxy` says to connect to host:port directly.
bool no_proxy_matches(const std::string& no_proxy, const std::string& host, int port);

// The proxy URL for a request to scheme://host:port, or "" for a direct connection.
std::string proxy_for(const std::string& scheme, const std::string& host, int port, const ProxyEnvironment& env);

// The credentials in the proxy URLs ("http://droid:<token>@egress:3128" gives the
// token, percent-decoded): known secrets for the shield, so that the egress gateway's
// session token is redacted wherever it would appear.
std::vector<std::string> proxy_secrets(const ProxyEnvironment& env);

}  // namespace droid::llm
