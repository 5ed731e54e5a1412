// Records events.k8s.io/v1 Events about objects, asynchronously: record() only
// queues (it never waits for the network); a background thread writes them. The
// queue is bounded: when it is full a new event is dropped and counted
// (dropped()). As client-go's events broadcaster does, a repeat of an identical
// event (same regarding object, type, reason, action and note) within the series
// window becomes a series on the first Event (series.count, lastObservedTime,
// written with a merge PATCH) instead of a new object; repeats that arrive while
// an update is still queued are folded into that update. Names are
// "<regarding-name>.<hex suffix>"; an Event lives in the namespace of the object
// it is about, or in "default" for a cluster-scoped object (as client-go does).
// Failed writes (e.g. the namespace is being deleted) are logged and dropped
// after at most a few quick retries of transport errors; nothing is retried for
// long.
//
//   EventRecorder events(client, {.reporting_controller = "droid.dev/operator",
//                                 .reporting_instance = pod_name});
//   events.record(object_reference(session), EventType::Warning, "PolicyDenied", "Admit", message);
//   ...
//   events.flush(std::chrono::seconds(5));  // at shutdown, before destroying it
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include <nlohmann/json.hpp>

#include "kube/client.h"

namespace droid::kube {

// What an Event is about (its "regarding" field).
struct ObjectReference {
  std::string api_version;
  std::string kind;
  std::string namespace_name;  // "" for cluster-scoped objects
  std::string name;
  std::string uid;
  std::string resource_version;
};

// From an object's apiVersion, kind and metadata.
ObjectReference object_reference(const nlohmann::json& object);

enum class EventType { Normal, Warning };

// API server limits: note ≤ 1024 bytes, reason and action ≤ 128 characters.
inline constexpr std::size_t kEventNoteMaxBytes = 1024;
inline constexpr std::size_t kEventReasonMaxBytes = 128;

// `text` cut to at most `max_bytes` bytes without splitting a UTF-8 sequence.
std::string truncate_utf8(std::string_view text, std::size_t max_bytes);
// The namespace an Event about `regarding` goes in: its own, or "default".
std::string event_namespace(const ObjectReference& regarding);
// "<name>.<suffix in lowercase hex>", the name cut so the result stays a valid
// object name (≤ 253 characters).
std::string event_name(std::string_view regarding_name, std::uint64_t suffix);
// Identical events share this key: regarding (apiVersion, kind, namespace, name,
// uid; not resourceVersion, which changes on every write of the object), type,
// reason, action and note (the latter three after truncation).
std::string event_aggregation_key(const ObjectReference& regarding, EventType type, std::string_view reason,
                                  std::string_view action, std::string_view note);

struct EventRecorderOptions;

// The Event object first written for an event (without series).
nlohmann::json event_object(const ObjectReference& regarding, EventType type, std::string_view reason,
                            std::string_view action, std::string_view note, const EventRecorderOptions& options,
                            const std::string& name, std::chrono::system_clock::time_point event_time);

struct EventRecorderOptions {
  std::string reporting_controller;  // required, e.g. "droid.dev/operator"
  std::string reporting_instance;    // required, e.g. the pod name (≤ 128 characters)
  std::size_t queue_capacity = 1000;
  // A repeat joins the series when it comes within this time of the previous one
  // (client-go finishes a series after 6 minutes without a repeat).
  std::chrono::milliseconds series_window{std::chrono::minutes(6)};
  // Identical-event keys remembered at most; each keeps its Event as compact JSON
  // text (about 1 KiB), not a parsed tree.
  std::size_t max_series = 4096;
};

class EventRecorder {
 public:
  // Throws std::invalid_argument when the reporting controller or instance is empty
  // or the queue capacity is 0. Starts the writer thread.
  EventRecorder(Client& client, EventRecorderOptions options);
  // Stops the writer thread after the write in progress; events still queued are
  // dropped (call flush() first to write them).
  ~EventRecorder();
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

  // Queues an event; never blocks on the network. Thread-safe.
  void record(const ObjectReference& regarding, EventType type, std::string_view reason, std::string_view action,
              std::string_view note);
  // Waits until everything queued so far is written (or failed); false on timeout.
  bool flush(std::chrono::milliseconds timeout);

  std::uint64_t dropped() const;  // events dropped because the queue was full
  std::uint64_t failed() const;   // writes the API server refused or that got no answer
  std::uint64_t written() const;  // successful creates and series updates

 private:
  struct Entry;

  void run();
  void write(const std::shared_ptr<Entry>& entry);
  bool enqueue(const std::shared_ptr<Entry>& entry);                 // with mu_ held
  void evict_for_insert(std::chrono::steady_clock::time_point now);  // with mu_ held

  Client& client_;
  EventRecorderOptions options_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable idle_cv_;
  std::deque<std::shared_ptr<Entry>> queue_;
  std::map<std::string, std::shared_ptr<Entry>> series_;
  bool stopping_ = false;
  int in_flight_ = 0;
  std::uint64_t last_suffix_ = 0;
  std::uint64_t dropped_ = 0;
  std::uint64_t failed_ = 0;
  std::uint64_t written_ = 0;
  std::thread thread_;
};

}  // namespace droid::kube
