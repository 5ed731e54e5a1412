// Reconciles one DroidSession (SPEC §5) from the informer caches (typed:
// reconcile/cached_session.h, cached_pod.h); every status it writes is decided
// by session_status.h, the concurrency slots are SessionSlots' (concurrency.h):
//   new session  -> resolve the governing OrgPolicies, plan_session() and the
//                   slot at once; refused: denied(); namespace at its
//                   concurrency limit: waiting_for_slot(); else
//                   create the ConfigMap, the NetworkPolicy and the gateway
//                   Secret at once, then the runner Pod (never unfenced, never
//                   before its config), all owned by the session and named
//                   from it, then pod_created() records podName, policy and
//                   requester (pod_creation_failed() when that fails);
//   afterwards   -> next_status() from the pod (and, while its runner waits in
//                   place, the request read from its log); apply the status and
//                   its actions (hand a decision to the waiting runner as a pod
//                   annotation, delete the pod on cancel/timeout, delete the
//                   session after its TTL).
// Pod creation errors are retried with backoff up to timing.max_pod_attempts
// (status.attempts), then the session fails with reason PodCreateFailed; a pod
// the apiserver rejects as invalid fails at once. Status is written with the
// cached resourceVersion (a stale cache gives 409 and a retry with the work
// queue's backoff, never a lost update) and written through to the cache. No finalizers:
// deletion is the garbage collector's, but for the egress grant in the operator's
// namespace (no owner reference across namespaces): deleted when the session ends or its
// deletion is seen, swept otherwise.
#pragma once
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "controller/caches.h"
#include "controller/controller.h"
#include "kube/api.h"
#include "log/log.h"
#include "reconcile/concurrency.h"
#include "reconcile/egress_grants.h"
#include "reconcile/session_status.h"
#include "resources/session_objects.h"

namespace droid::op {

inline constexpr const char* kReasonPodCreateFailed = "PodCreateFailed";
inline constexpr const char* kReasonPromptNotFound = "PromptNotFound";
inline constexpr const char* kReasonGatewayCredentialsMissing = "GatewayCredentialsMissing";
inline constexpr const char* kReasonEgressGrantFailed = "EgressGrantFailed";

struct SessionReconcilerOptions {
  std::string operator_namespace = "droid-system";  // where gateway Secrets are by default
  std::string field_manager = "droid-operator";
  RunnerDefaults runner{};
  Timing timing{};
  // The operator's key for approval decisions (app/approval_signing_key.h): each
  // session's key is derived from it. Empty: no runner waits in place.
  std::string approval_signing_key;
  // The egress gateway's Service, HOST:PORT (--egress-gateway; issue 15): every run
  // gets a grant and a token (reconcile/egress_grants.h), its pod goes through the
  // gateway (resources/egress_route.h). "": direct mode.
  std::string egress_gateway;
  std::string egress_token_secret = "droid-egress-token-key";
};

struct SessionHooks {
  // An event about `regarding` (type Normal|Warning). Must not block.
  std::function<void(const nlohmann::json& regarding, const std::string& type, const std::string& reason,
                     const std::string& action, const std::string& note)>
      event;
  // Seconds from the session's creation to stage "pod_created" / "running".
  std::function<void(const std::string& stage, double seconds)> session_start;
  std::function<Clock::time_point()> now;  // the clock (tests); system_clock when empty
  // A session of `ns` finished by this reconciler's status write (which the cache
  // shows at once): sessions waiting for a slot there may start. Must not block.
  std::function<void(const std::string& ns)> slot_freed;
};

class SessionReconciler {
 public:
  SessionReconciler(kube::Api& client, Caches caches, SessionReconcilerOptions options, SessionHooks hooks = {});
  ReconcileResult reconcile(const std::string& key);

 private:
  ReconcileResult admit_and_create(const CachedSession& session, const std::string& key);
  ReconcileResult lifecycle(const CachedSession& session, const CachedPod* pod);
  // Writes an admission outcome's status (if it changed), records its event,
  // releases the slot of a session that ended there.
  ReconcileResult apply(const CachedSession& session, const nlohmann::json& old_status, Transition tr);
  // TTL after finish: deletes the session (only that uid), done.
  ReconcileResult delete_session(const CachedSession& session);
  // Replaces the status subresource; false when the cached object was stale (409) or gone.
  bool write_status(const CachedSession& session, const nlohmann::json& status);
  // After a stale write: retried through the work queue's backoff, counted as a retry.
  ReconcileResult stale(const CachedSession& session) const;
  std::string read_prompt(const std::string& ns, const nlohmann::json& spec);
  // The request of a runner waiting in place, from its log's tail (approval_channel.h).
  std::optional<InPlaceRequest> read_approval_request(const CachedPod& pod);
  std::map<std::string, std::string> read_gateway_secrets(const nlohmann::json& gateway);
  void event(const CachedSession& session, const std::string& type, const std::string& reason,
             const std::string& action, const std::string& note) const;
  Clock::time_point now() const;

  kube::Api& client_;
  Caches caches_;
  SessionReconcilerOptions options_;
  SessionHooks hooks_;
  SessionSlots slots_;
  std::unique_ptr<EgressGrants> egress_;  // with an egress gateway only
  log::Logger log_;
};

// The requester recorded in a session's status, as the runner is told it.
std::optional<contract::Requester> requester_of(const nlohmann::json& status);

}  // namespace droid::op
