// The sessions the gateway serves: token <-> session <-> runner pod address <->
// expiry. A request belongs to a session only when its token is that session's
// AND it comes from that session's pod address; a finished or expired session's
// token is refused (and stays known as finished, so the refusal says so).
// Tokens are kept as SHA-256 digests, never in clear. Thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace droid::egress {

using Clock = std::chrono::system_clock;

struct Session {
  std::string id;                         // "namespace/name", for audit
  std::string pod_ip;                     // the runner pod's address ("10.88.0.7")
  Clock::time_point expires_at;           // the session's deadline
  std::vector<std::string> destinations;  // names of the destinations it may reach
  std::string push_branch;                // "" : no push allowed
  bool finished = false;
};

enum class Refusal {
  None,
  NoToken,       // no Proxy-Authorization
  UnknownToken,  // not any session's
  Finished,      // the session has ended
  Expired,       // past its deadline
  WrongSource,   // the token is used from another address than the session's pod
};

const char* to_string(Refusal refusal);

struct Identity {
  Refusal refusal = Refusal::None;
  std::shared_ptr<const Session> session;  // set when refusal is None (and for WrongSource/Finished, for audit)
};

class SessionRegistry {
 public:
  // Adds or replaces the session with this id; `token` must be at least 32 characters.
  // Throws std::invalid_argument naming the field otherwise (id, token, podIP).
  void put(const std::string& token, Session session);
  // Marks the session finished: its token is refused from now on.
  void finish(const std::string& id);
  // Ids of the sessions known (finished ones included).
  std::vector<std::string> ids() const;
  // Forgets finished or expired sessions older than `keep` (their tokens become unknown).
  void prune(Clock::time_point now, Clock::duration keep);

  Identity identify(std::string_view token, std::string_view source_ip, Clock::time_point now) const;
  std::size_t size() const;

 private:
  mutable std::shared_mutex mu_;
  std::map<std::string, std::shared_ptr<const Session>> by_digest_;  // SHA-256(token) hex -> session
  std::map<std::string, std::string> digest_by_id_;
};

// A fresh random token (43 base64url characters, 258 random bits), for the operator and tests.
std::string make_token();

}  // namespace droid::egress
