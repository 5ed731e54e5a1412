// The per-run token a runner presents to the egress gateway (issue 15): derived,
// not stored, so that every gateway replica verifies it without coordination.
//
//   token = base64url-no-padding(HMAC-SHA256(key,
//             "droid-egress-token/v1" NUL namespace NUL name NUL uid NUL podName))
//
// 43 characters. The key is the Secret `droid-egress-token-key` in the operator's
// namespace: data `key` (at least 32 random bytes) mints and verifies; `previous`
// (during a rotation) only verifies, at the gateway. The runner sees the token only in
// its proxy URL (http://droid:<token>@gateway:3128); it is a known secret there.
#pragma once

#include <string>
#include <string_view>

namespace droid::contract {

inline constexpr std::string_view kEgressTokenKeySecret = "droid-egress-token-key";
inline constexpr std::string_view kEgressTokenKeyDataKey = "key";
inline constexpr std::string_view kEgressTokenPreviousKeyDataKey = "previous";
inline constexpr std::size_t kEgressTokenMinKeyBytes = 32;

// Which run of which session a token is for.
struct EgressIdentity {
  std::string namespace_;
  std::string name;
  std::string uid;
  std::string pod_name;
  bool operator==(const EgressIdentity&) const = default;
};

// Throws std::invalid_argument when the key is shorter than 32 bytes or an identity
// field is empty or holds a NUL (the fields are NUL-separated).
std::string egress_token(std::string_view key, const EgressIdentity& identity);

// Compares in time independent of where the strings differ (CRYPTO_memcmp); strings
// of different lengths are unequal.
bool tokens_equal(std::string_view a, std::string_view b);

// RFC 4648 §5 base64url without '=' padding.
std::string base64url(std::string_view data);

}  // namespace droid::contract
