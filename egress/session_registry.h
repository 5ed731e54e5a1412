// The sessions the gateway serves: token <-> session <-> runner pod address <->
// expiry <-> its destinations. A request belongs to a session only when its token
// is that session's AND it comes from that session's pod address; a finished or
// expired session's token is refused (and stays known as finished for a while, so
// the refusal says so). A session may answer to several tokens (the token key and,
// during a rotation, the previous one). Tokens are kept as SHA-256 digests, never
// in clear. Thread-safe; sessions are shared immutable snapshots, so a request
// keeps the version it was admitted with.
//
// Fed by session_table.h (grants, Secrets, pods and token keys, from Kubernetes or
// a local file); read by the proxy.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "destination.h"

namespace droid::egress {

using Clock = std::chrono::system_clock;

struct Session {
  std::string key;                        // what the feed knows it by (the grant's ConfigMap name); "" : id
  std::string id;                         // "namespace/name", for audit
  std::string uid;                        // the DroidSession's uid ("" when unknown), for events
  std::string pod_ip;                     // the runner pod's address ("10.88.0.7"); "" : not known yet
  Clock::time_point expires_at;           // the session's deadline
  std::vector<Destination> destinations;  // what it may reach, credentials resolved
  std::string push_branch;                // "" : no push allowed
  bool finished = false;

  const std::string& registry_key() const { return key.empty() ? id : key; }
};

enum class Refusal {
  None,
  NoToken,       // no Proxy-Authorization
  UnknownToken,  // not any session's
  Finished,      // the session has ended
  Expired,       // past its deadline
  WrongSource,   // the token is used from another address than the session's pod
  PodPending,    // the session's pod address is not known (yet): the caller may wait briefly
};

const char* to_string(Refusal refusal);

struct Identity {
  Refusal refusal = Refusal::None;
  std::shared_ptr<const Session> session;  // set but for NoToken and UnknownToken
};

class SessionRegistry {
 public:
  // Adds or replaces the session with this key; its previous tokens are forgotten.
  // Each token must be at least 32 characters. Throws std::invalid_argument naming
  // the field otherwise (id, token).
  void put(const std::vector<std::string>& tokens, Session session);
  void put(const std::string& token, Session session) { put(std::vector<std::string>{token}, std::move(session)); }
  // Marks the session finished: its tokens are refused from now on.
  void finish(const std::string& key);
  // Keys of the sessions known (finished ones included).
  std::vector<std::string> keys() const;
  std::shared_ptr<const Session> get(const std::string& key) const;
  // Forgets finished or expired sessions whose deadline is more than `keep` ago
  // (their tokens become unknown).
  void prune(Clock::time_point now, Clock::duration keep);

  Identity identify(std::string_view token, std::string_view source_ip, Clock::time_point now) const;
  std::size_t size() const;                         // sessions known
  std::size_t active(Clock::time_point now) const;  // neither finished nor expired

 private:
  mutable std::shared_mutex mu_;
  std::map<std::string, std::shared_ptr<const Session>> by_digest_;  // SHA-256(token) hex -> session
  std::map<std::string, std::vector<std::string>> digests_by_key_;
  std::map<std::string, std::shared_ptr<const Session>> by_key_;
};

// A fresh random token (43 base64url characters, 258 random bits), for tests.
std::string make_token();

}  // namespace droid::egress
