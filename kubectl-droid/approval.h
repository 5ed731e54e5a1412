// `kubectl droid approve`: which command to approve and the patch that adds it
// to spec.approvals (SPEC §6.5). spec.approvals is a list-map keyed by command;
// a JSON merge patch replaces the whole list, so the patch carries the list as
// read plus the new entry and the object's resourceVersion: a concurrent change
// makes the API server answer 409 Conflict and the caller reads and retries,
// so no approval is ever dropped.
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

}  // namespace droid::kubectl
