// Leader election on a coordination.k8s.io/v1 Lease, with client-go's semantics
// (tools/leaderelection): the lease is acquired when it is absent, free (empty
// holderIdentity), expired, or already held by this identity. Expiry is judged by
// the local monotonic clock: a record is expired when it has not changed for
// leaseDurationSeconds since this elector last saw it change; clocks of different
// machines are never compared. Writes are optimistic (resourceVersion): a 409
// Conflict means another candidate won that round.
//
//   LeaderElector elector(client, {.lease_namespace = "droid-system", .lease_name = "droid-operator",
//                                  .identity = pod_name,
//                                  .on_started_leading = [&] { reconciler.resume(); },
//                                  .on_stopped_leading = [&] { reconciler.pause(); }});
//   elector.start();
//   ...
//   elector.stop();  // releases the lease: another replica takes over at its next retry
//
// The elector runs on its own thread: it retries every retry_period (jittered by
// up to 1.2x while a candidate, as client-go does) and, while leading, renews every
// retry_period. When renewals have failed for longer than renew_deadline, or the
// lease is seen held by someone else, it stops leading (on_stopped_leading) and
// becomes a candidate again (so on_started_leading may come again later).
// Callbacks run on the elector's thread, one at a time, and must return quickly
// (start or stop work elsewhere): renewal waits for them. The Client is used only
// from that thread (a kube::Client may be shared with other threads).
//
// is_leader() is conservative: it is false as soon as the last successful renewal
// is older than renew_deadline, even while a slow request is still pending, so a
// caller that checks it before acting never acts after others may have taken over.
//
// The MicroTime helpers (metav1.MicroTime: RFC 3339 in UTC with microseconds) and
// the lease record codec are public for the event recorder and the unit tests.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>

#include <nlohmann/json.hpp>

#include "kube/client.h"

namespace droid::kube {

using WallClock = std::chrono::system_clock;

// "2026-11-22T02:10:00.123456Z" (always UTC, always six fractional digits).
std::string format_micro_time(WallClock::time_point t);
// Parses RFC 3339 ("...Z" or "...+hh:mm", with or without a fraction, which is
// kept to the microsecond); nullopt when the text is not such a timestamp.
std::optional<WallClock::time_point> parse_micro_time(std::string_view text);

// The fields of a Lease's spec that leader election uses.
struct LeaseRecord {
  std::string holder_identity;  // "" : nobody holds it (released)
  int lease_duration_seconds = 0;
  std::optional<WallClock::time_point> acquire_time;
  std::optional<WallClock::time_point> renew_time;
  int lease_transitions = 0;

  bool operator==(const LeaseRecord&) const = default;
};

// From a Lease's spec (missing or null fields keep their defaults; unparsable
// times are treated as absent).
LeaseRecord lease_record_from_spec(const nlohmann::json& spec);
// A Lease spec; absent times are left out.
nlohmann::json lease_record_to_spec(const LeaseRecord& record);

// True when a record first observed (unchanged since) at `observed_at` with
// the given duration has expired at `now` (strictly after observed_at + duration).
bool lease_expired(std::chrono::steady_clock::time_point observed_at, int lease_duration_seconds,
                   std::chrono::steady_clock::time_point now);

// client-go's jitter factor: a candidate waits retry_period * (1 + u * 1.2), u in [0, 1).
inline constexpr double kLeaderElectionJitter = 1.2;

struct LeaderElectionConfig {
  std::string lease_namespace;
  std::string lease_name;
  std::string identity;  // unique per replica, e.g. the pod name
  // client-go's defaults. The lease duration is written in whole seconds; tests
  // may shorten all three (e.g. 3 s / 2 s / 500 ms).
  std::chrono::milliseconds lease_duration{std::chrono::seconds(15)};
  std::chrono::milliseconds renew_deadline{std::chrono::seconds(10)};
  std::chrono::milliseconds retry_period{std::chrono::seconds(2)};
  std::function<void()> on_started_leading;
  std::function<void()> on_stopped_leading;
  // The holder changed to `identity` (this one included); not called when the lease becomes free.
  std::function<void(const std::string& identity)> on_new_leader;
};

// Throws std::invalid_argument naming the field: empty namespace, name or identity;
// lease_duration not a positive whole number of seconds; renew_deadline not below
// lease_duration; retry_period * 1.2 not below renew_deadline (client-go's rule);
// any duration not positive.
void validate(const LeaderElectionConfig& config);

class LeaderElector {
 public:
  // Validates the config (see validate()).
  LeaderElector(Client& client, LeaderElectionConfig config);
  ~LeaderElector();  // stop()
  LeaderElector(const LeaderElector&) = delete;
  LeaderElector& operator=(const LeaderElector&) = delete;

  // Starts the election thread. Throws std::logic_error when called twice.
  void start();
  // Stops the thread; when leading, releases the lease (holderIdentity "",
  // leaseDurationSeconds 1, as client-go's ReleaseOnCancel) and then calls
  // on_stopped_leading. Idempotent; returns once the thread has ended, except when
  // called from a callback: then the thread ends (and releases) after the callback
  // returns, and the destructor joins it.
  void stop();
  // For tests: ends the thread like a crashed process, without releasing the
  // lease and without callbacks. The lease stays held until it expires.
  void abandon_for_test();

  bool is_leader() const;
  // The holder last observed ("" when none or not yet known).
  std::string leader() const;
  const LeaderElectionConfig& config() const { return config_; }

 private:
  enum class Attempt { Ok, HeldByOther, Failed };

  void run();
  // `now`: when the attempt started (the time our own writes count from).
  Attempt try_acquire_or_renew(std::chrono::steady_clock::time_point now);
  void release();
  void observe(const LeaseRecord& record, std::chrono::steady_clock::time_point now);
  void set_leading(bool leading, std::chrono::steady_clock::time_point now);
  void report_leader();
  void call(const std::function<void()>& callback, const char* name) const;
  std::chrono::milliseconds wait_time();

  Client& client_;
  LeaderElectionConfig config_;
  std::mt19937_64 rng_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool started_ = false;
  bool stopping_ = false;
  bool release_on_stop_ = true;
  bool leading_ = false;
  std::chrono::steady_clock::time_point last_renew_{};
  LeaseRecord observed_;
  bool have_observed_ = false;
  std::chrono::steady_clock::time_point observed_at_{};
  std::thread thread_;

  // Only touched by the election thread.
  nlohmann::json lease_;  // the Lease as last read or written (its resourceVersion)
  std::string reported_leader_;
};

}  // namespace droid::kube
