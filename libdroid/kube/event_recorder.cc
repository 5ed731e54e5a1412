#include "kube/event_recorder.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <utility>

#include "kube/error.h"
#include "kube/leader_election.h"
#include "log/log.h"

namespace droid::kube {

namespace {

using json = nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

constexpr std::size_t kMaxNameLength = 253;
constexpr int kWriteAttempts = 3;  // transport errors and 5xx/429 only

const char* type_name(EventType type) { return type == EventType::Warning ? "Warning" : "Normal"; }

json reference_json(const ObjectReference& r) {
  json out = json::object();
  const auto put = [&out](const char* key, const std::string& value) {
    if (!value.empty()) out[key] = value;
  };
  put("apiVersion", r.api_version);
  put("kind", r.kind);
  put("namespace", r.namespace_name);
  put("name", r.name);
  put("uid", r.uid);
  put("resourceVersion", r.resource_version);
  return out;
}

bool retriable(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const TransportError&) {
    return true;
  } catch (const ApiError& e) {
    return e.code() >= 500 || e.code() == 429;
  } catch (...) {
    return false;
  }
}

}  // namespace

struct EventRecorder::Entry {
  std::string key;
  // The Event as first created (no series), as compact JSON text: a parsed tree
  // is ~6x larger, and up to max_series entries are kept (one per session event).
  std::string event;
  int count = 1;
  std::chrono::system_clock::time_point last_observed;
  SteadyClock::time_point last_seen;
  bool queued = false;
  bool created = false;
  bool failed = false;
  int sent_count = 0;
};

ObjectReference object_reference(const json& object) {
  ObjectReference r;
  r.api_version = object.value("apiVersion", "");
  r.kind = object.value("kind", "");
  const json meta = object.value("metadata", json::object());
  r.namespace_name = meta.value("namespace", "");
  r.name = meta.value("name", "");
  r.uid = meta.value("uid", "");
  r.resource_version = meta.value("resourceVersion", "");
  return r;
}

std::string truncate_utf8(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  std::size_t end = max_bytes;
  // Back up over continuation bytes (10xxxxxx) to the start of the cut sequence.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0U) == 0x80U) --end;
  return std::string(text.substr(0, end));
}

std::string event_namespace(const ObjectReference& regarding) {
  return regarding.namespace_name.empty() ? "default" : regarding.namespace_name;
}

std::string event_name(std::string_view regarding_name, std::uint64_t suffix) {
  std::array<char, 24> hex{};
  std::snprintf(hex.data(), hex.size(), "%llx", static_cast<unsigned long long>(suffix));
  const std::string tail = std::string(".") + hex.data();
  std::string head(regarding_name.substr(0, kMaxNameLength - tail.size()));
  // A name may not end in '.' or '-' before the separator ("a-.1f" is not a DNS subdomain).
  while (!head.empty() && (head.back() == '.' || head.back() == '-')) head.pop_back();
  if (head.empty()) head = "event";
  return head + tail;
}

std::string event_aggregation_key(const ObjectReference& regarding, EventType type, std::string_view reason,
                                  std::string_view action, std::string_view note) {
  return json::array({regarding.api_version, regarding.kind, regarding.namespace_name, regarding.name, regarding.uid,
                      type_name(type), truncate_utf8(reason, kEventReasonMaxBytes),
                      truncate_utf8(action, kEventReasonMaxBytes), truncate_utf8(note, kEventNoteMaxBytes)})
      .dump();
}

json event_object(const ObjectReference& regarding, EventType type, std::string_view reason, std::string_view action,
                  std::string_view note, const EventRecorderOptions& options, const std::string& name,
                  std::chrono::system_clock::time_point event_time) {
  return {{"apiVersion", "events.k8s.io/v1"},
          {"kind", "Event"},
          {"metadata", {{"name", name}, {"namespace", event_namespace(regarding)}}},
          {"eventTime", format_micro_time(event_time)},
          {"reportingController", options.reporting_controller},
          {"reportingInstance", options.reporting_instance},
          {"action", truncate_utf8(action, kEventReasonMaxBytes)},
          {"reason", truncate_utf8(reason, kEventReasonMaxBytes)},
          {"note", truncate_utf8(note, kEventNoteMaxBytes)},
          {"type", type_name(type)},
          {"regarding", reference_json(regarding)}};
}

EventRecorder::EventRecorder(Client& client, EventRecorderOptions options)
    : client_(client), options_(std::move(options)) {
  if (options_.reporting_controller.empty())
    throw std::invalid_argument("event recorder: reporting_controller is empty");
  if (options_.reporting_instance.empty()) throw std::invalid_argument("event recorder: reporting_instance is empty");
  if (options_.reporting_instance.size() > kEventReasonMaxBytes) {
    throw std::invalid_argument("event recorder: reporting_instance is longer than 128 characters");
  }
  if (options_.queue_capacity == 0) throw std::invalid_argument("event recorder: queue_capacity is 0");
  if (options_.max_series == 0) throw std::invalid_argument("event recorder: max_series is 0");
  thread_ = std::thread([this] { run(); });
}

EventRecorder::~EventRecorder() {
  std::size_t abandoned = 0;
  {
    const std::lock_guard lock(mu_);
    stopping_ = true;
    abandoned = queue_.size();
    dropped_ += abandoned;
    for (const auto& e : queue_) e->queued = false;
    queue_.clear();
  }
  work_cv_.notify_all();
  idle_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (abandoned > 0) log::Logger("events").warn("events dropped at shutdown", {{"count", abandoned}});
}

bool EventRecorder::enqueue(const std::shared_ptr<Entry>& entry) {
  if (queue_.size() >= options_.queue_capacity) return false;
  queue_.push_back(entry);
  entry->queued = true;
  work_cv_.notify_one();
  return true;
}

