// droid-operator-bench: how fast the real droid-operator turns DroidSessions
// into runner pods on a real control plane, next to a baseline measured in the
// same run, and how much memory it holds with many sessions in its cache.
//
//   baseline  a plain client creates, for each of N items, the objects the
//             operator creates per session (ConfigMap, NetworkPolicy, restricted
//             Pod, built by the operator's own builders) from --workers threads;
//             latency = item start to its pod's create call returning.
//   operator  the droid-operator binary (no leader election, its default
//             --session-workers unless given) reconciles N DroidSessions created from --creators
//             threads; latency = the session's create call starting to a pod
//             watch seeing the runner pod ADDED; sessions/s = N / (first create
//             to last pod seen).
//   rss       one operator, sessions created up to each --rss count; once every
//             session has status.podName, its VmRSS and VmHWM.
//   --stack   only the node-tier figure instead (bench/node_tier.h): sessions on a
//             cluster with a real node, create -> Running -> first LLM request.
// Each phase has its own namespaces, deleted (and waited for) before the next.
// Prints figures, not pass/fail (scripts/bench.sh, `make bench`).
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench_options.h"
#include "kube/client.h"
#include "kube/config.h"
#include "kube/error.h"
#include "kube/reflector.h"
#include "kube/store.h"
#include "latency_stats.h"
#include "node_tier.h"
#include "operator_process.h"
#include "policy/org_policy.h"
#include "policy/session_check.h"
#include "resources/session_objects.h"
#include "scrape.h"

namespace droid::bench {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

double ms_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

double seconds_between(Clock::time_point from, Clock::time_point to) { return ms_between(from, to) / 1000.0; }

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

void progress(const std::string& message) { std::cerr << "bench: " << message << " (load " << load_average() << ")\n"; }

const json kSessionSpec = {{"prompt", "fix the failing tests"}, {"model", "qwen"}};

// What the bench shares between phases.
struct Context {
  BenchOptions options;
  std::string id = std::to_string(getpid());
  kube::Config config;
  std::unique_ptr<kube::Client> admin;
  std::string policy_name = "droid-bench-" + id;
  std::string operator_namespace = "droid-bench-sys-" + id;
  json policy_spec;
  std::vector<std::string> namespaces;  // created and not yet deleted
  std::atomic<long> retries{0};         // 429/5xx answers the bench's own clients retried
};

// Runs `fn`, retrying what the API server asks to retry (429, 5xx) with a short pause.
template <typename Fn>
auto with_retry(Context& ctx, Fn&& fn) {
  for (int attempt = 1;; ++attempt) {
    try {
      return fn();
    } catch (const kube::ApiError& e) {
      if ((e.code() != 429 && e.code() < 500) || attempt >= 50) throw;
      ++ctx.retries;
    }
    std::this_thread::sleep_for(100ms);
  }
}

// Sums of the kube-apiserver's own request counters (its /metrics, admin only).
double apiserver_429s(Context& ctx) {
  const auto r = ctx.admin->request("GET", "/metrics");
  if (r.status != 200) return -1;
  return metric_sum(r.body, "apiserver_request_total", "code=\"429\"");
}

void create_namespace(Context& ctx, const std::string& name) {
  ctx.admin->create(kube::kNamespaces, {{"apiVersion", "v1"},
                                        {"kind", "Namespace"},
                                        {"metadata",
                                         {{"name", name},
                                          {"labels",
                                           {{"pod-security.kubernetes.io/enforce", "restricted"},
                                            {"pod-security.kubernetes.io/enforce-version", "latest"},
                                            {"droid-bench", ctx.id}}}}}});
  ctx.namespaces.push_back(name);
  // Pods are refused until the namespace has its default ServiceAccount.
  const auto deadline = Clock::now() + 120s;
  for (;;) {
    try {
      ctx.admin->get(kube::kServiceAccounts, name, "default");
      return;
    } catch (const kube::ApiError& e) {
      if (!e.not_found() || Clock::now() > deadline) throw;
    }
    std::this_thread::sleep_for(100ms);
  }
}

void delete_namespace(Context& ctx, const std::string& name) {
  const auto t0 = Clock::now();
  try {
    ctx.admin->remove(kube::kNamespaces, "", name);
  } catch (const kube::ApiError& e) {
    if (!e.not_found()) throw;
  }
  const auto deadline = t0 + std::chrono::seconds(ctx.options.timeout_seconds);
  for (;;) {
    try {
      ctx.admin->get(kube::kNamespaces, "", name);
    } catch (const kube::ApiError& e) {
      if (!e.not_found()) throw;
      break;
    }
    if (Clock::now() > deadline) throw std::runtime_error("namespace " + name + " was not deleted in time");
    std::this_thread::sleep_for(500ms);
  }
  std::erase(ctx.namespaces, name);
  progress("namespace " + name + " deleted in " + std::to_string(static_cast<int>(seconds_between(t0, Clock::now()))) +
           " s");
}

// Runs `count` jobs (indices [first, first+count)) on `threads` threads, each with
// its own Client; rethrows the first failure after all threads ended.
void parallel(Context& ctx, int threads, int first, int count,
              const std::function<void(kube::Client&, int index)>& job) {
  std::atomic<int> next{first};
  std::mutex mu;
  std::string failure;
  std::vector<std::thread> pool;
  pool.reserve(static_cast<std::size_t>(threads));
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      try {
        kube::Client client(ctx.config);
        for (int i = next++; i < first + count; i = next++) job(client, i);
      } catch (const std::exception& e) {
        const std::lock_guard<std::mutex> lock(mu);
        if (failure.empty()) failure = e.what();
        next = first + count;  // the others stop too
      }
    });
  }
  for (auto& t : pool) t.join();
  if (!failure.empty()) throw std::runtime_error(failure);
}

