// Who may start when OrgPolicy limits.maxConcurrentSessionsPerNamespace is set.
// A session holds a slot from the moment the reconciler creates its pod until
// it finishes. Waiting sessions start first come, first served: a session
// counts the slots held plus the sessions still waiting that were created
// before it (creationTimestamp, then name), so a later session never jumps
// the queue when a slot frees.
#pragma once
#include <cstddef>
#include <functional>
#include <memory>
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

// The one owner of the operator's slot bookkeeping: the keys this process
// admitted whose pod the cache may not show yet. admit_if() decides under one
// lock, so two workers never both take the last slot; release() forgets a key
// once the cache shows its slot (podName), it finished, or it is gone.
class SessionSlots {
 public:
  // `decide(ahead)` gets the sessions ahead of `self` in `in_namespace` (pass
  // the namespace's sessions only when a limit applies; none: 0 ahead) and
  // returns whether `self` starts now; if so it holds a slot from now on.
  bool admit_if(const CachedSession& self, const std::vector<std::shared_ptr<const CachedSession>>& in_namespace,
                const std::function<bool(std::size_t ahead)>& decide);
  void release(const std::string& key);
  std::size_t admitted() const;

 private:
  mutable std::mutex mu_;
  std::set<std::string> keys_;
};

}  // namespace droid::op
