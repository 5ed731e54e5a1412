// The admission decisions of the webhook (SPEC §5), as pure functions from an
// AdmissionReview (admission.k8s.io/v1) request to its response; the HTTPS
// server that carries them is separate.
//   mutate():   stamps the authenticated creator of a DroidSession into the
//               annotation droid.dev/requester (status cannot be set at
//               create time: the apiserver drops it with the status subresource),
//               from which the reconciler fills status.requester; on create and
//               update stamps who approved or rejected a command
//               (approver_stamp.h).
//   validate(): refuses a DroidSession its governing OrgPolicies forbid, with
//               the same reason and message the reconciler would give; refuses
//               a change of the requester annotation or a forged approver;
//               refuses an OrgPolicy
//               whose settings are invalid (e.g. a regex RE2 cannot compile);
//               with the egress gateway, refuses git credentials in a session
//               and Secret references the gateway cannot read in a policy.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/org_policy.h"

namespace droid::op {

inline constexpr const char* kRequesterAnnotation = "droid.dev/requester";

// What validate() needs to know of the cluster, from the operator's caches.
struct AdmissionContext {
  std::vector<policy::OrgPolicy> policies;
  // The labels of a namespace; an unknown namespace has none.
  std::function<policy::Labels(const std::string& ns)> namespace_labels;
  // Sessions of a namespace that have not finished.
  std::function<std::size_t(const std::string& ns)> active_sessions;
  // The operator's namespace when it runs with an egress gateway (--egress-gateway),
  // where the gateway reads its Secrets; "": direct mode. With it, sessions are also
  // checked by egress_session_refusals and policies by egress_policy_problems
  // (resources/egress_grant.h).
  std::string egress_namespace;
};

// Both take and return a whole AdmissionReview object. A request they cannot
// read is refused with a message saying why (never allowed by accident).
// `now` (RFC 3339) stamps approvedAt/rejectedAt; empty: the current time.
nlohmann::json mutate(const nlohmann::json& review, const std::string& now = "");
nlohmann::json validate(const nlohmann::json& review, const AdmissionContext& context);

}  // namespace droid::op
