#include "approval.h"

#include "exit_codes.h"

namespace droid::kubectl {

using json = nlohmann::json;

std::string command_to_approve(const json& session, const std::string& requested) {
  const json status = session.value("status", json::object());
  const std::string phase = status.value("phase", "");
  const std::string name = session["metadata"].value("name", "");
  if (is_terminal_phase(phase))
    throw CommandError("session " + name + " already finished (phase " + phase + "); there is nothing to approve",
                       kExitError);
  if (!requested.empty()) return requested;
  std::string pending = status.value("pendingApproval", json::object()).value("command", "");
  if (phase != "AwaitingApproval" || pending.empty())
    throw CommandError("session " + name + " has no command waiting for an approval (phase " +
                           (phase.empty() ? std::string("Pending") : phase) +
                           "); to approve a command before it is asked for, give --command 'CMD'",
                       kExitError);
  return pending;
}

std::optional<json> approval_patch(const json& session, const Approval& approval) {
  json approvals = json::array();
  if (session.contains("spec") && session["spec"].contains("approvals") && session["spec"]["approvals"].is_array())
    approvals = session["spec"]["approvals"];
  for (const auto& a : approvals)
    if (a.value("command", "") == approval.command) return std::nullopt;
  json entry = {{"command", approval.command}};
  if (!approval.approved_by.empty()) entry["approvedBy"] = approval.approved_by;
  if (!approval.approved_at.empty()) entry["approvedAt"] = approval.approved_at;
  if (!approval.comment.empty()) entry["comment"] = approval.comment;
  approvals.push_back(entry);
  return json{{"metadata", {{"resourceVersion", session["metadata"].value("resourceVersion", "")}}},
              {"spec", {{"approvals", approvals}}}};
}

std::optional<json> rejection_patch(const json& session, const std::string& command, const std::string& reason) {
  const json spec = session.value("spec", json::object());
  for (const auto& a : spec.value("approvals", json::array()))
    if (a.is_object() && a.value("command", "") == command)
      throw CommandError("'" + command + "' is already approved in session " + session["metadata"].value("name", "") +
                             "; an approval cannot be taken back (cancel the "
                             "session to stop it)",
                         kExitError);
  json rejections = spec.value("rejections", json::array());
  if (!rejections.is_array()) rejections = json::array();
  for (const auto& r : rejections)
    if (r.is_object() && r.value("command", "") == command) return std::nullopt;
  rejections.push_back({{"command", command}, {"reason", reason}});
  return json{{"metadata", {{"resourceVersion", session["metadata"].value("resourceVersion", "")}}},
              {"spec", {{"rejections", rejections}}}};
}

}  // namespace droid::kubectl
