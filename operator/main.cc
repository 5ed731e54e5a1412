// droid-operator: watches DroidSessions and OrgPolicies and runs one locked-down
// runner pod per session (SPEC §5). This file only wires the parts together:
//   informers + controllers (controller/manager.h), leader election
//   (kube/leader_election.h), events (kube/event_recorder.h), the admission
//   webhook (webhook/webhook_server.h), /metrics /healthz /readyz
//   (metrics/ops_server.h). SIGTERM/SIGINT drain: probes turn unready, the
//   controllers finish their reconciles, the lease is released, events are
//   flushed. Losing the lease (an API server outage longer than the renew
//   deadline) stops the controllers and makes this replica a candidate again;
//   its caches stay warm, and each new term resumes from them.
#include <malloc.h>
#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "app/controller_switch.h"
#include "app/options.h"
#include "controller/manager.h"
#include "kube/config.h"
#include "kube/event_recorder.h"
#include "kube/leader_election.h"
#include "log/log.h"
#include "metrics/metrics.h"
#include "metrics/ops_server.h"
#include "reconcile/approval_signing_key.h"
#include "reconcile/concurrency.h"
#include "reconcile/egress_grants.h"
#include "reconcile/session_status.h"
#include "webhook/https_json_server.h"
#include "webhook/webhook_server.h"

namespace {

// The webhook stamps the requester where the operator's cache reads it.
static_assert(std::string_view(droid::op::kRequesterAnnotation) == droid::contract::kRequesterAnnotation);

using droid::log::Logger;
using namespace droid::op;
namespace kube = droid::kube;

std::string env(const char* name) {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read at start, before any thread; nothing calls setenv
  const char* v = std::getenv(name);
  return v != nullptr ? v : "";
}

std::string default_identity() {
  if (std::string pod = env("POD_NAME"); !pod.empty()) return pod;
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  std::random_device rd;
  return std::string(host) + "_" + std::to_string(getpid()) + "_" + std::to_string(rd() % 100000);
}

std::string default_namespace(const kube::Config& config, bool in_cluster) {
  if (std::string ns = env("POD_NAMESPACE"); !ns.empty()) return ns;
  if (in_cluster && !config.default_namespace.empty()) return config.default_namespace;
  return "droid-system";
}

// Updates the gauges and counters that come from state rather than from events.
class StateMetrics {
 public:
  StateMetrics(Metrics& metrics, Manager& manager) : metrics_(metrics), manager_(manager) {}
  void update() {
    metrics_.set_sessions_by_phase(manager_.sessions_by_phase());
    for (const auto& [controller, depth] : manager_.queue_depths())
      metrics_.set_queue_depth(controller, static_cast<double>(depth));
    for (const auto& [resource, stats] : manager_.reflector_stats()) {
      auto& last = last_[resource];
      // The first watch of each reflector is its start, not a restart.
      const int restarts = std::max(0, stats.watches - 1);
      if (restarts > last.watches) metrics_.inc_watch_restarts(resource, restarts - last.watches);
      if (stats.expired > last.expired) metrics_.inc_watch_relists(resource, stats.expired - last.expired);
      last.watches = std::max(last.watches, restarts);
      last.expired = std::max(last.expired, stats.expired);
    }
  }

