// A reflector keeps a Store in step with the API server for one resource type
// (optionally one namespace and selectors), on its own thread: it lists (in
// pages), replaces the store, then watches from the list's resourceVersion;
// each event updates the store and calls the handlers. It resumes from the last
// resourceVersion seen (bookmarks included) when a watch ends, relists when that
// version has expired (410 Gone), and reconnects after errors with jittered
// exponential backoff. synced() turns true after the first complete list.
// Handlers run on the reflector's thread: they must be quick (enqueue a key).
// Each object is parsed once, transformed in place and shared with the store
// (no copy on the way in); handlers see the store's objects.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "kube/api.h"
#include "kube/backoff.h"
#include "kube/store.h"
#include "kube/watch_event.h"

namespace droid::kube {

struct ReflectorHandlers {
  std::function<void(const nlohmann::json&)> on_add;
  std::function<void(const nlohmann::json& old_object, const nlohmann::json& new_object)> on_update;
  std::function<void(const nlohmann::json&)> on_delete;
  // An error the reflector recovers from (logged by the caller, counted by tests).
  std::function<void(const std::string&)> on_error;
};

struct ReflectorOptions {
  std::string namespace_name;  // "" : all namespaces
  std::string label_selector;
  std::string field_selector;
  int page_size = 500;
  std::chrono::seconds watch_timeout{290};
  BackoffPolicy backoff{};
  // Applied to every object before it enters the store and reaches the handlers
  // (controller-runtime's cache transform): drop what the readers never use.
  std::function<void(nlohmann::json&)> transform;
};

struct ReflectorStats {
  int lists = 0;      // complete lists, the first one included
  int watches = 0;    // watch requests started
  int expired = 0;    // 410 Gone answers (each followed by a relist)
  int errors = 0;     // failed lists or watches (each followed by a backoff)
  int bookmarks = 0;  // BOOKMARK events received
};

class Reflector {
 public:
  // `api`: a kube::Client, or a kube::MemoryApi in unit tests.
  Reflector(Api& api, Resource resource, ReflectorOptions options, std::shared_ptr<Store> store,
            ReflectorHandlers handlers = {});
  ~Reflector();  // stops
  Reflector(const Reflector&) = delete;
  Reflector& operator=(const Reflector&) = delete;

  void start();
  // Cancels the current request and joins the thread. Idempotent.
  void stop();

  bool synced() const { return synced_.load(); }
  bool wait_for_sync(std::chrono::milliseconds timeout) const;
  std::string last_resource_version() const;
  ReflectorStats stats() const;
  Store& store() { return *store_; }

 private:
  void run();
  void list_and_replace();
  void handle(WatchEvent& event);
  void set_resource_version(const std::string& rv);

  Api& api_;
  Resource resource_;
  ReflectorOptions options_;
  std::shared_ptr<Store> store_;
  ReflectorHandlers handlers_;
  CancelToken cancel_;
  std::thread thread_;
  std::atomic<bool> synced_{false};
  mutable std::mutex mu_;
  mutable std::condition_variable synced_cv_;
  std::string resource_version_;
  ReflectorStats stats_;
};

}  // namespace droid::kube