std::string session_name(int i) { return "s-" + std::to_string(i); }

json session_object(const std::string& ns, int i) {
  return {{"apiVersion", "droid.dev/v1alpha1"},
          {"kind", "DroidSession"},
          {"metadata", {{"name", session_name(i)}, {"namespace", ns}}},
          {"spec", kSessionSpec}};
}

struct PhaseResult {
  int n = 0;
  LatencySummary latency_ms;
  double per_second = 0;
  double wall_seconds = 0;
};

PhaseResult run_baseline(Context& ctx, int n) {
  const std::string ns = "droid-bench-base-" + std::to_string(n) + "-" + ctx.id;
  create_namespace(ctx, ns);
  progress("baseline N=" + std::to_string(n) + " in " + ns);
  const auto effective = policy::resolve({policy::OrgPolicy{ctx.policy_name, ctx.policy_spec}});
  const op::RunnerDefaults defaults;
  std::vector<Clock::time_point> start(static_cast<std::size_t>(n));
  std::vector<Clock::time_point> done(static_cast<std::size_t>(n));
  parallel(ctx, ctx.options.workers, 0, n, [&](kube::Client& c, int i) {
    const auto k = static_cast<std::size_t>(i);
    start[k] = Clock::now();
    // As the operator does per session: plan, build, then write the three objects in order.
    const op::SessionRef ref{session_name(i), ns, "bench-uid-" + std::to_string(i), kSessionSpec,
                             kSessionSpec["prompt"].get<std::string>()};
    const policy::SessionPlan plan = policy::plan_session(kSessionSpec, effective, 0);
    if (!plan.ok()) throw std::runtime_error("the bench policy refuses the session: " + plan.refusals[0].str());
    const std::vector<std::pair<const kube::Resource*, json>> objects = {
        {&kube::kConfigMaps, op::build_config_map(ref, effective, plan)},
        {&kube::kNetworkPolicies, op::build_network_policy(ref, effective)},
        {&kube::kPods, op::build_pod(ref, effective, plan, defaults)}};
    for (const auto& entry : objects) {
      const kube::Resource& resource = *entry.first;
      json object = entry.second;
      // No owner: there is no DroidSession, and the garbage collector would delete them.
      object["metadata"].erase("ownerReferences");
      with_retry(ctx, [&] {
        return ctx.options.baseline_apply ? c.apply(resource, object, "droid-bench", true) : c.create(resource, object);
      });
    }
    done[k] = Clock::now();
  });
  std::vector<double> latency;
  latency.reserve(start.size());
  for (std::size_t k = 0; k < start.size(); ++k) latency.push_back(ms_between(start[k], done[k]));
  PhaseResult r;
  r.n = n;
  r.latency_ms = summarize(latency);
  r.wall_seconds =
      seconds_between(*std::min_element(start.begin(), start.end()), *std::max_element(done.begin(), done.end()));
  r.per_second = rate(static_cast<std::size_t>(n), r.wall_seconds);
  delete_namespace(ctx, ns);
  return r;
}

