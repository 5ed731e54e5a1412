// A controller runs a reconcile function over keys from a work queue
// (controller-runtime's model): informer handlers enqueue "namespace/name"
// keys; `workers` threads take keys one at a time (a key is never reconciled
// twice at once); the result says whether to look again later. A reconcile
// that throws or returns an error is retried with the key's exponential
// backoff; a success resets it. Observers (metrics) see every reconcile.
//
//   Controller c("droidsession", [&](const std::string& key) { return r.reconcile(key); });
//   c.start();  c.enqueue("team-a/s1");  ...  c.stop();
#pragma once
#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "kube/work_queue.h"
#include "log/log.h"

namespace droid::op {

struct ReconcileResult {
  // Look again after this delay even if nothing changes (timeouts, TTL, waits).
  std::optional<std::chrono::milliseconds> requeue_after;
  // Something failed: retry with backoff (the message is logged).
  std::optional<std::string> error;
  // The error is a write that raced a newer version (409 Conflict): retried with the
  // same backoff and counted as a retry, logged at debug, not counted as an error.
  bool conflict = false;

  static ReconcileResult done() { return {}; }
  static ReconcileResult after(std::chrono::milliseconds d) { return {d, std::nullopt}; }
  static ReconcileResult failed(std::string message) { return {std::nullopt, std::move(message)}; }
  static ReconcileResult conflicted(std::string message) { return {std::nullopt, std::move(message), true}; }
};

using ReconcileFn = std::function<ReconcileResult(const std::string& key)>;

struct ControllerObserver {
  // Called after each reconcile with its duration and whether it failed.
  std::function<void(const std::string& controller, double seconds, bool error)> on_reconcile;
  // Called when a key is requeued with backoff after an error.
  std::function<void(const std::string& controller)> on_retry;
};

struct ControllerOptions {
  int workers = 2;
  kube::RateLimiterPolicy backoff{};
  // After this many consecutive failures a key is dropped until its next event
  // (client-go's workers keep retrying; a bounded number keeps a poison key from
  // spinning forever at the maximum backoff). 0: never drop.
  int max_retries = 0;
};

class Controller {
 public:
  Controller(std::string name, ReconcileFn reconcile, ControllerOptions options = {}, ControllerObserver observer = {});
  ~Controller();  // stops
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  const std::string& name() const { return name_; }
  void enqueue(const std::string& key) { queue_.add(key); }
  void enqueue_after(const std::string& key, std::chrono::milliseconds delay) { queue_.add_after(key, delay); }
  std::size_t depth() const { return queue_.len(); }

  // Starts the workers; keys enqueued before start() are kept.
  void start();
  // Stops taking keys, lets running reconciles finish, joins the workers. Idempotent.
  void stop();
  bool running() const { return running_.load(); }

 private:
  void work();
  void process(const std::string& key);

  std::string name_;
  ReconcileFn reconcile_;
  ControllerOptions options_;
  ControllerObserver observer_;
  kube::WorkQueue queue_;
  std::vector<std::thread> workers_;
  std::atomic<bool> running_{false};
  log::Logger log_;
};

}  // namespace droid::op
