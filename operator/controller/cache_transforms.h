// What the operator's informer caches keep of each object (controller-runtime's
// cache transform). A DroidSession and a runner Pod become typed objects
// (reconcile/cached_session.h, reconcile/cached_pod.h): only the fields the
// operator reads, parsed once as the object enters the cache. An OrgPolicy
// loses metadata.managedFields and the last-applied-configuration annotation
// (a second copy of the object that kubectl apply leaves); a Namespace keeps
// only its metadata, without those. Applied by the reflectors before an object
// reaches the store or the event handlers.
#pragma once

#include <memory>

#include <nlohmann/json.hpp>

#include "reconcile/cached_pod.h"
#include "reconcile/cached_session.h"

namespace droid::op {

inline constexpr const char* kLastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

// OrgPolicies.
void trim_for_cache(nlohmann::json& object);
void trim_namespace_for_cache(nlohmann::json& ns);
// The reflectors' conversions (kube::ReflectorConvert) of sessions and pods.
std::shared_ptr<const CachedSession> cache_session(nlohmann::json&& session);
std::shared_ptr<const CachedPod> cache_pod(nlohmann::json&& pod);

}  // namespace droid::op