// The first time a watch saw each runner pod of one namespace.
class PodWatch {
 public:
  PodWatch(const kube::Config& config, const std::string& ns)
      : client_(config),
        reflector_(client_, kube::kPods, {.namespace_name = ns, .label_selector = "app.kubernetes.io/component=runner"},
                   std::make_shared<kube::Store>(), {.on_add = [this](const json& pod) { seen(pod); }}) {}
  void start() {
    reflector_.start();
    if (!reflector_.wait_for_sync(60s)) throw std::runtime_error("the pod watch did not sync");
  }
  std::size_t count() const {
    const std::lock_guard<std::mutex> lock(mu_);
    return first_seen_.size();
  }
  std::map<std::string, Clock::time_point> first_seen() const {
    const std::lock_guard<std::mutex> lock(mu_);
    return first_seen_;
  }

 private:
  void seen(const json& pod) {
    const auto now = Clock::now();
    const std::lock_guard<std::mutex> lock(mu_);
    first_seen_.emplace(pod["metadata"].value("name", ""), now);
  }

  kube::Client client_;
  mutable std::mutex mu_;
  std::map<std::string, Clock::time_point> first_seen_;
  kube::Reflector reflector_;  // last: stopped before the rest goes
};

std::vector<std::string> operator_args(const Context& ctx, int port) {
  std::vector<std::string> args = {"--kubeconfig",
                                   ctx.options.kubeconfig,
                                   "--namespace",
                                   ctx.operator_namespace,
                                   "--leader-elect=false",
                                   "--ops-bind-address",
                                   "127.0.0.1:" + std::to_string(port),
                                   "--log-level",
                                   "info"};
  if (ctx.options.session_workers > 0) {
    args.emplace_back("--session-workers");
    args.push_back(std::to_string(ctx.options.session_workers));
  }
  return args;
}

// The operator binary with its ops port, started and ready.
class RunningOperator {
 public:
  RunningOperator(Context& ctx, const std::string& tag)
      : port_(e2e::free_port()),
        process_(ctx.options.operator_path, operator_args(ctx, port_),
                 ctx.options.log_dir + "/droid-bench-operator-" + ctx.id + "-" + tag + ".log") {
    process_.start();
    const auto deadline = Clock::now() + 180s;
    while (http_get_local(port_, "/readyz").status != 200) {
      if (!process_.running()) throw std::runtime_error("the operator exited:\n" + process_.log_tail());
      if (Clock::now() > deadline)
        throw std::runtime_error("the operator did not become ready:\n" + process_.log_tail());
      std::this_thread::sleep_for(200ms);
    }
  }
  ~RunningOperator() { process_.terminate(std::chrono::seconds(30)); }
  RunningOperator(const RunningOperator&) = delete;
  RunningOperator& operator=(const RunningOperator&) = delete;

