// What the operator grants one run of a session at the egress gateway (issue 15;
// /work/notes/egress-contract.md): the ConfigMap `droid-egress-<session uid>` in the
// operator's (= the gateway's) namespace, data key `grant.json`:
//
//   {"version": 1,
//    "session": {"namespace": "team-a", "name": "fix-bug", "uid": "..."},
//    "podName": "fix-bug-runner-1",        // the run the token is for
//    "expiresAt": "2026-12-07T08:00:00Z",  // startTime + timeoutSeconds (+ grace)
//    "finished": false,
//    "pushBranch": "droid/fix-bug",        // "" or absent: no push allowed
//    "destinations": [ ...egress_destination.h... ]}
//
// The gateway treats a grant that is finished, past expiresAt or deleted as over:
// the run's token is refused at once. egress_grant_from_json() validates every field
// and names it in its error ("grant.json: destinations[0].hosts: ..."); another
// version or an unknown field is an error (fail closed).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "contract/egress_destination.h"
#include "contract/egress_token.h"
#include "contract/rfc3339.h"

namespace droid::contract {

inline constexpr int kEgressGrantVersion = 1;
inline constexpr std::string_view kEgressGrantDataKey = "grant.json";
inline constexpr std::string_view kEgressGrantNamePrefix = "droid-egress-";
// Labels on the grant ConfigMap.
inline constexpr std::string_view kEgressGrantComponentLabel = "app.kubernetes.io/component";
inline constexpr std::string_view kEgressGrantComponent = "egress-grant";
inline constexpr std::string_view kEgressGrantSelector = "app.kubernetes.io/component=egress-grant";
inline constexpr std::string_view kSessionLabel = "droid.dev/session";
inline constexpr std::string_view kSessionNamespaceLabel = "droid.dev/session-namespace";

struct EgressGrant {
  EgressIdentity identity;  // session namespace, name, uid and the run's pod name
  Clock::time_point expires_at;
  bool finished = false;
  std::string push_branch;
  std::vector<EgressDestination> destinations;  // unique names

  // Over: finished, or `now` is at or past expires_at.
  bool over(Clock::time_point now) const { return finished || now >= expires_at; }
  bool operator==(const EgressGrant&) const = default;
};

// "droid-egress-<uid>".
std::string egress_grant_name(std::string_view session_uid);

nlohmann::json to_json(const EgressGrant& grant);
std::string encode_egress_grant(const EgressGrant& grant);  // compact JSON for the ConfigMap

// Throws EgressGrantError naming the field.
EgressGrant egress_grant_from_json(const nlohmann::json& j);
// Parses and validates the ConfigMap's text; errors start with "grant.json: ".
EgressGrant decode_egress_grant(std::string_view text);

}  // namespace droid::contract
