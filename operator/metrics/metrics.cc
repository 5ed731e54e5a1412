#include "metrics/metrics.h"

#include <algorithm>
#include <utility>

#include <prometheus/text_serializer.h>

#ifndef DROID_VERSION
#define DROID_VERSION "unknown"
#endif

namespace droid::op {

namespace {

prometheus::Family<prometheus::Gauge>& gauge(prometheus::Registry& registry, const char* name, const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry);
}
prometheus::Family<prometheus::Counter>& counter(prometheus::Registry& registry, const char* name, const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(registry);
}
prometheus::Family<prometheus::Histogram>& histogram(prometheus::Registry& registry, const char* name,
                                                     const char* help) {
  return prometheus::BuildHistogram().Name(name).Help(help).Register(registry);
}

}  // namespace

const std::vector<std::string>& Metrics::phases() {
  static const std::vector<std::string> kPhases = {"Pending",   "Denied", "Running",  "AwaitingApproval",
                                                   "Succeeded", "Failed", "TimedOut", "Cancelled"};
  return kPhases;
}

const std::vector<double>& Metrics::reconcile_buckets() {
  static const std::vector<double> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return kBuckets;
}

const std::vector<double>& Metrics::session_start_buckets() {
  static const std::vector<double> kBuckets = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300};
  return kBuckets;
}

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      build_info_(gauge(*registry_, "droid_build_info", "Build of the running operator; the value is always 1.")),
      sessions_(gauge(*registry_, "droid_sessions", "DroidSessions in the operator's cache, by status phase.")),
      reconcile_duration_(
          histogram(*registry_, "droid_reconcile_duration_seconds", "Time one reconcile took, by controller.")),
      reconcile_total_(counter(*registry_, "droid_reconcile_total", "Reconciles finished, by controller and result.")),
      reconcile_errors_(counter(*registry_, "droid_reconcile_errors_total", "Reconciles that failed, by controller.")),
      session_start_(histogram(*registry_, "droid_session_start_seconds",
                               "Time from a session's creation to its pod created (stage pod_created) and to its "
                               "pod running (stage running).")),
      queue_depth_(gauge(*registry_, "droid_workqueue_depth", "Keys waiting in a controller's work queue.")),
      queue_retries_(
          counter(*registry_, "droid_workqueue_retries_total", "Keys requeued with backoff, by controller.")),
      watch_restarts_(counter(*registry_, "droid_watch_restarts_total", "Watches restarted, by resource.")),
      watch_relists_(counter(*registry_, "droid_watch_relists_total",
                             "Full relists after a watch fell too far behind (410 Gone), by resource.")),
      leader_(gauge(*registry_, "droid_leader", "1 when this replica holds the leader lease, else 0.").Add({})),
      events_dropped_(
          counter(*registry_, "droid_events_dropped_total", "Kubernetes events not recorded (queue full or API error).")
              .Add({})),
      admission_(counter(*registry_, "droid_admission_reviews_total",
                         "Admission reviews answered, by operation and whether they were allowed.")) {
  build_info_.Add({{"version", DROID_VERSION}}).Set(1);
  for (const auto& phase : phases()) sessions_.Add({{"phase", phase}}).Set(0);
  for (const char* stage : {kStagePodCreated, kStageRunning}) {
    start_stages_.emplace(stage, &session_start_.Add({{"stage", stage}}, session_start_buckets()));
  }
}

std::shared_ptr<prometheus::Registry> Metrics::registry() const { return registry_; }

std::string Metrics::serialize() const { return prometheus::TextSerializer().Serialize(registry_->Collect()); }

void Metrics::set_sessions_by_phase(const std::map<std::string, std::size_t>& counts) {
  const auto count_of = [&counts](const std::string& phase) {
    const auto it = counts.find(phase);
    return it == counts.end() ? 0.0 : static_cast<double>(it->second);
  };
  const std::lock_guard lock(mu_);  // one whole update at a time
  for (const auto& [phase, n] : counts) {
    if (std::find(phases().begin(), phases().end(), phase) == phases().end()) extra_phases_.insert(phase);
  }
  for (const auto& phase : phases()) sessions_.Add({{"phase", phase}}).Set(count_of(phase));
  for (const auto& phase : extra_phases_) sessions_.Add({{"phase", phase}}).Set(count_of(phase));
}

Metrics::ControllerSeries& Metrics::controller(const std::string& name) {
  const std::lock_guard lock(mu_);
  if (const auto it = controllers_.find(name); it != controllers_.end()) return it->second;
  const prometheus::Labels labels{{"controller", name}};
  ControllerSeries series{
      .duration = &reconcile_duration_.Add(labels, reconcile_buckets()),
      .success = &reconcile_total_.Add({{"controller", name}, {"result", "success"}}),
      .error = &reconcile_total_.Add({{"controller", name}, {"result", "error"}}),
      .errors = &reconcile_errors_.Add(labels),
      .depth = &queue_depth_.Add(labels),
      .retries = &queue_retries_.Add(labels),
  };
  return controllers_.emplace(name, series).first->second;
}

Metrics::WatchSeries& Metrics::watch(const std::string& resource) {
  const std::lock_guard lock(mu_);
  if (const auto it = watches_.find(resource); it != watches_.end()) return it->second;
  const prometheus::Labels labels{{"resource", resource}};
  WatchSeries series{.restarts = &watch_restarts_.Add(labels), .relists = &watch_relists_.Add(labels)};
  return watches_.emplace(resource, series).first->second;
}

Metrics::AdmissionSeries& Metrics::admission(const std::string& operation) {
  const std::lock_guard lock(mu_);
  if (const auto it = admissions_.find(operation); it != admissions_.end()) return it->second;
  AdmissionSeries series{.allowed = &admission_.Add({{"operation", operation}, {"allowed", "true"}}),
                         .denied = &admission_.Add({{"operation", operation}, {"allowed", "false"}})};
  return admissions_.emplace(operation, series).first->second;
}

void Metrics::init_controller(const std::string& controller_name) { controller(controller_name); }

void Metrics::observe_reconcile(const std::string& controller_name, double seconds, bool error) {
  const ControllerSeries& series = controller(controller_name);
  series.duration->Observe(std::max(seconds, 0.0));
  if (error) {
    series.error->Increment();
    series.errors->Increment();
  } else {
    series.success->Increment();
  }
}

void Metrics::observe_session_start(const std::string& stage, double seconds) {
  prometheus::Histogram* histogram = nullptr;
  {
    const std::lock_guard lock(mu_);
    auto it = start_stages_.find(stage);
    if (it == start_stages_.end()) {
      it = start_stages_.emplace(stage, &session_start_.Add({{"stage", stage}}, session_start_buckets())).first;
    }
    histogram = it->second;
  }
  histogram->Observe(std::max(seconds, 0.0));
}

void Metrics::set_queue_depth(const std::string& controller_name, double depth) {
  controller(controller_name).depth->Set(depth);
}

void Metrics::inc_queue_retries(const std::string& controller_name) {
  controller(controller_name).retries->Increment();
}

void Metrics::inc_watch_restarts(const std::string& resource, double n) { watch(resource).restarts->Increment(n); }

void Metrics::inc_watch_relists(const std::string& resource, double n) { watch(resource).relists->Increment(n); }

void Metrics::set_leader(bool leader) { leader_.Set(leader ? 1 : 0); }

void Metrics::inc_events_dropped(double n) { events_dropped_.Increment(n); }

void Metrics::inc_admission(const std::string& operation, bool allowed) {
  const AdmissionSeries& series = admission(operation);
  (allowed ? series.allowed : series.denied)->Increment();
}

}  // namespace droid::op