  pid_t pid() const { return process_.pid(); }
  std::string metrics() const { return http_get_local(port_, "/metrics", 20000).body; }
  const std::string& log_file() const { return process_.log_file(); }
  bool running() { return process_.running(); }
  std::string log_tail() const { return process_.log_tail(); }

 private:
  int port_;
  e2e::OperatorProcess process_;
};

// Samples the operator's session work-queue depth until stopped; keeps the maximum.
class QueueSampler {
 public:
  explicit QueueSampler(const RunningOperator& op)
      : thread_([this, &op] {
          while (!stop_.load()) {
            const double depth = metric_sum(op.metrics(), "droid_workqueue_depth", "controller=\"droidsession\"");
            double seen = max_.load();
            while (depth > seen && !max_.compare_exchange_weak(seen, depth)) {
            }
            for (int i = 0; i < 5 && !stop_.load(); ++i) std::this_thread::sleep_for(100ms);
          }
        }) {}
  ~QueueSampler() {
    stop_ = true;
    thread_.join();
  }
  QueueSampler(const QueueSampler&) = delete;
  QueueSampler& operator=(const QueueSampler&) = delete;
  double max() const { return max_.load(); }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<double> max_{0};
  std::thread thread_;
};

// What the operator's own /metrics said about a phase.
void print_operator_metrics(const std::string& m, double max_queue) {
  const std::string c = "controller=\"droidsession\"";
  const double reconciles = metric_sum(m, "droid_reconcile_duration_seconds_count", c);
  const double reconcile_s = metric_sum(m, "droid_reconcile_duration_seconds_sum", c);
  const double started = metric_sum(m, "droid_session_start_seconds_count", "stage=\"pod_created\"");
  const double started_s = metric_sum(m, "droid_session_start_seconds_sum", "stage=\"pod_created\"");
  std::printf(
      "  operator /metrics: %.0f session reconciles, mean %.1f ms, errors %.0f, queue retries %.0f, max queue depth "
      "%.0f, mean pod_created %.2f s (1 s resolution), events dropped %.0f\n",
      reconciles, reconciles > 0 ? 1000 * reconcile_s / reconciles : 0,
      metric_sum(m, "droid_reconcile_errors_total", c), metric_sum(m, "droid_workqueue_retries_total", c), max_queue,
      started > 0 ? started_s / started : 0, metric_sum(m, "droid_events_dropped_total"));
}

PhaseResult run_operator(Context& ctx, int n) {
  const std::string ns = "droid-bench-op-" + std::to_string(n) + "-" + ctx.id;
  create_namespace(ctx, ns);
  PhaseResult r;
  r.n = n;
  {
    RunningOperator op(ctx, std::to_string(n));
    progress("operator N=" + std::to_string(n) + " in " + ns + " (pid " + std::to_string(op.pid()) + ", log " +
             op.log_file() + ")");
    PodWatch pods(ctx.config, ns);
    pods.start();
    QueueSampler sampler(op);
    std::vector<Clock::time_point> created(static_cast<std::size_t>(n));
    parallel(ctx, ctx.options.creators, 0, n, [&](kube::Client& c, int i) {
      created[static_cast<std::size_t>(i)] = Clock::now();
      with_retry(ctx, [&] { return c.create(kube::kDroidSessions, session_object(ns, i)); });
    });
    const auto deadline = Clock::now() + std::chrono::seconds(ctx.options.timeout_seconds);
    while (pods.count() < static_cast<std::size_t>(n)) {
      if (!op.running()) throw std::runtime_error("the operator exited:\n" + op.log_tail());
      if (Clock::now() > deadline)
        throw std::runtime_error("only " + std::to_string(pods.count()) + " of " + std::to_string(n) +
                                 " pods after the timeout");
      std::this_thread::sleep_for(50ms);
    }
    const auto seen = pods.first_seen();
    std::vector<double> latency;
    Clock::time_point last = created[0];
    for (int i = 0; i < n; ++i) {
      const auto at = seen.at(session_name(i) + "-runner");
      latency.push_back(ms_between(created[static_cast<std::size_t>(i)], at));
      last = std::max(last, at);
    }
    r.latency_ms = summarize(latency);
    r.wall_seconds = seconds_between(*std::min_element(created.begin(), created.end()), last);
    r.per_second = rate(static_cast<std::size_t>(n), r.wall_seconds);
    std::printf("operator N=%d: p50 %.0f ms, p99 %.0f ms, max %.0f ms, %.1f sessions/s (%.1f s)\n", n, r.latency_ms.p50,
                r.latency_ms.p99, r.latency_ms.max, r.per_second, r.wall_seconds);
    print_operator_metrics(op.metrics(), sampler.max());
    std::fflush(stdout);
  }
  delete_namespace(ctx, ns);
  return r;
}

