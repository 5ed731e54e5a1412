// The operator's key for approval decisions (issue 14): every session's approval
// key is derived from it (contract::session_approval_key), so any replica, and an
// operator restarted while a runner waits in place, signs what that runner accepts.
// It lives in a Secret in the operator's namespace, made on first start:
//   load_or_create_signing_key(api, "droid-system", "droid-operator-approval-signing")
// gets the Secret's key "key"; when there is none it creates the Secret with 32
// random bytes (hex); when another replica created it meanwhile (409), it reads
// theirs. Throws std::runtime_error naming the Secret and what the operator needs
// (get and create on secrets in that namespace) when it can do neither.
#pragma once

#include <string>

#include "kube/api.h"

namespace droid::op {

inline constexpr const char* kApprovalSigningSecret = "droid-operator-approval-signing";

std::string load_or_create_signing_key(kube::Api& api, const std::string& ns, const std::string& name);

}  // namespace droid::op
