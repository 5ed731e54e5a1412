// Who approved or rejected a command, stamped at admission (issue 14) the way
// the requester is: spec.approvals[].approvedBy/approvedAt and
// spec.rejections[].rejectedBy/rejectedAt come from the authenticated user of
// the request that added the entry, never from the client.
//   stamp_decisions(): the JSON Patch operations the mutating webhook returns:
//     an entry new in this request (by command) gets the user's name and the
//     time, whatever the client wrote; an entry the old object already had
//     keeps its old stamp.
//   check_decisions(): what the validating webhook refuses (behind the mutating
//     one, so only a forged or missing stamp reaches it): an existing entry's
//     stamp changed, a new entry stamped with someone else's name, or a command
//     both approved and rejected. Empty when the object is acceptable; else the
//     message, naming the field.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace droid::op {

nlohmann::json stamp_decisions(const nlohmann::json& object, const nlohmann::json& old_object,
                               const std::string& username, const std::string& now);
std::string check_decisions(const nlohmann::json& object, const nlohmann::json& old_object,
                            const std::string& username);

}  // namespace droid::op