// Sessions of one namespace that have status.podName, from a watch.
class SessionWatch {
 public:
  SessionWatch(const kube::Config& config, const std::string& ns)
      : client_(config),
        store_(std::make_shared<kube::Store>()),
        reflector_(client_, kube::kDroidSessions, {.namespace_name = ns}, store_) {}
  void start() {
    reflector_.start();
    if (!reflector_.wait_for_sync(60s)) throw std::runtime_error("the session watch did not sync");
  }
  std::size_t with_pod() const {
    std::size_t count = 0;
    store_->visit([&](const json& s) {
      const auto st = s.find("status");
      if (st != s.end() && st->is_object() && !st->value("podName", "").empty()) ++count;
    });
    return count;
  }

 private:
  kube::Client client_;
  std::shared_ptr<kube::Store> store_;
  kube::Reflector reflector_;
};

struct RssRow {
  int sessions = 0;
  long rss_kib = 0;
  long hwm_kib = 0;
  double reconcile_seconds = 0;
};

std::vector<RssRow> run_rss(Context& ctx, std::vector<int> targets) {
  std::sort(targets.begin(), targets.end());
  const std::string ns = "droid-bench-rss-" + ctx.id;
  create_namespace(ctx, ns);
  std::vector<RssRow> rows;
  {
    RunningOperator op(ctx, "rss");
    rows.push_back(
        {0, proc_status_kib(op.pid(), "VmRSS").value_or(-1), proc_status_kib(op.pid(), "VmHWM").value_or(-1), 0});
    progress("rss in " + ns + " (operator pid " + std::to_string(op.pid()) + ", log " + op.log_file() + ")");
    SessionWatch sessions(ctx.config, ns);
    sessions.start();
    int created = 0;
    for (const int target : targets) {
      const auto t0 = Clock::now();
      parallel(ctx, ctx.options.creators, created, target - created, [&](kube::Client& c, int i) {
        with_retry(ctx, [&] { return c.create(kube::kDroidSessions, session_object(ns, i)); });
      });
      created = std::max(created, target);
      const auto deadline = Clock::now() + std::chrono::seconds(ctx.options.timeout_seconds);
      while (sessions.with_pod() < static_cast<std::size_t>(target)) {
        if (!op.running()) throw std::runtime_error("the operator exited:\n" + op.log_tail());
        if (Clock::now() > deadline)
          throw std::runtime_error("only " + std::to_string(sessions.with_pod()) + " of " + std::to_string(target) +
                                   " sessions reconciled after the timeout");
        std::this_thread::sleep_for(250ms);
      }
      const double took = seconds_between(t0, Clock::now());
      // Let the follow-up events (pod status from the scheduler, own status writes) drain.
      const auto settle = Clock::now() + 60s;
      while (metric_sum(op.metrics(), "droid_workqueue_depth", "controller=\"droidsession\"") > 0 &&
             Clock::now() < settle)
        std::this_thread::sleep_for(500ms);
      rows.push_back({target, proc_status_kib(op.pid(), "VmRSS").value_or(-1),
                      proc_status_kib(op.pid(), "VmHWM").value_or(-1), took});
      progress("rss: " + std::to_string(target) + " sessions reconciled; VmRSS " + std::to_string(rows.back().rss_kib) +
               " KiB");
    }
    print_operator_metrics(op.metrics(), 0);
  }
  delete_namespace(ctx, ns);
  return rows;
}

