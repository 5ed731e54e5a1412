// `kubectl droid approve` and `reject`: which command to decide on and the patch
// that adds it to spec.approvals or spec.rejections (SPEC §6.5, issue 14). spec.approvals is a list-map keyed by
// command; a JSON merge patch replaces the whole list, so the patch carries the list as read plus the new entry and the
// object's resourceVersion: a concurrent change makes the API server answer 409 Conflict and the caller reads and
// retries, so no approval is ever dropped.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace droid::kubectl {

struct Approval {
  std::string command;
  std::string approved_by;  // "" when the user cannot be known
  std::string approved_at;  // RFC 3339
  std::string comment;
};

// `requested` (--command) if given, else the pending command of a session in
// AwaitingApproval. Throws CommandError (exit 7) for a finished session, or
// when nothing is pending and no command was given.
std::string command_to_approve(const nlohmann::json& session, const std::string& requested);

// The merge patch adding `approval`; nullopt when the command is already approved.
std::optional<nlohmann::json> approval_patch(const nlohmann::json& session, const Approval& approval);

// `kubectl droid reject` (issue 14): the merge patch adding {command, reason} to
// spec.rejections (a list-map keyed by command, carried whole like approvals,
// with the resourceVersion); nullopt when the command is already rejected.
// rejectedBy/rejectedAt are stamped at admission. Throws CommandError (exit 7)
// when the command is already approved (an approval cannot be taken back).
std::optional<nlohmann::json> rejection_patch(const nlohmann::json& session, const std::string& command,
                                              const std::string& reason);

}  // namespace droid::kubectl
