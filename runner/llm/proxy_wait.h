// Waiting for the HTTP proxy to accept connections before a runner's first request.
// A new pod's NetworkPolicy takes a moment to be programmed (kube-router adds a new
// pod's address to its sets about half a second after the pod starts; until then
// the egress gateway refuses it), and git gives up at the first refused connection:
// with a proxy (the egress gateway, issue 15) the runner first waits until a TCP
// connection to it succeeds.
#pragma once

#include <chrono>
#include <string>

namespace droid::llm {

struct ProxyAddress {
  std::string host;  // without brackets for an IPv6 literal
  int port = 0;
};

// Host and port of a proxy URL ("http://user:pass@egress.ns.svc:3128/" -> egress.ns.svc,
// 3128; without a port, curl's default 1080). false when there is no host or the port
// is not a number in 1..65535.
bool parse_proxy_address(const std::string& url, ProxyAddress& out);

// Tries a TCP connection to the proxy of `url` every 100 ms (each attempt given up to
// a second) until one succeeds (true) or `within` has passed (false; the caller's
// request then fails with the real error). A URL that does not parse: false at once.
bool wait_for_proxy(const std::string& url, std::chrono::milliseconds within);

}  // namespace droid::llm