void setup(Context& ctx) {
  if (ctx.admin->request("GET", "/apis/droid.dev/v1alpha1").status != 200)
    throw std::runtime_error("the droid.dev/v1alpha1 API is not served: apply crds/ first (scripts/bench.sh does)");
  // One gateway without Secrets: the operator creates exactly the three objects the baseline does.
  ctx.policy_spec = {
      {"priority", 100},
      {"namespaceSelector", {{"matchLabels", {{"droid-bench", ctx.id}}}}},
      {"settings", {{"models", {{"allowed", {"qwen"}}}}, {"maxAutonomyLevel", "medium"}}},
      {"runner", {{"image", "droid-runner:bench"}, {"maxTimeoutSeconds", 3600}}},
      {"gateways",
       {{{"name", "vllm"}, {"provider", "openai"}, {"baseURL", "http://vllm.llm:8000/v1"}, {"models", {"qwen"}}}}}};
  ctx.admin->create(kube::kOrgPolicies, {{"apiVersion", "droid.dev/v1alpha1"},
                                         {"kind", "OrgPolicy"},
                                         {"metadata", {{"name", ctx.policy_name}}},
                                         {"spec", ctx.policy_spec}});
  create_namespace(ctx, ctx.operator_namespace);
}

void cleanup(Context& ctx) {
  try {
    ctx.admin->remove(kube::kOrgPolicies, "", ctx.policy_name);
  } catch (const std::exception& e) {
    std::cerr << "bench: cleanup: " << e.what() << "\n";
  }
  for (const auto& ns : std::vector<std::string>(ctx.namespaces)) {
    try {
      delete_namespace(ctx, ns);
    } catch (const std::exception& e) {
      std::cerr << "bench: cleanup: " << e.what() << "\n";
    }
  }
}

void print_table(const std::vector<PhaseResult>& base, const std::vector<PhaseResult>& op) {
  std::printf("\n%6s | %28s | %31s | %16s\n", "", "baseline (3 objects/item)", "operator (session -> pod)",
              "operator/baseline");
  std::printf("%6s | %8s %8s %10s | %8s %8s %13s | %7s %8s\n", "N", "p50 ms", "p99 ms", "items/s", "p50 ms", "p99 ms",
              "sessions/s", "thrput", "p50");
  for (std::size_t i = 0; i < base.size() && i < op.size(); ++i) {
    const auto& b = base[i];
    const auto& o = op[i];
    std::printf("%6d | %8.0f %8.0f %10.1f | %8.0f %8.0f %13.1f | %7.2f %8.2f\n", b.n, b.latency_ms.p50,
                b.latency_ms.p99, b.per_second, o.latency_ms.p50, o.latency_ms.p99, o.per_second,
                b.per_second > 0 ? o.per_second / b.per_second : 0,
                b.latency_ms.p50 > 0 ? o.latency_ms.p50 / b.latency_ms.p50 : 0);
  }
}

