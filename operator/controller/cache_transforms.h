// What the operator's informer caches keep of each object (controller-runtime's
// cache transform): every object loses metadata.managedFields and the
// last-applied-configuration annotation (a second copy of the object that kubectl
// apply leaves). A DroidSession keeps the rest: the reconciler writes its status
// back from it. A runner Pod keeps what the session controller reads: metadata
// (name, namespace, uid, resourceVersion, creation and deletion times, labels,
// annotations, owners), and status phase, reason, message, startTime, conditions
// (type, status, reason, message) and container states (name, ready,
// restartCount, state, lastState); never its spec, IPs, images or the
// conditions' timestamps. A Namespace keeps only its metadata. Applied by the
// reflectors before an object reaches the store or the event handlers.
#pragma once

#include <nlohmann/json.hpp>

namespace droid::op {

inline constexpr const char* kLastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

// DroidSessions and OrgPolicies.
void trim_for_cache(nlohmann::json& object);
void trim_pod_for_cache(nlohmann::json& pod);
void trim_namespace_for_cache(nlohmann::json& ns);

}  // namespace droid::op
