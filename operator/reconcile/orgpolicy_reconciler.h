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

// The status an OrgPolicy should have; pure (tested without a cluster).
nlohmann::json org_policy_status(const nlohmann::json& policy, const std::vector<std::string>& governed,
                                 Clock::time_point now);

class OrgPolicyReconciler {
 public:
  OrgPolicyReconciler(kube::Api& client, Caches caches);
  ReconcileResult reconcile(const std::string& name);

 private:
  kube::Api& client_;
  Caches caches_;
  log::Logger log_;
};

}  // namespace droid::op
