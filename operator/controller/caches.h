// The informer caches the operator's reconcilers read (never the API server for
// what a watch already shows): DroidSessions in every namespace and the runner
// pods the operator created, typed (reconcile/cached_session.h, cached_pod.h);
// OrgPolicies and Namespaces as trimmed JSON (few, and read whole). Filled by
// reflectors (kube/reflector.h) that the manager owns.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "kube/store.h"
#include "policy/label_selector.h"
#include "policy/org_policy.h"
#include "reconcile/cached_pod.h"
#include "reconcile/cached_session.h"

namespace droid::op {

struct Caches {
  std::shared_ptr<kube::BasicStore<CachedSession>> sessions = std::make_shared<kube::BasicStore<CachedSession>>();
  std::shared_ptr<kube::BasicStore<CachedPod>> pods = std::make_shared<kube::BasicStore<CachedPod>>();
  std::shared_ptr<kube::Store> policies = std::make_shared<kube::Store>();
  std::shared_ptr<kube::Store> namespaces = std::make_shared<kube::Store>();

  // Every OrgPolicy as the policy library takes them.
  std::vector<policy::OrgPolicy> org_policies() const;
  // The labels of a namespace (none when it is not in the cache).
  policy::Labels namespace_labels(const std::string& ns) const;
};

}  // namespace droid::op
