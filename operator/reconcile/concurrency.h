// Who may start when OrgPolicy limits.maxConcurrentSessionsPerNamespace is set.
// A session holds a slot from the moment the reconciler creates its pod until
// it finishes. Waiting sessions start first come, first served: a session
// counts the slots held plus the sessions still waiting that were created
// before it (creationTimestamp, then name), so a later session never jumps
// the queue when a slot frees.
#pragma once
#include <cstddef>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "kube/store.h"
#include "reconcile/cached_session.h"

namespace droid::op {

// The reconciler created its pod (status.podName) and it has not finished.
bool holds_slot(const CachedSession& session);
// Not finished and no pod yet (new, or waiting for a slot).
bool is_waiting(const CachedSession& session);

// Sessions of one namespace ahead of `self` for a slot: the ones holding a slot
// (or in `admitted`: keys this process just admitted, which the cache may not
// show yet) and the waiting ones created before `self`.
std::size_t sessions_ahead(const std::vector<std::shared_ptr<const CachedSession>>& in_namespace,
                           const CachedSession& self, const std::set<std::string>& admitted);

// The keys admitted by this process whose pod the cache may not show yet.
// Serialises the decision so that two workers never both take the last slot.
class Admissions {
 public:
  std::mutex& mutex() { return mu_; }
  // Call with mutex() held.
  const std::set<std::string>& keys() const { return keys_; }
  void admit(const std::string& key) { keys_.insert(key); }
  void forget(const std::string& key) { keys_.erase(key); }

 private:
  std::mutex mu_;
  std::set<std::string> keys_;
};

}  // namespace droid::op
