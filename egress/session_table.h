// Builds the gateway's sessions (session_registry.h) from what the operator
// publishes, whatever carries it (Kubernetes watches: kube_feed.h; a local file:
// file_feed.h):
//   grants      contract::EgressGrant, one per session (by ConfigMap name)
//   Secrets     name -> data, for the credentials, CA bundles and client certificates
//               the grants name
//   pods        namespace/name -> podIP, for the grant's podName
//   token keys  the current key and, during a rotation, the previous one
// Each change rebuilds the sessions it touches: a session's tokens are
// egress_token(key, identity) for each key; its destinations carry the resolved
// secrets. A destination whose Secret (or key in it) is missing stays in the
// session marked unavailable, with the reason (the proxy answers 503 naming it); a
// grant that does not parse, is deleted, finished or expired refuses its tokens.
// Without a token key no session is reachable. Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "contract/egress_grant.h"
#include "session_registry.h"

namespace droid::egress {

using SecretData = std::map<std::string, std::string>;  // data key -> decoded value

class SessionTable {
 public:
  explicit SessionTable(std::shared_ptr<SessionRegistry> registry);

  // A grant's text (the ConfigMap's grant.json). Returns "" or the parse error (the
  // grant's earlier version, if any, is then finished: fail closed).
  std::string put_grant(const std::string& name, const std::string& text);
  void remove_grant(const std::string& name);
  void put_secret(const std::string& name, SecretData data);
  void remove_secret(const std::string& name);
  void put_pod(const std::string& ns, const std::string& name, const std::string& ip);  // ip may be ""
  void remove_pod(const std::string& ns, const std::string& name);
  // `previous` may be empty. Throws std::invalid_argument for a key shorter than 32 bytes.
  void set_keys(std::string current, std::string previous);
  void clear_keys();
  bool has_key() const;

  // Whether `name` is a Secret some grant names (a feed may ignore the others).
  bool secret_wanted(const std::string& name) const;
  // For logs: the grants that do not parse and the destinations that are unavailable.
  std::vector<std::string> problems() const;
  std::size_t grants() const;

 private:
  struct GrantState {
    std::optional<contract::EgressGrant> grant;
    std::string error;
  };
  void rebuild(const std::string& name, const GrantState& state);                     // mu_ held
  void rebuild_if(const std::function<bool(const contract::EgressGrant&)>& touches);  // mu_ held
  Destination resolve(const contract::EgressDestination& d) const;                    // mu_ held

  std::shared_ptr<SessionRegistry> registry_;
  mutable std::mutex mu_;
  std::map<std::string, GrantState> grants_;
  std::map<std::string, SecretData> secrets_;
  std::map<std::string, std::string> pods_;  // "ns/name" -> ip
  std::string key_;
  std::string previous_key_;
};

}  // namespace droid::egress
