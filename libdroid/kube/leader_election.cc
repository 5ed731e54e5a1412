#include "kube/leader_election.h"

#include <array>
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <utility>

#include "kube/error.h"
#include "log/log.h"

namespace droid::kube {

namespace {

using json = nlohmann::json;
using SteadyClock = std::chrono::steady_clock;
using std::chrono::microseconds;
using std::chrono::milliseconds;

// Reads `n` decimal digits at text[pos]; -1 when they are not all digits.
int digits(std::string_view text, std::size_t pos, std::size_t n) {
  if (pos + n > text.size()) return -1;
  int value = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return -1;
    value = value * 10 + (c - '0');
  }
  return value;
}

std::string ms_text(milliseconds d) { return std::to_string(d.count()) + " ms"; }

int int_field(const json& spec, const char* name) {
  const auto it = spec.find(name);
  if (it == spec.end() || !it->is_number_integer()) return 0;
  return it->get<int>();
}

std::optional<WallClock::time_point> time_field(const json& spec, const char* name) {
  const auto it = spec.find(name);
  if (it == spec.end() || !it->is_string()) return std::nullopt;
  return parse_micro_time(it->get<std::string>());
}

WallClock::time_point now_micros() {
  return std::chrono::time_point_cast<WallClock::duration>(std::chrono::floor<microseconds>(WallClock::now()));
}

}  // namespace

