#include "controller/controller.h"

#include <exception>

namespace droid::op {

Controller::Controller(std::string name, ReconcileFn reconcile, ControllerOptions options, ControllerObserver observer)
    : name_(std::move(name)),
      reconcile_(std::move(reconcile)),
      options_(options),
      observer_(std::move(observer)),
      queue_(options.backoff),
      log_("controller", {{"controller", name_}}) {}

Controller::~Controller() { stop(); }

void Controller::start() {
  if (running_.exchange(true)) return;
  const int n = options_.workers < 1 ? 1 : options_.workers;
  for (int i = 0; i < n; ++i) workers_.emplace_back([this] { work(); });
  log_.info("controller started", {{"workers", n}});
}

void Controller::stop() {
  if (!running_.exchange(false)) return;
  queue_.shut_down();
  for (auto& t : workers_)
    if (t.joinable()) t.join();
  workers_.clear();
  log_.info("controller stopped");
}

void Controller::work() {
  while (auto key = queue_.get()) {
    if (queue_.shutting_down()) {
      // Keys still queued at shutdown are left for the next leader / the next start.
      queue_.done(*key);
      continue;
    }
    process(*key);
    queue_.done(*key);
  }
}

void Controller::process(const std::string& key) {
  const auto started = std::chrono::steady_clock::now();
  ReconcileResult result;
  try {
    result = reconcile_(key);
  } catch (const std::exception& e) {
    result = ReconcileResult::failed(e.what());
  } catch (...) {
    result = ReconcileResult::failed("unknown exception");
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (observer_.on_reconcile) observer_.on_reconcile(name_, seconds, result.error.has_value() && !result.conflict);

  if (result.error && result.conflict) {
    log_.debug("write raced a newer version; retrying with backoff", {{"key", key}, {"error", *result.error}});
    if (observer_.on_retry) observer_.on_retry(name_);
    queue_.add_rate_limited(key);
    return;
  }
  if (result.error) {
    const int failures = queue_.num_requeues(key) + 1;
    if (options_.max_retries > 0 && failures > options_.max_retries) {
      log_.error("giving up on key until its next change",
                 {{"key", key}, {"error", *result.error}, {"failures", failures}});
      queue_.forget(key);
      return;
    }
    log_.warn("reconcile failed; retrying with backoff",
              {{"key", key}, {"error", *result.error}, {"failures", failures}});
    if (observer_.on_retry) observer_.on_retry(name_);
    queue_.add_rate_limited(key);
    return;
  }
  queue_.forget(key);
  if (result.requeue_after) queue_.add_after(key, *result.requeue_after);
}

}  // namespace droid::op
