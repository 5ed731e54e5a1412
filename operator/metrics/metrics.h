// The operator's Prometheus metrics: one prometheus::Registry with every family
// the operator exports, and typed setters the controllers call. serialize() renders
// the text exposition format 0.0.4 that OpsServer serves on /metrics.
//
// Families (all prefixed droid_):
//   droid_build_info{version}                                  gauge, always 1
//   droid_sessions{phase}                                      gauge, the 8 phases of SPEC §3.1 always present
//   droid_reconcile_duration_seconds{controller}               histogram
//   droid_reconcile_total{controller,result="success|error"}   counter
//   droid_reconcile_errors_total{controller}                   counter
//   droid_session_start_seconds{stage="pod_created|running"}   histogram, from session creation
//   droid_workqueue_depth{controller}                          gauge
//   droid_workqueue_retries_total{controller}                  counter
//   droid_watch_restarts_total{resource}                       counter
//   droid_watch_relists_total{resource}                        counter (410 Gone)
//   droid_leader                                               gauge 1/0
//   droid_events_dropped_total                                 counter
//   droid_admission_reviews_total{operation,allowed="true|false"} counter
//
// The first call naming a controller (or a watched resource, or an admission
// operation) creates all of its series at zero, so rate() and increase() see the
// first increment of a counter that starts late (e.g. the first error).
//
// Histogram buckets, chosen for how histogram_quantile() interpolates (a quantile
// is only as precise as the bucket it falls in):
//   reconcile, 1 ms .. 10 s, 1-2.5-5 per decade: a reconcile is 0 to 4 API calls,
//     each about 1-10 ms on a healthy API server, so the bulk lands between 1 ms
//     and 100 ms; a slow or throttled API server shows up in 0.25-2.5 s; 10 s is
//     where a reconcile is stuck (client timeouts), anything above is +Inf.
//     13 buckets keep a quantile within a factor 2.5 across four decades.
//   session start, 50 ms .. 5 min: "pod_created" is watch delivery + queue + three
//     writes, tens to hundreds of ms (50 ms to 1 s, dense); "running" adds
//     scheduling, image pull and container start, seconds with a cached image and
//     up to minutes for a cold pull of the runner image (2.5 s .. 300 s). Past
//     5 min a start is a stuck pull, which the session's failure reasons report.
//
// Thread-safe: every method may be called from any thread (prometheus-cpp metrics
// are atomic; the per-label caches here are guarded by a mutex).
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace droid::op {

class Metrics {
 public:
  // The phases of a DroidSession (SPEC §3.1), always exported by droid_sessions.
  static const std::vector<std::string>& phases();
  // Bucket upper bounds in seconds (see the header comment).
  static const std::vector<double>& reconcile_buckets();
  static const std::vector<double>& session_start_buckets();
  // The stage label values of droid_session_start_seconds.
  static constexpr const char* kStagePodCreated = "pod_created";
  static constexpr const char* kStageRunning = "running";

  Metrics();  // owns a prometheus::Registry
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // The registry, for other components that add their own families.
  std::shared_ptr<prometheus::Registry> registry() const;
  // Text exposition format 0.0.4 of everything registered.
  std::string serialize() const;

  // droid_sessions{phase}: the count of each phase; phases not in the map are set
  // to 0. A key outside the 8 phases is exported as given (and reset to 0 when a
  // later call no longer names it), so an unexpected phase stays visible.
  void set_sessions_by_phase(const std::map<std::string, std::size_t>& counts);
  // One reconcile of `controller` that took `seconds`, failed when `error`.
  void observe_reconcile(const std::string& controller, double seconds, bool error);
  // Session start latency; stage is kStagePodCreated or kStageRunning. Negative
  // durations (clock skew against the API server's creationTimestamp) count as 0.
  void observe_session_start(const std::string& stage, double seconds);
  void set_queue_depth(const std::string& controller, double depth);
  void inc_queue_retries(const std::string& controller);
  void inc_watch_restarts(const std::string& resource, double n = 1);
  void inc_watch_relists(const std::string& resource, double n = 1);  // after 410 Gone
  void set_leader(bool leader);
  void inc_events_dropped(double n = 1);
  void inc_admission(const std::string& operation, bool allowed);

  // Creates the series of a controller at zero without observing anything (the
  // controllers call it at start so dashboards show them before the first event).
  void init_controller(const std::string& controller);

 private:
  struct ControllerSeries {
    prometheus::Histogram* duration;
    prometheus::Counter* success;
    prometheus::Counter* error;
    prometheus::Counter* errors;
    prometheus::Gauge* depth;
    prometheus::Counter* retries;
  };
  struct WatchSeries {
    prometheus::Counter* restarts;
    prometheus::Counter* relists;
  };
  struct AdmissionSeries {
    prometheus::Counter* allowed;
    prometheus::Counter* denied;
  };

  ControllerSeries& controller(const std::string& name);
  WatchSeries& watch(const std::string& resource);
  AdmissionSeries& admission(const std::string& operation);

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Gauge>& build_info_;
  prometheus::Family<prometheus::Gauge>& sessions_;
  prometheus::Family<prometheus::Histogram>& reconcile_duration_;
  prometheus::Family<prometheus::Counter>& reconcile_total_;
  prometheus::Family<prometheus::Counter>& reconcile_errors_;
  prometheus::Family<prometheus::Histogram>& session_start_;
  prometheus::Family<prometheus::Gauge>& queue_depth_;
  prometheus::Family<prometheus::Counter>& queue_retries_;
  prometheus::Family<prometheus::Counter>& watch_restarts_;
  prometheus::Family<prometheus::Counter>& watch_relists_;
  prometheus::Gauge& leader_;
  prometheus::Counter& events_dropped_;
  prometheus::Family<prometheus::Counter>& admission_;

  mutable std::mutex mu_;  // guards the caches below (not the metrics themselves)
  std::map<std::string, ControllerSeries, std::less<>> controllers_;
  std::map<std::string, WatchSeries, std::less<>> watches_;
  std::map<std::string, AdmissionSeries, std::less<>> admissions_;
  std::map<std::string, prometheus::Histogram*, std::less<>> start_stages_;
  std::set<std::string> extra_phases_;  // phases outside the 8 seen so far
};

}  // namespace droid::op
