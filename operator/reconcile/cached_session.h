// A DroidSession as the operator's cache keeps it, parsed once when it enters
// the cache (parse_cached_session) and then shared, immutable, by every reader.
// Typed: the metadata, the spec fields the lifecycle decides on (cancel, TTL,
// timeout, approvals and rejections), the requester the webhook stamped, and
// the status fields the concurrency bookkeeping and the manager read (phase,
// podName, runAttempt). Kept as compact JSON text: the whole spec (what policy
// planning and the owned objects' builders take, settings included; parsed
// when a session is admitted) and the whole status (the document the status
// machine edits and writes back; parsed per reconcile). About 1 KiB per
// session instead of a JSON tree of ~5 KiB.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "contract/session_config.h"

namespace droid::op {

inline constexpr const char* kDroidSessionApiVersion = "droid.dev/v1alpha1";
inline constexpr const char* kDroidSessionKind = "DroidSession";

// One spec.approvals or spec.rejections entry.
struct Verdict {
  std::string command;
  std::string by;      // approvedBy / rejectedBy
  std::string reason;  // comment (approval) / reason (rejection)
};

struct CachedSession {
  // metadata
  std::string name;
  std::string namespace_;
  std::string uid;
  std::string resource_version_;
  std::int64_t generation = 0;
  std::string creation_timestamp;
  std::string deletion_timestamp;
  // A digest of metadata.annotations: the manager looks again when it changes.
  std::uint64_t annotations_digest = 0;
  // From the droid.dev/requester annotation (absent or unreadable: none).
  std::optional<contract::Requester> requester;

  // spec
  bool cancel = false;
  std::optional<std::int64_t> ttl_seconds_after_finished;
  std::optional<std::int64_t> timeout_seconds;
  std::vector<Verdict> approvals;
  std::vector<Verdict> rejections;
  std::string spec_json = "{}";  // the whole spec, compact

  // status
  std::string phase;
  std::string pod_name;
  int run_attempt = 1;             // status.runAttempt (1 when unset)
  std::string status_json = "{}";  // the whole status, compact

  std::string key() const { return namespace_ + "/" + name; }
  const std::string& resource_version() const { return resource_version_; }
  nlohmann::json spec() const { return nlohmann::json::parse(spec_json); }
  nlohmann::json status() const { return nlohmann::json::parse(status_json); }
  // {apiVersion, kind, metadata {name, namespace, uid, resourceVersion}}: what an
  // event is about, and the body of a status write (the API server takes only
  // the status from a write to the status subresource).
  nlohmann::json reference() const;
  // The decision on `command` in spec.rejections (first) or spec.approvals.
  const Verdict* rejection_of(const std::string& command) const;
  const Verdict* approval_of(const std::string& command) const;
};

// From a DroidSession object (list item or watch event).
CachedSession parse_cached_session(const nlohmann::json& session);

// status.requester from the droid.dev/requester annotation's value (nullopt
// when it is not JSON with a string username).
std::optional<contract::Requester> parse_requester_annotation(const std::string& raw);
// status.requester as JSON {username, uid (when set), groups}.
nlohmann::json requester_json(const contract::Requester& r);

}  // namespace droid::op
