#include "controller/manager.h"

#include "controller/cache_transforms.h"

#include "jsonutil/lookup.h"
#include "reconcile/concurrency.h"
#include "reconcile/session_status.h"
#include "resources/session_objects.h"

namespace droid::op {
namespace {

using json = nlohmann::json;
using jsonutil::find;

json value_at(const json& obj, std::initializer_list<const char*> path) {
  const json* v = find(obj, path);
  return v != nullptr ? *v : json();
}

}  // namespace

Manager::Manager(kube::Api& client, ManagerOptions options, ManagerObserver observer)
    : client_(client), options_(std::move(options)), observer_(std::move(observer)), log_("manager") {
  SessionHooks hooks = observer_.session;
  hooks.slot_freed = [this](const std::string& ns) { wake_waiting(ns); };
  session_reconciler_ = std::make_unique<SessionReconciler>(client_, caches_, options_.session, std::move(hooks));
  policy_reconciler_ = std::make_unique<OrgPolicyReconciler>(
      client_, caches_, options_.session.egress_gateway.empty() ? "" : options_.session.operator_namespace);

  // Sessions and pods are converted to their typed form as they enter the cache;
  // policies and namespaces stay (trimmed) JSON.
  const auto make = [&]<class T>(const kube::Resource& r, std::shared_ptr<kube::BasicStore<T>> store,
                                 std::string selector, kube::BasicReflectorHandlers<T> handlers,
                                 kube::ReflectorConvert<T> convert) {
    kube::ReflectorOptions o;
    o.label_selector = std::move(selector);
    if (r.plural == kube::kNamespaces.plural)
      o.transform = trim_namespace_for_cache;
    else if (r.plural == kube::kOrgPolicies.plural)
      o.transform = trim_for_cache;
    o.watch_timeout = options_.watch_timeout;
    const std::string plural = r.plural;
    handlers.on_error = [this, plural](const std::string& e) {
      log_.warn("watch failed; retrying", {{"resource", plural}, {"error", e}});
      if (observer_.watch_error) observer_.watch_error(plural, e);
    };
    reflectors_.push_back(std::make_unique<kube::BasicReflector<T>>(client_, r, o, std::move(store),
                                                                    std::move(handlers), std::move(convert)));
  };

  make(kube::kDroidSessions, caches_.sessions, "",
       kube::BasicReflectorHandlers<CachedSession>{
           [this](const CachedSession& o) { enqueue_session(o.key()); },
           [this](const CachedSession& a, const CachedSession& b) { on_session_update(a, b); },
           [this](const CachedSession& o) {
             enqueue_session(o.key());
             wake_waiting(o.namespace_);
           },
           nullptr},
       kube::ReflectorConvert<CachedSession>(cache_session));
  make(kube::kPods, caches_.pods, kRunnerPodSelector,
       kube::BasicReflectorHandlers<CachedPod>{[this](const CachedPod& o) { on_pod(o); },
                                               [this](const CachedPod&, const CachedPod& b) { on_pod(b); },
                                               [this](const CachedPod& o) { on_pod(o); }, nullptr},
       kube::ReflectorConvert<CachedPod>(cache_pod));
  const auto policy_changed = [this](const json& o) {
    enqueue_policy(kube::object_key(o));
    wake_waiting("");  // a limit may have changed
  };
  make(kube::kOrgPolicies, caches_.policies, "",
       kube::ReflectorHandlers{policy_changed,
                               [this, policy_changed](const json& a, const json& b) {
                                 // Its own status writes only need the policy itself looked at again.
                                 if (value_at(a, {"metadata", "generation"}) != value_at(b, {"metadata", "generation"}))
                                   policy_changed(b);
                                 else
                                   enqueue_policy(kube::object_key(b));
                               },
                               policy_changed, nullptr},
       kube::ReflectorConvert<json>());
  make(kube::kNamespaces, caches_.namespaces, "",
       kube::ReflectorHandlers{[this](const json&) { enqueue_all_policies(); },
                               [this](const json& a, const json& b) {
                                 if (value_at(a, {"metadata", "labels"}) != value_at(b, {"metadata", "labels"}))
                                   enqueue_all_policies();
                               },
                               [this](const json&) { enqueue_all_policies(); }, nullptr},
       kube::ReflectorConvert<json>());
}

Manager::~Manager() { stop(); }

void Manager::start_informers() {
  for (auto& r : reflectors_) r->start();
}

bool Manager::wait_for_sync(std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (const auto& r : reflectors_) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !r->wait_for_sync(left)) return false;
  }
  return true;
}

