// The manager wires the operator together (controller-runtime's Manager):
//   informers  - reflectors filling Caches: DroidSessions (all namespaces), the
//                operator's runner pods (by label), OrgPolicies, Namespaces;
//                they run on every replica, leader or not (the webhook reads
//                them, and a standby takes over with warm caches);
//   controllers- "droidsession" and "orgpolicy", started only while this
//                replica leads (start_controllers / stop_controllers); on
//                start every cached object is enqueued, so a restarted
//                operator resumes where the cluster is, not where it was.
// Event handlers map watch events to keys: a session's own changes (spec,
// annotations, deletion; not the status it writes itself), its pod's changes,
// a policy's changes (its status; waiting sessions look again), a namespace's
// labels (every policy's governedNamespaces). A session that finishes wakes
// the sessions waiting for a slot in its namespace.
#pragma once
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "controller/caches.h"
#include "controller/controller.h"
#include "kube/api.h"
#include "kube/reflector.h"
#include "log/log.h"
#include "reconcile/orgpolicy_reconciler.h"
#include "reconcile/session_reconciler.h"

namespace droid::op {

inline constexpr const char* kRunnerPodSelector =
    "app.kubernetes.io/managed-by=droid-operator,app.kubernetes.io/component=runner";

struct ManagerOptions {
  int session_workers = 16;
  int policy_workers = 1;
  SessionReconcilerOptions session{};
  std::chrono::seconds watch_timeout{290};
};

struct ManagerObserver {
  ControllerObserver controller;  // reconcile durations, errors, retries
  SessionHooks session;           // events, start latency
  // A watch or list failed and will be retried (resource plural, error).
  std::function<void(const std::string& resource, const std::string& error)> watch_error;
};

class Manager {
 public:
  // `api`: a kube::Client, or a kube::MemoryApi in unit tests.
  Manager(kube::Api& api, ManagerOptions options, ManagerObserver observer = {});
  ~Manager();  // stops everything
  Manager(const Manager&) = delete;
  Manager& operator=(const Manager&) = delete;

  void start_informers();
  bool wait_for_sync(std::chrono::milliseconds timeout) const;
  bool synced() const;

  void start_controllers();
  void stop_controllers();
  bool controllers_running() const;
  void stop();  // controllers, then informers

  const Caches& caches() const { return caches_; }
  // Sessions in the cache by status.phase ("" counted as Pending).
  std::map<std::string, std::size_t> sessions_by_phase() const;
  // Queue depth per controller (0 when not running).
  std::map<std::string, std::size_t> queue_depths() const;
  // Reflector statistics by resource plural.
  std::map<std::string, kube::ReflectorStats> reflector_stats() const;
  // Sessions of a namespace holding a concurrency slot, as the cache shows them
  // (what the admission webhook counts against the policy's limit).
  std::size_t active_sessions(const std::string& ns) const;

 private:
  void enqueue_session(const std::string& key);
  void enqueue_policy(const std::string& name);
  void wake_waiting(const std::string& ns);  // "" : every namespace
  void on_session_update(const CachedSession& old_obj, const CachedSession& new_obj);
  void on_pod(const CachedPod& pod);
  void enqueue_all_policies();

  kube::Api& client_;
  ManagerOptions options_;
  ManagerObserver observer_;
  Caches caches_;
  std::vector<std::unique_ptr<kube::ReflectorBase>> reflectors_;
  std::unique_ptr<SessionReconciler> session_reconciler_;
  std::unique_ptr<OrgPolicyReconciler> policy_reconciler_;
  mutable std::mutex mu_;  // guards the controller pointers (handlers run on reflector threads)
  std::shared_ptr<Controller> sessions_;
  std::shared_ptr<Controller> policies_;
  log::Logger log_;
};

}  // namespace droid::op