int run(Context& ctx) {
  ctx.config = kube::load_kubeconfig(ctx.options.kubeconfig);
  ctx.admin = std::make_unique<kube::Client>(ctx.config);
  std::printf(
      "droid-operator-bench: %s, baseline workers %d, operator session workers %s, creators %d, baseline %s, "
      "load %s\n",
      ctx.config.server.c_str(), ctx.options.workers,
      ctx.options.session_workers > 0 ? std::to_string(ctx.options.session_workers).c_str() : "default",
      ctx.options.creators, ctx.options.baseline_apply ? "server-side apply" : "POST", load_average().c_str());
  const double a429_before = apiserver_429s(ctx);
  int rc = 0;
  std::vector<PhaseResult> base;
  std::vector<PhaseResult> op;
  std::vector<RssRow> rss;
  try {
    setup(ctx);
    for (const int n : ctx.options.sessions) {
      base.push_back(run_baseline(ctx, n));
      const auto& b = base.back();
      std::printf("baseline N=%d: p50 %.0f ms, p99 %.0f ms, max %.0f ms, %.1f items/s (%.1f s)\n", n, b.latency_ms.p50,
                  b.latency_ms.p99, b.latency_ms.max, b.per_second, b.wall_seconds);
      std::fflush(stdout);
      op.push_back(run_operator(ctx, n));
    }
    if (!ctx.options.rss.empty()) rss = run_rss(ctx, ctx.options.rss);
  } catch (const std::exception& e) {
    std::cerr << "bench: failed: " << e.what() << "\n";
    rc = 1;
  }
  cleanup(ctx);
  print_table(base, op);
  if (!rss.empty()) {
    // KiB per cached session: the growth over the operator with no session, divided by the
    // sessions (each with its runner pod in the cache).
    const long empty_kib = rss.front().sessions == 0 ? rss.front().rss_kib : -1;
    std::printf("\n%10s | %12s | %12s | %14s | %s\n", "sessions", "VmRSS MiB", "VmHWM MiB", "KiB/session",
                "seconds to reconcile the new ones");
    for (const auto& row : rss) {
      const double per_session =
          row.sessions > 0 && empty_kib >= 0 ? static_cast<double>(row.rss_kib - empty_kib) / row.sessions : 0.0;
      std::printf("%10d | %12.1f | %12.1f | %14.1f | %.1f\n", row.sessions, static_cast<double>(row.rss_kib) / 1024.0,
                  static_cast<double>(row.hwm_kib) / 1024.0, per_session, row.reconcile_seconds);
    }
  }
  std::printf("\napiserver 429 answers during the run: %.0f; bench client retries (429/5xx): %ld; load %s\n",
              apiserver_429s(ctx) - a429_before, ctx.retries.load(), load_average().c_str());
  return rc;
}

}  // namespace
}  // namespace droid::bench

int main(int argc, char** argv) {
  using namespace droid::bench;
  Context ctx;
  try {
    ctx.options = parse_bench_options(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const std::invalid_argument& e) {
    std::cerr << "droid-operator-bench: " << e.what() << "\n";
    return 2;
  }
  if (ctx.options.show_help) {
    std::cout << bench_usage();
    return 0;
  }
  if (ctx.options.kubeconfig.empty()) {
    // NOLINTNEXTLINE(concurrency-mt-unsafe): read before any thread starts; nothing calls setenv
    const char* kc = std::getenv("KUBECONFIG");
    if (kc == nullptr || *kc == '\0') {
      std::cerr << "droid-operator-bench: no --kubeconfig and no $KUBECONFIG\n";
      return 2;
    }
    ctx.options.kubeconfig = kc;
  }
  if (ctx.options.operator_path.empty()) ctx.options.operator_path = DROID_OPERATOR_BIN;
  int rc = 1;
  try {
    rc = ctx.options.stack_info.empty() ? run(ctx)
                                        : run_node_tier({.kubeconfig = ctx.options.kubeconfig,
                                                         .stack_info = ctx.options.stack_info,
                                                         .sessions = ctx.options.node_sessions,
                                                         .creators = ctx.options.creators,
                                                         .timeout_seconds = ctx.options.timeout_seconds});
  } catch (const std::exception& e) {
    std::cerr << "droid-operator-bench: " << e.what() << "\n";
  }
  ctx.admin.reset();  // before static destruction: cpprestsdk's thread pool must still be there
  return rc;
}
