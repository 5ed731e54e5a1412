// One destination a session may reach through the egress gateway (issue 15), as
// the operator writes it into a grant (egress_grant.h) and the gateway reads it:
// one model and one parser for both sides, and for droid-egress's local mode.
//
//   {"name": "llm", "kind": "http", "hosts": ["litellm.llm.svc", "*.gw.corp"],
//    "ports": [4000], "scheme": "https", "methods": ["POST"], "pathPrefixes": ["/v1/"],
//    "credential": {"type": "bearer", "secretRef": {"name": "llm-key", "key": "api-key"}},
//    "caBundleSecretRef": {"name": "llm-ca", "key": "ca.crt"},
//    "clientCertSecretRef": {"name": "llm-client"}}
//
//   kind      http: requests whose host, port, method and path match; git: only the
//             smart-HTTP endpoints of `repositories` (a push is checked ref by ref);
//             tunnel: CONNECT host:port, TLS passes through, nothing is injected
//   hosts     exact names or "*.suffix" (any name below suffix, not suffix itself);
//             case-insensitive, a trailing dot ignored
//   ports     the ports the runner asks for (and the gateway connects to upstream);
//             empty: 80 for http/git, 443 for tunnel
//   scheme    http|https: what the gateway speaks upstream (the runner always speaks
//             plain HTTP to the gateway); not for tunnel
//   methods, pathPrefixes   http only; empty: any. Paths that could smuggle another
//             path past a prefix ("..", "//", %2e, %2f, %5c, '\') are refused
//   credential  none|bearer|x-api-key|basic and the Secret key holding the value
//             (basic: "user:password"); not for tunnel
//   caBundleSecretRef {name, key = "ca.crt"} or caBundle (inline PEM): the only trust
//             anchors upstream (neither: the system's roots); https only
//   clientCertSecretRef {name}: a kubernetes.io/tls Secret (tls.crt, tls.key) for mTLS
//   address   connect here (host or IP) instead of resolving the request's host
//             (names outside the cluster's DNS in an air gap; tests)
//
// Secret refs name Secrets in the gateway's own namespace: a "namespace" field is an
// error. Unknown fields are errors too (a restriction the reader does not know would
// otherwise be silently dropped: fail closed).
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace droid::contract {

// A bad document; what() starts with the field's path ("destinations[1].hosts[0]: ...").
class EgressGrantError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// One host entry: an exact name or a "*.suffix" wildcard.
class HostPattern {
 public:
  // Throws std::invalid_argument naming the problem ("*" alone, "a.*.b", empty, spaces).
  explicit HostPattern(std::string_view text);
  bool matches(std::string_view host) const;
  const std::string& text() const { return text_; }
  bool operator==(const HostPattern& other) const { return text_ == other.text_; }

 private:
  std::string text_;  // lower case, no trailing dot
  bool wildcard_ = false;
  std::string suffix_;  // ".git.corp" for "*.git.corp"
};

// Lower-cased host without a trailing dot.
std::string normalize_host(std::string_view host);

// True when the path is absolute and has no segment that could mean something else
// upstream ("..", ".", "//", '\', encoded '.', '/' or '\', control characters, spaces).
bool is_plain_path(std::string_view path);

enum class EgressKind { Http, Git, Tunnel };
enum class CredentialType { None, Bearer, XApiKey, Basic };

// "none" | "bearer" | "x-api-key" | "basic"; throws std::invalid_argument naming them.
CredentialType parse_credential_type(std::string_view text);
const char* to_string(CredentialType type);
const char* to_string(EgressKind kind);

struct SecretKeyRef {
  std::string name;  // "" : no reference
  std::string key;
  bool empty() const { return name.empty(); }
  bool operator==(const SecretKeyRef&) const = default;
};

// The data keys of the kubernetes.io/tls Secret a clientCertSecretRef names.
inline constexpr std::string_view kTlsCertKey = "tls.crt";
inline constexpr std::string_view kTlsKeyKey = "tls.key";

struct EgressDestination {
  std::string name;
  EgressKind kind = EgressKind::Http;
  std::vector<HostPattern> hosts;
  std::vector<int> ports;
  bool https = false;  // scheme
  std::vector<std::string> methods;
  std::vector<std::string> path_prefixes;
  std::vector<std::string> repositories;  // git
  CredentialType credential_type = CredentialType::None;
  SecretKeyRef credential_ref;
  SecretKeyRef ca_bundle_ref;
  std::string ca_bundle;           // inline PEM (not a secret)
  std::string client_cert_secret;  // the kubernetes.io/tls Secret's name; "" : no mTLS
  std::string address;

  bool operator==(const EgressDestination&) const = default;
};

nlohmann::json to_json(const EgressDestination& d);
// Validates everything above; throws EgressGrantError naming `where` + the field.
EgressDestination egress_destination_from_json(const nlohmann::json& j, const std::string& where);

}  // namespace droid::contract