void EventRecorder::evict_for_insert(SteadyClock::time_point now) {
  if (series_.size() < options_.max_series) return;
  for (auto it = series_.begin(); it != series_.end();) {
    if (!it->second->queued && now - it->second->last_seen > options_.series_window) {
      it = series_.erase(it);
    } else {
      ++it;
    }
  }
  if (series_.size() < options_.max_series) return;
  const auto oldest = std::min_element(series_.begin(), series_.end(), [](const auto& a, const auto& b) {
    return a.second->last_seen < b.second->last_seen;
  });
  series_.erase(oldest);  // a queued entry stays alive in the queue
}

void EventRecorder::record(const ObjectReference& regarding, EventType type, std::string_view reason,
                           std::string_view action, std::string_view note) {
  const auto now = SteadyClock::now();
  const auto wall = std::chrono::system_clock::now();
  std::string key = event_aggregation_key(regarding, type, reason, action, note);
  const std::lock_guard lock(mu_);
  if (stopping_) {
    ++dropped_;
    return;
  }
  const auto it = series_.find(key);
  if (it != series_.end() && !it->second->failed && now - it->second->last_seen <= options_.series_window) {
    const auto& e = it->second;
    if (!e->queued && !enqueue(e)) {
      ++dropped_;
      return;
    }
    ++e->count;
    e->last_observed = wall;
    e->last_seen = now;
    return;
  }
  auto entry = std::make_shared<Entry>();
  const auto nanos =
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(wall.time_since_epoch()).count());
  last_suffix_ = std::max(last_suffix_ + 1, nanos);
  entry->key = key;
  entry->event =
      event_object(regarding, type, reason, action, note, options_, event_name(regarding.name, last_suffix_), wall)
          .dump();
  entry->last_observed = wall;
  entry->last_seen = now;
  if (!enqueue(entry)) {
    ++dropped_;
    return;
  }
  if (it != series_.end()) {
    it->second = std::move(entry);  // the previous series is over
  } else {
    evict_for_insert(now);
    series_.emplace(std::move(key), std::move(entry));
  }
}

bool EventRecorder::flush(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return idle_cv_.wait_for(lock, timeout, [this] { return (queue_.empty() && in_flight_ == 0) || stopping_; }) &&
         queue_.empty() && in_flight_ == 0;
}

std::uint64_t EventRecorder::dropped() const {
  const std::lock_guard lock(mu_);
  return dropped_;
}

std::uint64_t EventRecorder::failed() const {
  const std::lock_guard lock(mu_);
  return failed_;
}

std::uint64_t EventRecorder::written() const {
  const std::lock_guard lock(mu_);
  return written_;
}

void EventRecorder::run() {
  while (true) {
    std::shared_ptr<Entry> entry;
    {
      std::unique_lock lock(mu_);
      work_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      entry = std::move(queue_.front());
      queue_.pop_front();
      entry->queued = false;
      ++in_flight_;
    }
    write(entry);
    {
      const std::lock_guard lock(mu_);
      --in_flight_;
    }
    idle_cv_.notify_all();
  }
}

void EventRecorder::write(const std::shared_ptr<Entry>& entry) {
  std::string text;
  int count = 0;
  bool created = false;
  std::chrono::system_clock::time_point last_observed;
  {
    const std::lock_guard lock(mu_);
    if (entry->failed) return;
    text = entry->event;
    count = entry->count;
    created = entry->created;
    last_observed = entry->last_observed;
    if (created && count <= entry->sent_count) return;  // nothing new
  }
  const json event = json::parse(text);
  const std::string ns = event["metadata"]["namespace"];
  const std::string name = event["metadata"]["name"];
  const json series = {{"count", count}, {"lastObservedTime", format_micro_time(last_observed)}};
  const log::Logger log(
      "events", {{"event", ns + "/" + name},
                 {"reason", event["reason"]},
                 {"regarding", event["regarding"].value("kind", "") + " " + event["regarding"].value("name", "")}});

  const auto create = [&] {
    json object = event;
    if (count >= 2) object["series"] = series;
    client_.create(kEvents, object);
  };
  const auto update = [&] {
    try {
      client_.patch(kEvents, ns, name, PatchType::Merge, {{"series", series}});
    } catch (const ApiError& e) {
      if (!e.not_found()) throw;
      create();  // the Event expired (or was deleted): write it again, as client-go does
    }
  };

  std::exception_ptr error;
  for (int attempt = 1; attempt <= kWriteAttempts; ++attempt) {
    error = nullptr;
    try {
      if (created) {
        update();
      } else {
        create();
      }
    } catch (...) {
      error = std::current_exception();
    }
    if (!error || !retriable(error) || attempt == kWriteAttempts) break;
    std::unique_lock lock(mu_);
    if (work_cv_.wait_for(lock, std::chrono::milliseconds(200 * attempt), [this] { return stopping_; })) break;
  }

  {
    const std::lock_guard lock(mu_);
    if (!error) {
      entry->created = true;
      entry->sent_count = std::max(entry->sent_count, count);
      ++written_;
      return;
    }
    ++failed_;
    if (!created) {
      // Forget it: the next identical event starts a new Event instead of updating a missing one.
      entry->failed = true;
      const auto it = series_.find(entry->key);
      if (it != series_.end() && it->second == entry) series_.erase(it);
    }
  }
  std::string what;
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
    what = "unknown error";
  }
  log.warn(created ? "cannot update the event series, dropped" : "cannot create the event, dropped",
           {{"error", what}, {"count", count}});
}

}  // namespace droid::kube
