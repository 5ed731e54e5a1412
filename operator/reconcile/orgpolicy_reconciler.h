// Reconciles the status of one OrgPolicy (SPEC §3.2): a Valid condition (False
// with reason InvalidSettings or InvalidSelector and the fields at fault),
// observedGeneration, and governedNamespaces (the namespaces its
// namespaceSelector matches now, sorted). The webhook refuses invalid policies
// at admission; this status also covers policies created while the webhook was
// down, and keeps governedNamespaces current as namespaces come and go. Policy
// changes never touch existing sessions (they record the policy hash they ran
// under); only sessions created afterwards see the new policy.
#pragma once
#include <string>

#include "controller/caches.h"
#include "controller/controller.h"
#include "kube/api.h"
#include "log/log.h"
#include "reconcile/rfc3339.h"

namespace droid::op {

inline constexpr const char* kReasonValid = "Valid";
inline constexpr const char* kReasonInvalidSettings = "InvalidSettings";
inline constexpr const char* kReasonInvalidSelector = "InvalidSelector";
inline constexpr const char* kReasonInvalidEgressReference = "InvalidEgressReference";

// The status an OrgPolicy should have; pure (tested without a cluster).
// `egress_namespace`: the operator's namespace when it runs with an egress gateway
// (then Secret references elsewhere make the policy invalid, reason
// InvalidEgressReference, resources/egress_grant.h); "": direct mode.
nlohmann::json org_policy_status(const nlohmann::json& policy, const std::vector<std::string>& governed,
                                 Clock::time_point now, const std::string& egress_namespace = "");

class OrgPolicyReconciler {
 public:
  OrgPolicyReconciler(kube::Api& client, Caches caches, std::string egress_namespace = "");
  ReconcileResult reconcile(const std::string& name);

 private:
  kube::Api& client_;
  Caches caches_;
  std::string egress_namespace_;
  log::Logger log_;
};

}  // namespace droid::op
