// The decision on an approval request that the operator hands to a runner
// waiting in place (issue 14), as the pod annotation droid.dev/approval-decision
// the kubelet projects into the pod: one definition for both sides.
//
// Signed. Anyone allowed to patch pods in the session's namespace can write the
// annotation, so the runner accepts only a decision signed with the session's
// approval key: HMAC-SHA256 over the run attempt and every field, keyed with
// session_approval_key(), which the operator derives from its own signing key
// and the session's uid and gives the runner in a per-session Secret (mounted
// where the runner's tools cannot read it). A decision with a missing or wrong
// signature, for another run of the session, or with any field changed is
// refused.
//
//   std::string text = encode_signed(d, key, run_attempt);          // operator
//   VerifiedDecision v = decode_verified(text, key, run_attempt);   // runner
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace droid::contract {

inline constexpr std::string_view kApprovalDecisionAnnotation = "droid.dev/approval-decision";

struct ApprovalDecision {
  std::string id;  // the runner's request id ("1", "2", ... within its pod)
  bool approved = false;
  std::string command;
  std::string by;      // the approver (or rejecter), stamped at admission
  std::string at;      // RFC 3339
  std::string reason;  // a rejection's reason or an approval's comment
  bool operator==(const ApprovalDecision&) const = default;
};

// The per-session key (64 hex characters) from the operator's signing key and the
// session's uid. Throws std::invalid_argument when either is empty.
std::string session_approval_key(std::string_view signing_key, std::string_view session_uid);

// The annotation's JSON: {id, decision approved|rejected, command, by, at, reason, sig}.
std::string encode_signed(const ApprovalDecision& decision, std::string_view key, int run_attempt);

struct VerifiedDecision {
  std::optional<ApprovalDecision> decision;
  std::string error;  // why `decision` is empty: not a decision, unsigned, bad signature
};
// An empty key refuses every decision.
VerifiedDecision decode_verified(std::string_view text, std::string_view key, int run_attempt);

}  // namespace droid::contract
