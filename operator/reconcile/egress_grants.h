// The I/O of the egress gateway's grants (issue 15; what a grant holds:
// resources/egress_grant.h). The operator writes a session's grant, a ConfigMap in
// its own namespace, before its runner pod exists, replaces it for each later run
// (a new pod name, so a new token), and deletes it when the session reaches a
// terminal phase or is deleted; sweep() deletes the grants whose session is gone
// or finished (at start and on every resync: a missed event leaves no grant behind).
// The runner's token (contract::egress_token) is minted from the key in the
// Secret --egress-token-secret (data key "key"), which the Helm chart makes once;
// it is read on first use and again after a minute, so a rotated key is picked up
// without a restart (the gateway accepts the previous key meanwhile).
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "kube/api.h"
#include "resources/session_objects.h"

namespace droid::op {

class EgressGrants {
 public:
  EgressGrants(kube::Api& api, std::string operator_namespace, std::string key_secret, std::string field_manager);

  // The token of the session's current run (s.uid, s.name, s.namespace_, pod_name(s)).
  // Throws std::runtime_error naming the Secret when the key cannot be read.
  std::string token(const SessionRef& s);
  // Creates or replaces the session's grant (grant: contract::EgressGrant JSON, checked
  // first: contract::EgressGrantError names the field the gateway would refuse).
  void write(const SessionRef& s, const nlohmann::json& grant);
  // Deletes the grant of session `uid`; a missing one is fine.
  void remove(const std::string& uid);
  // Deletes every grant of session ns/name (after the session is gone, its uid unknown).
  void remove_session(const std::string& ns, const std::string& name);
  // Deletes every grant for which `live(namespace, name, uid)` is false; returns how many.
  std::size_t sweep(const std::function<bool(const std::string&, const std::string&, const std::string&)>& live);

 private:
  std::string key();

  kube::Api& api_;
  std::string namespace_;
  std::string key_secret_;
  std::string field_manager_;
  std::mutex mu_;
  std::string key_;
  std::chrono::steady_clock::time_point key_read_{};
};

}  // namespace droid::op