std::string format_micro_time(WallClock::time_point t) {
  const auto us = std::chrono::floor<microseconds>(t.time_since_epoch());
  const auto day = std::chrono::floor<std::chrono::days>(us);
  const std::chrono::year_month_day ymd{std::chrono::sys_days{day}};
  const std::chrono::hh_mm_ss<microseconds> hms{us - day};
  std::array<char, 40> buf{};
  std::snprintf(buf.data(), buf.size(), "%04d-%02u-%02uT%02d:%02d:%02d.%06lldZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()), static_cast<long long>(hms.subseconds().count()));
  return buf.data();
}

std::optional<WallClock::time_point> parse_micro_time(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.f+](Z|+HH:MM|-HH:MM)
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != 't') || text[13] != ':' ||
      text[16] != ':') {
    return std::nullopt;
  }
  const int year = digits(text, 0, 4);
  const int month = digits(text, 5, 2);
  const int day = digits(text, 8, 2);
  const int hour = digits(text, 11, 2);
  const int minute = digits(text, 14, 2);
  const int second = digits(text, 17, 2);
  if (year < 0 || month < 1 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 ||
      second > 60) {
    return std::nullopt;
  }
  const std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                                        std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return std::nullopt;
  std::size_t pos = 19;
  std::int64_t micros = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int n = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (n < 6) micros = micros * 10 + (text[pos] - '0');
      ++n;
      ++pos;
    }
    if (n == 0) return std::nullopt;
    for (int i = n; i < 6; ++i) micros *= 10;
  }
  int offset_minutes = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos + 6 == text.size() && (text[pos] == '+' || text[pos] == '-') && text[pos + 3] == ':') {
    const int oh = digits(text, pos + 1, 2);
    const int om = digits(text, pos + 4, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return std::nullopt;
    offset_minutes = (oh * 60 + om) * (text[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  const auto local = std::chrono::sys_days{ymd} + std::chrono::hours{hour} + std::chrono::minutes{minute} +
                     std::chrono::seconds{second} + microseconds{micros};
  return std::chrono::time_point_cast<WallClock::duration>(local - std::chrono::minutes{offset_minutes});
}

LeaseRecord lease_record_from_spec(const json& spec) {
  LeaseRecord r;
  if (!spec.is_object()) return r;
  const auto holder = spec.find("holderIdentity");
  if (holder != spec.end() && holder->is_string()) r.holder_identity = holder->get<std::string>();
  r.lease_duration_seconds = int_field(spec, "leaseDurationSeconds");
  r.lease_transitions = int_field(spec, "leaseTransitions");
  r.acquire_time = time_field(spec, "acquireTime");
  r.renew_time = time_field(spec, "renewTime");
  return r;
}

json lease_record_to_spec(const LeaseRecord& record) {
  json spec = {{"holderIdentity", record.holder_identity},
               {"leaseDurationSeconds", record.lease_duration_seconds},
               {"leaseTransitions", record.lease_transitions}};
  if (record.acquire_time) spec["acquireTime"] = format_micro_time(*record.acquire_time);
  if (record.renew_time) spec["renewTime"] = format_micro_time(*record.renew_time);
  return spec;
}

bool lease_expired(SteadyClock::time_point observed_at, int lease_duration_seconds, SteadyClock::time_point now) {
  return observed_at + std::chrono::seconds(lease_duration_seconds) < now;
}

void validate(const LeaderElectionConfig& c) {
  const auto fail = [](const std::string& what) { throw std::invalid_argument("leader election: " + what); };
  if (c.lease_namespace.empty()) fail("lease_namespace is empty");
  if (c.lease_name.empty()) fail("lease_name is empty");
  if (c.identity.empty()) fail("identity is empty (use a name unique to this replica, e.g. the pod name)");
  if (c.lease_duration < std::chrono::seconds(1) || c.lease_duration.count() % 1000 != 0) {
    fail("lease_duration (" + ms_text(c.lease_duration) + ") must be a positive whole number of seconds");
  }
  if (c.renew_deadline <= milliseconds(0)) fail("renew_deadline (" + ms_text(c.renew_deadline) + ") must be positive");
  if (c.retry_period <= milliseconds(0)) fail("retry_period (" + ms_text(c.retry_period) + ") must be positive");
  if (c.renew_deadline >= c.lease_duration) {
    fail("renew_deadline (" + ms_text(c.renew_deadline) + ") must be shorter than lease_duration (" +
         ms_text(c.lease_duration) + ")");
  }
  if (static_cast<double>(c.retry_period.count()) * kLeaderElectionJitter >=
      static_cast<double>(c.renew_deadline.count())) {
    fail("renew_deadline (" + ms_text(c.renew_deadline) + ") must be longer than retry_period (" +
         ms_text(c.retry_period) + ") times the jitter factor 1.2");
  }
}

LeaderElector::LeaderElector(Client& client, LeaderElectionConfig config)
    : client_(client), config_(std::move(config)), rng_(std::random_device{}()) {
  validate(config_);
}

LeaderElector::~LeaderElector() { stop(); }

void LeaderElector::start() {
  const std::lock_guard lock(mu_);
  if (started_) throw std::logic_error("LeaderElector::start called twice");
  started_ = true;
  thread_ = std::thread([this] { run(); });
}

void LeaderElector::stop() {
  {
    const std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  // From a callback (the election thread itself): the thread ends after the callback returns.
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void LeaderElector::abandon_for_test() {
  {
    const std::lock_guard lock(mu_);
    stopping_ = true;
    release_on_stop_ = false;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool LeaderElector::is_leader() const {
  const std::lock_guard lock(mu_);
  return leading_ && SteadyClock::now() - last_renew_ <= config_.renew_deadline;
}

std::string LeaderElector::leader() const {
  const std::lock_guard lock(mu_);
  return observed_.holder_identity;
}

void LeaderElector::call(const std::function<void()>& callback, const char* name) const {
  if (!callback) return;
  try {
    callback();
  } catch (const std::exception& e) {
    log::Logger("leader-election").error("callback threw", {{"callback", name}, {"error", e.what()}});
  }
}

void LeaderElector::observe(const LeaseRecord& record, SteadyClock::time_point now) {
  const std::lock_guard lock(mu_);
  observed_ = record;
  observed_at_ = now;
  have_observed_ = true;
}

void LeaderElector::set_leading(bool leading, SteadyClock::time_point now) {
  const std::lock_guard lock(mu_);
  leading_ = leading;
  last_renew_ = now;
}

void LeaderElector::report_leader() {
  std::string holder;
  {
    const std::lock_guard lock(mu_);
    holder = observed_.holder_identity;
  }
  if (holder == reported_leader_) return;
  reported_leader_ = holder;
  if (holder.empty()) return;
  log::Logger("leader-election")
      .info("new leader", {{"lease", config_.lease_namespace + "/" + config_.lease_name}, {"leader", holder}});
  if (config_.on_new_leader) {
    try {
      config_.on_new_leader(holder);
    } catch (const std::exception& e) {
      log::Logger("leader-election").error("callback threw", {{"callback", "on_new_leader"}, {"error", e.what()}});
    }
  }
}

std::chrono::milliseconds LeaderElector::wait_time() {
  bool leading = false;
  {
    const std::lock_guard lock(mu_);
    leading = leading_;
  }
  if (leading) return config_.retry_period;
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const double factor = 1.0 + u(rng_) * kLeaderElectionJitter;
  return milliseconds(static_cast<std::int64_t>(static_cast<double>(config_.retry_period.count()) * factor));
}

LeaderElector::Attempt LeaderElector::try_acquire_or_renew(SteadyClock::time_point now) {
  const log::Logger log("leader-election", {{"lease", config_.lease_namespace + "/" + config_.lease_name},
                                            {"identity", config_.identity}});
  const auto wall_now = now_micros();
  LeaseRecord desired{.holder_identity = config_.identity,
                      .lease_duration_seconds = static_cast<int>(config_.lease_duration.count() / 1000),
                      .acquire_time = wall_now,
                      .renew_time = wall_now,
                      .lease_transitions = 0};

  // Fast path: while leading with a valid lease, update the copy we hold; its
  // resourceVersion makes the write fail if anyone else changed the lease.
  bool leading = false;
  bool valid = false;
  LeaseRecord observed;
  {
    const std::lock_guard lock(mu_);
    leading = leading_;
    observed = observed_;
    valid = have_observed_ && !lease_expired(observed_at_, observed_.lease_duration_seconds, now);
  }
  if (leading && valid && lease_.is_object()) {
    desired.acquire_time = observed.acquire_time;
    desired.lease_transitions = observed.lease_transitions;
    json lease = lease_;
    lease["spec"] = lease_record_to_spec(desired);
    try {
      lease_ = client_.replace(kLeases, lease);
      observe(desired, now);
      return Attempt::Ok;
    } catch (const std::exception& e) {
      log.debug("optimistic renew failed, reading the lease", {{"error", e.what()}});
    }
  }

  json current;
  try {
    current = client_.get(kLeases, config_.lease_namespace, config_.lease_name);
  } catch (const ApiError& e) {
    if (!e.not_found()) {
      log.warn("cannot read the lease", {{"error", e.what()}});
      return Attempt::Failed;
    }
    json lease = {{"apiVersion", "coordination.k8s.io/v1"},
                  {"kind", "Lease"},
                  {"metadata", {{"name", config_.lease_name}, {"namespace", config_.lease_namespace}}},
                  {"spec", lease_record_to_spec(desired)}};
    try {
      lease_ = client_.create(kLeases, lease);
    } catch (const std::exception& ce) {
      log.info("cannot create the lease", {{"error", ce.what()}});
      return Attempt::Failed;
    }
    observe(desired, now);
    return Attempt::Ok;
  } catch (const std::exception& e) {
    log.warn("cannot read the lease", {{"error", e.what()}});
    return Attempt::Failed;
  }

  // Another holder's record counts from when we learnt of it: after the answer, not
  // when the request left (it may have been written while the request was under way).
  const auto seen = SteadyClock::now();
  const LeaseRecord record = lease_record_from_spec(current.value("spec", json::object()));
  SteadyClock::time_point observed_at;
  {
    const std::lock_guard lock(mu_);
    if (!have_observed_ || !(record == observed_)) {
      observed_ = record;
      observed_at_ = seen;
      have_observed_ = true;
    }
    observed_at = observed_at_;
  }
  const bool ours = record.holder_identity == config_.identity;
  if (!record.holder_identity.empty() && !ours && !lease_expired(observed_at, record.lease_duration_seconds, seen)) {
    log.debug("lease held by another candidate", {{"holder", record.holder_identity}});
    return Attempt::HeldByOther;
  }
  if (ours) {
    desired.acquire_time = record.acquire_time;
    desired.lease_transitions = record.lease_transitions;
  } else {
    desired.lease_transitions = record.lease_transitions + 1;
  }
  current["spec"] = lease_record_to_spec(desired);
  try {
    lease_ = client_.replace(kLeases, current);
  } catch (const ApiError& e) {
    if (e.conflict()) {
      log.debug("lost the race for the lease (409 Conflict)");
    } else {
      log.warn("cannot update the lease", {{"error", e.what()}});
    }
    return Attempt::Failed;
  } catch (const std::exception& e) {
    log.warn("cannot update the lease", {{"error", e.what()}});
    return Attempt::Failed;
  }
  observe(desired, now);
  return Attempt::Ok;
}

void LeaderElector::release() {
  const log::Logger log("leader-election", {{"lease", config_.lease_namespace + "/" + config_.lease_name},
                                            {"identity", config_.identity}});
  const auto deadline = SteadyClock::now() + config_.renew_deadline;
  // A conflict means the lease changed since we read it: read again and retry
  // while it is still ours, within the renew deadline.
  while (SteadyClock::now() < deadline) {
    json current;
    try {
      current = client_.get(kLeases, config_.lease_namespace, config_.lease_name);
    } catch (const std::exception& e) {
      log.warn("cannot read the lease to release it", {{"error", e.what()}});
      return;
    }
    const LeaseRecord record = lease_record_from_spec(current.value("spec", json::object()));
    if (record.holder_identity != config_.identity) return;  // not ours any more: nothing to release
    const auto wall_now = now_micros();
    const LeaseRecord released{.holder_identity = "",
                               .lease_duration_seconds = 1,
                               .acquire_time = wall_now,
                               .renew_time = wall_now,
                               .lease_transitions = record.lease_transitions};
    current["spec"] = lease_record_to_spec(released);
    try {
      lease_ = client_.replace(kLeases, current);
      observe(released, SteadyClock::now());
      log.info("released the lease");
      return;
    } catch (const ApiError& e) {
      if (!e.conflict()) {
        log.warn("cannot release the lease", {{"error", e.what()}});
        return;
      }
    } catch (const std::exception& e) {
      log.warn("cannot release the lease", {{"error", e.what()}});
      return;
    }
  }
}

void LeaderElector::run() {
  const log::Logger log("leader-election", {{"lease", config_.lease_namespace + "/" + config_.lease_name},
                                            {"identity", config_.identity}});
  log.info("candidate for the lease");
  while (true) {
    {
      const std::lock_guard lock(mu_);
      if (stopping_) break;
    }
    // Our own writes count from before the request: the server may apply one at any
    // moment until the answer, and others start its lease duration when they see it.
    const auto now = SteadyClock::now();
    const Attempt attempt = try_acquire_or_renew(now);
    bool leading = false;
    SteadyClock::time_point last_renew;
    {
      const std::lock_guard lock(mu_);
      leading = leading_;
      last_renew = last_renew_;
    }
    if (leading) {
      if (attempt == Attempt::Ok) {
        set_leading(true, now);
      } else if (attempt == Attempt::HeldByOther || SteadyClock::now() - last_renew > config_.renew_deadline) {
        log.warn("stopped leading", {{"reason", attempt == Attempt::HeldByOther ? "lease held by another candidate"
                                                                                : "renew deadline exceeded"}});
        set_leading(false, now);
        call(config_.on_stopped_leading, "on_stopped_leading");
      }
    } else if (attempt == Attempt::Ok) {
      set_leading(true, now);
      log.info("acquired the lease");
      call(config_.on_started_leading, "on_started_leading");
    }
    report_leader();

    const auto wait = wait_time();
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, wait, [this] { return stopping_; });
  }

  bool leading = false;
  bool release = false;
  {
    const std::lock_guard lock(mu_);
    leading = leading_;
    release = release_on_stop_;
    leading_ = false;
  }
  if (!release) return;  // abandoned (tests): as if the process had died
  if (leading) {
    this->release();
    call(config_.on_stopped_leading, "on_stopped_leading");
  }
}

}  // namespace droid::kube
