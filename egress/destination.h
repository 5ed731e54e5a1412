// A destination the egress gateway may forward a session's requests to, and the
// matching of one request against it (default deny: no match, no request).
//
//   hosts         exact names ("llm.example.internal") or "*.suffix" ("*.git.corp":
//                 any name below git.corp, not git.corp itself); case-insensitive,
//                 a trailing dot ignored
//   ports         the ports asked for (the request's port); empty: 80 for http
//   methods       HTTP methods allowed (upper case); empty: any
//   pathPrefixes  the request path (before '?') must start with one; empty: any
//   git           a git smart-HTTP destination: its repositories ("/team/app.git");
//                 only their clone/fetch/push endpoints are allowed, and a push is
//                 checked ref by ref against the session's push branch
//   credential    what the gateway adds upstream (credential.h)
//   upstream TLS  the gateway speaks HTTPS to the destination with its CA bundle
//                 and, for mTLS, a client certificate; the runner speaks plain HTTP
//                 to the gateway (it never sees the upstream's trust or keys)
//   tunnel        a CONNECT-only destination: host:port (default 443) is tunnelled,
//                 TLS passes through, nothing is injected; never used for HTTP requests
//
// Paths are compared after rejecting what could smuggle a different path past a
// prefix: "..", "//", "%2e", "%2f" and "\" segments are refused, not decoded.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "contract/egress_destination.h"
#include "credential.h"

namespace droid::egress {

// Host patterns, plain paths and the destination's JSON live in libdroid/contract
// (the operator writes them into grants; this folder matches requests against them).
using contract::HostPattern;
using contract::is_plain_path;
using contract::normalize_host;

struct UpstreamTls {
  bool enabled = false;
  std::string ca_pem;    // the only trust anchors; empty: the system's roots
  std::string cert_pem;  // client certificate chain for mTLS (empty: none)
  std::string key_pem;
};

struct Destination {
  std::string name;
  std::vector<HostPattern> hosts;
  std::vector<int> ports;
  std::vector<std::string> methods;
  std::vector<std::string> path_prefixes;
  std::vector<std::string> git_repositories;  // non-empty: a git smart-HTTP destination
  bool tunnel = false;                        // CONNECT allowed (no injection)
  Credential credential;
  UpstreamTls tls;
  std::string address;      // connect here instead of resolving the host (air gap, tests); "" resolves
  std::string unavailable;  // why it cannot be used now (a Secret it needs is missing); "" : usable

  bool is_git() const { return !git_repositories.empty(); }
};

// What a request asks for.
struct RequestTarget {
  std::string host;  // lower case
  int port = 80;
  std::string method;  // upper case
  std::string path;    // before '?'
  std::string query;   // after '?', without it
};

enum class GitService { None, UploadPack, ReceivePack };

struct Match {
  const Destination* destination = nullptr;
  GitService git = GitService::None;  // ReceivePack: the body's ref updates must be checked
};

// The first destination among `allowed` that admits the request, or nullopt with
// `why` saying which check failed for the closest candidate (host, port, method, path).
std::optional<Match> match_request(const std::vector<const Destination*>& allowed, const RequestTarget& target,
                                   std::string& why);

// The first tunnel destination admitting CONNECT host:port.
const Destination* match_tunnel(const std::vector<const Destination*>& allowed, std::string_view host, int port);

}  // namespace droid::egress
