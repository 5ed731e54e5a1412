// A work queue of keys for controllers, with client-go's semantics: a key added
// several times before it is processed is processed once (dirty set); a key
// being processed is never handed to a second worker: added meanwhile, it is
// queued again when the first worker calls done() (processing set). Keys can be
// added after a delay, or with a per-key exponential backoff (add_rate_limited)
// that forget() resets after a success. shut_down() wakes every worker: get()
// returns the keys still queued, then nullopt.
//
//   while (auto key = q.get()) {
//     if (reconcile(*key)) q.forget(*key); else q.add_rate_limited(*key);
//     q.done(*key);
//   }
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace droid::kube {

struct RateLimiterPolicy {
  std::chrono::milliseconds base{5};  // client-go's default per-item limiter: 5 ms .. 1000 s
  std::chrono::milliseconds max{1000 * 1000};
};

class WorkQueue {
 public:
  using Clock = std::chrono::steady_clock;

  explicit WorkQueue(RateLimiterPolicy policy = {});

  void add(const std::string& key);
  void add_after(const std::string& key, std::chrono::milliseconds delay);
  // add_after with the key's next backoff delay: base * 2^failures, capped at max.
  void add_rate_limited(const std::string& key);
  void forget(const std::string& key);  // resets the key's failure count
  int num_requeues(const std::string& key) const;

  // Blocks until a key is ready or the queue is shut down and empty.
  std::optional<std::string> get();
  // Marks the key as processed; queues it again if it was added meanwhile.
  void done(const std::string& key);

  void shut_down();
  bool shutting_down() const;
  std::size_t len() const;  // keys ready to be handed out (not the delayed or processing ones)
  std::size_t delayed() const;

 private:
  void add_locked(const std::string& key);
  void promote_ready_locked(Clock::time_point now);

  RateLimiterPolicy policy_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  std::unordered_set<std::string> dirty_;
  std::unordered_set<std::string> processing_;
  std::multimap<Clock::time_point, std::string> waiting_;
  std::unordered_map<std::string, Clock::time_point> waiting_at_;  // earliest ready time per delayed key
  std::unordered_map<std::string, int> failures_;
  bool shutting_down_ = false;
};

}  // namespace droid::kube