 private:
  Metrics& metrics_;
  Manager& manager_;
  std::map<std::string, kube::ReflectorStats> last_;
};

int run(const OperatorOptions& o) {
  droid::log::set_min_level(droid::log::parse_level(o.log_level));
  Logger log("main");

  // Signals go to the thread that waits for them, never to a worker.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  kube::Config config;
  const bool in_cluster = o.kubeconfig.empty();
  try {
    config = in_cluster ? kube::load_in_cluster() : kube::load_kubeconfig(o.kubeconfig, {o.context, false});
  } catch (const std::exception& e) {
    log.error("cannot load the cluster configuration", {{"error", e.what()}});
    return 1;
  }
  const std::string ns = o.namespace_name.empty() ? default_namespace(config, in_cluster) : o.namespace_name;
  const std::string identity = o.identity.empty() ? default_identity() : o.identity;
  log.info("starting droid-operator", {{"version", DROID_VERSION},
                                       {"server", config.server},
                                       {"namespace", ns},
                                       {"identity", identity},
                                       {"leaderElect", o.leader_elect}});

  kube::ClientOptions client_options;
  client_options.qps = o.kube_api_qps;
  client_options.burst = o.kube_api_burst;
  kube::Client client(config, client_options);
  Metrics metrics;
  kube::EventRecorder events(client, {"droid.dev/operator", identity});

  ManagerOptions mo;
  mo.session_workers = o.session_workers;
  mo.session.operator_namespace = ns;
  mo.session.timing.max_pod_attempts = o.max_pod_attempts;
  mo.session.timing.max_approval_rounds = o.max_approval_rounds;
  mo.session.egress_gateway = o.egress_gateway;
  mo.session.egress_token_secret = o.egress_token_secret;
  mo.session.runner.image = o.runner_image;
  mo.session.runner.image_pull_policy = o.runner_image_pull_policy;
  mo.session.timing.image_pull_grace = std::chrono::duration_cast<std::chrono::seconds>(o.image_pull_grace);
  try {
    // Every replica reads the same key: a runner waiting in place accepts what the leader signs.
    mo.session.approval_signing_key = load_or_create_signing_key(client, ns, o.approval_signing_secret);
  } catch (const std::exception& e) {
    log.error("no approval signing key: runners will not wait in place (an approval starts a new run)",
              {{"error", e.what()}});
  }
  ManagerObserver obs;
  obs.controller.on_reconcile = [&](const std::string& c, double s, bool error) {
    metrics.observe_reconcile(c, s, error);
  };
  obs.controller.on_retry = [&](const std::string& c) { metrics.inc_queue_retries(c); };
  obs.session.session_start = [&](const std::string& stage, double s) { metrics.observe_session_start(stage, s); };
  obs.session.event = [&](const nlohmann::json& regarding, const std::string& type, const std::string& reason,
                          const std::string& action, const std::string& note) {
    events.record(kube::object_reference(regarding),
                  type == "Warning" ? kube::EventType::Warning : kube::EventType::Normal, reason, action, note);
  };
  Manager manager(client, mo, obs);

  std::atomic<bool> shutting_down{false};
  ControllerSwitch controllers([&] { manager.start_controllers(); }, [&] { manager.stop_controllers(); });
  std::unique_ptr<kube::LeaderElector> elector;
  const auto leading = [&] { return !o.leader_elect || (elector && elector->is_leader()); };

  OpsServer::Options ops_options;
  ops_options.address = parse_listen_address(o.ops_address);
  ops_options.readiness = [&]() -> std::pair<bool, std::string> {
    if (!manager.synced()) return {false, "informers not synced"};
    if (leading() && !manager.controllers_running()) return {false, "leader, controllers not started yet"};
    return {true, ""};
  };
  OpsServer ops(metrics, ops_options);
  ops.start();
  log.info("serving /metrics, /healthz and /readyz", {{"address", o.ops_address}});

  manager.start_informers();
  if (!manager.wait_for_sync(o.sync_timeout)) {
    log.error("the caches did not sync in time; is the API server reachable and are the CRDs installed?",
              {{"timeout_ms", o.sync_timeout.count()}});
    manager.stop();
    ops.stop();
    return 1;
  }
  log.info("caches synced",
           {{"sessions", manager.caches().sessions->size()}, {"policies", manager.caches().policies->size()}});

  std::unique_ptr<HttpsJsonServer> webhook;
  if (!o.webhook_cert_dir.empty()) {
    HttpsJsonServerOptions wo;
    const ListenAddress wa = parse_listen_address(o.webhook_address);
    wo.address = wa.host;
    wo.port = wa.port;
    wo.cert_file = o.webhook_cert_dir + "/tls.crt";
    wo.key_file = o.webhook_cert_dir + "/tls.key";
    const std::string egress_namespace = o.egress_gateway.empty() ? "" : ns;
    auto routes = webhook_routes([&manager, egress_namespace] {
      // What the webhook reads of the cluster: the manager's caches (shared, so a
      // request in flight keeps them even while the operator stops).
      AdmissionContext c;
      const Caches& caches = manager.caches();  // the lambdas below keep copies
      c.policies = caches.org_policies();
      c.namespace_labels = [caches](const std::string& ns) { return caches.namespace_labels(ns); };
      c.active_sessions = [caches](const std::string& ns) {
        std::size_t n = 0;
        for (const auto& s : caches.sessions->list_namespace(ns))
          if (holds_slot(*s)) ++n;
        return n;
      };
      c.egress_namespace = egress_namespace;
      return c;
    });
    for (auto& [path, handler] : routes) {
      handler = [&metrics, inner = handler](const nlohmann::json& review) {
        nlohmann::json answer = inner(review);
        const auto* request = review.contains("request") ? &review["request"] : nullptr;
        metrics.inc_admission(request != nullptr ? request->value("operation", "") : "",
                              answer.value("response", nlohmann::json::object()).value("allowed", false));
        return answer;
      };
    }
    webhook = std::make_unique<HttpsJsonServer>(wo, std::move(routes));
    webhook->start();
    log.info("serving the admission webhook", {{"address", o.webhook_address}, {"certDir", o.webhook_cert_dir}});
  }

  if (o.leader_elect) {
    kube::LeaderElectionConfig lc;
    lc.lease_namespace = ns;
    lc.lease_name = o.lease_name;
    lc.identity = identity;
    lc.lease_duration = o.lease_duration;
    lc.renew_deadline = o.renew_deadline;
    lc.retry_period = o.retry_period;
    lc.on_started_leading = [&] {
      log.info("became the leader; starting the controllers", {{"identity", identity}});
      metrics.set_leader(true);
      controllers.set(true);
    };
    lc.on_stopped_leading = [&] {
      metrics.set_leader(false);
      controllers.set(false);
      if (!shutting_down.load())
        log.warn("lost the leader lease; controllers stop and this replica stands for election again",
                 {{"identity", identity}});
    };
    lc.on_new_leader = [&](const std::string& leader) {
      if (leader != identity) log.info("another replica leads", {{"leader", leader}});
    };
    elector = std::make_unique<kube::LeaderElector>(client, lc);
    elector->start();
  } else {
    metrics.set_leader(true);
    controllers.set(true);
  }

  // The egress grants of sessions that are gone or finished (a missed deletion, an
  // operator stopped mid-way): swept by the leader at start and every minute.
  std::unique_ptr<EgressGrants> grants;
  if (!o.egress_gateway.empty()) {
    grants = std::make_unique<EgressGrants>(client, ns, o.egress_token_secret, "droid-operator");
    log.info("runner pods go through the egress gateway", {{"gateway", o.egress_gateway}});
  }
  const auto sweep_grants = [&] {
    const auto live = [&](const std::string& session_ns, const std::string& name, const std::string& uid) {
      const auto session = manager.caches().sessions->get(session_ns + "/" + name);
      return session && session->uid == uid && !is_terminal(session->phase);
    };
    try {
      if (const std::size_t n = grants->sweep(live); n > 0) log.info("swept egress grants", {{"removed", n}});
    } catch (const std::exception& e) {
      log.warn("cannot sweep the egress grants", {{"error", e.what()}});
    }
  };

  // State metrics until a signal arrives; every 30 s, the memory freed since (a burst of
  // sessions parses many transient JSON documents) goes back to the system.
  std::mutex mu;
  std::condition_variable cv;
  std::thread updater([&] {
    StateMetrics state(metrics, manager);
    std::uint64_t events_dropped = 0;
    auto next_sweep = std::chrono::steady_clock::now();
    std::unique_lock<std::mutex> lock(mu);
    for (unsigned tick = 1; !shutting_down.load(); ++tick) {
      lock.unlock();
      state.update();
      if (tick % 15 == 0) malloc_trim(0);
      if (grants && leading() && manager.controllers_running() && std::chrono::steady_clock::now() >= next_sweep) {
        sweep_grants();
        next_sweep = std::chrono::steady_clock::now() + std::chrono::minutes(1);
      }
      if (const std::uint64_t d = events.dropped(); d > events_dropped) {
        metrics.inc_events_dropped(static_cast<double>(d - events_dropped));
        events_dropped = d;
      }
      lock.lock();
      cv.wait_for(lock, std::chrono::seconds(2), [&] { return shutting_down.load(); });
    }
  });

  int sig = 0;
  sigwait(&signals, &sig);
  {
    std::lock_guard<std::mutex> lock(mu);
    shutting_down.store(true);
  }
  cv.notify_all();
  log.info("shutting down", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
  ops.begin_shutdown();
  controllers.shut_down();       // running reconciles finish
  if (elector) elector->stop();  // releases the lease: a standby takes over at once
  if (webhook) webhook->stop();
  if (!events.flush(std::chrono::seconds(5))) log.warn("some events were not written before shutdown");
  manager.stop();
  updater.join();
  ops.stop();
  log.info("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Two malloc arenas, not one per thread: the operator's threads mostly wait on the
  // API server, and each arena would keep its own freed memory (bench/README.md).
  // NOLINTNEXTLINE(concurrency-mt-unsafe): before any thread starts
  mallopt(M_ARENA_MAX, 2);
  OperatorOptions options;
  try {
    options = parse_options(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const OptionsError& e) {
    std::cerr << "droid-operator: " << e.what() << "\n";
    return 2;
  }
  if (options.show_help) {
    std::cout << usage();
    return 0;
  }
  if (options.show_version) {
    std::cout << "droid-operator " << DROID_VERSION << "\n";
    return 0;
  }
  try {
    return run(options);
  } catch (const std::exception& e) {
    droid::log::write(droid::log::Level::Error, "main", "droid-operator failed", {{"error", e.what()}});
    return 1;
  }
}