bool Manager::synced() const {
  for (const auto& r : reflectors_)
    if (!r->synced()) return false;
  return true;
}

void Manager::start_controllers() {
  std::shared_ptr<Controller> sessions, policies;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (sessions_) return;
    ControllerOptions so;
    so.workers = options_.session_workers;
    sessions_ = std::make_shared<Controller>(
        "droidsession", [this](const std::string& key) { return session_reconciler_->reconcile(key); }, so,
        observer_.controller);
    ControllerOptions po;
    po.workers = options_.policy_workers;
    policies_ = std::make_shared<Controller>(
        "orgpolicy", [this](const std::string& key) { return policy_reconciler_->reconcile(key); }, po,
        observer_.controller);
    sessions = sessions_;
    policies = policies_;
  }
  // Resume from what the cluster shows: every cached object is looked at once.
  for (const auto& key : caches_.sessions->keys()) sessions->enqueue(key);
  for (const auto& key : caches_.policies->keys()) policies->enqueue(key);
  sessions->start();
  policies->start();
  log_.info("controllers started", {{"sessions", caches_.sessions->size()}, {"policies", caches_.policies->size()}});
}

void Manager::stop_controllers() {
  std::shared_ptr<Controller> sessions, policies;
  {
    std::lock_guard<std::mutex> lock(mu_);
    sessions = std::move(sessions_);
    policies = std::move(policies_);
  }
  if (!sessions && !policies) return;
  if (sessions) sessions->stop();
  if (policies) policies->stop();
  log_.info("controllers stopped");
}

bool Manager::controllers_running() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sessions_ != nullptr && sessions_->running();
}

void Manager::stop() {
  stop_controllers();
  for (auto& r : reflectors_) r->stop();
}

void Manager::enqueue_session(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  if (sessions_) sessions_->enqueue(key);
}

void Manager::enqueue_policy(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  if (policies_) policies_->enqueue(name);
}

void Manager::enqueue_all_policies() {
  for (const auto& key : caches_.policies->keys()) enqueue_policy(key);
}

void Manager::wake_waiting(const std::string& ns) {
  const auto sessions = ns.empty() ? caches_.sessions->list() : caches_.sessions->list_namespace(ns);
  for (const auto& s : sessions)
    if (is_waiting(*s) && !s->phase.empty()) enqueue_session(s->key());
}

void Manager::on_session_update(const CachedSession& old_obj, const CachedSession& new_obj) {
  // The session's own status writes do not need another look; its spec,
  // metadata and deletion do.
  if (old_obj.generation != new_obj.generation || old_obj.annotations_digest != new_obj.annotations_digest ||
      old_obj.deletion_timestamp != new_obj.deletion_timestamp)
    enqueue_session(new_obj.key());
  if (is_terminal(new_obj.phase) && !is_terminal(old_obj.phase)) wake_waiting(new_obj.namespace_);
}

void Manager::on_pod(const CachedPod& pod) {
  if (pod.session.empty()) return;
  enqueue_session(pod.namespace_ + "/" + pod.session);
}

std::map<std::string, std::size_t> Manager::sessions_by_phase() const {
  std::map<std::string, std::size_t> out;
  caches_.sessions->visit([&](const CachedSession& s) { ++out[s.phase.empty() ? "Pending" : s.phase]; });
  return out;
}

std::map<std::string, std::size_t> Manager::queue_depths() const {
  std::lock_guard<std::mutex> lock(mu_);
  return {{"droidsession", sessions_ ? sessions_->depth() : 0}, {"orgpolicy", policies_ ? policies_->depth() : 0}};
}

std::map<std::string, kube::ReflectorStats> Manager::reflector_stats() const {
  std::map<std::string, kube::ReflectorStats> out;
  const char* names[] = {"droidsessions", "pods", "orgpolicies", "namespaces"};
  for (std::size_t i = 0; i < reflectors_.size() && i < 4; ++i) out[names[i]] = reflectors_[i]->stats();
  return out;
}

std::size_t Manager::active_sessions(const std::string& ns) const {
  std::size_t n = 0;
  for (const auto& s : caches_.sessions->list_namespace(ns))
    if (holds_slot(*s)) ++n;
  return n;
}

}  // namespace droid::op
