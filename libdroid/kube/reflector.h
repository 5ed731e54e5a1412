// A reflector keeps a Store in step with the API server for one resource type
// (optionally one namespace and selectors), on its own thread: it lists (in
// pages), replaces the store, then watches from the list's resourceVersion;
// each event updates the store and calls the handlers. It resumes from the last
// resourceVersion seen (bookmarks included) when a watch ends, relists when that
// version has expired (410 Gone), and reconnects after errors with jittered
// exponential backoff. synced() turns true after the first complete list.
// Handlers run on the reflector's thread: they must be quick (enqueue a key).
// Each object is parsed once, transformed in place, converted to the store's
// element type T (a typed struct, or the JSON itself: kube::Reflector) and
// shared with the store (no copy on the way in); handlers see the store's objects.
// ReflectorBase runs the list and watch loop on JSON; BasicReflector<T> keeps
// the store and calls the handlers.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "kube/api.h"
#include "kube/backoff.h"
#include "kube/store.h"
#include "kube/watch_event.h"

namespace droid::kube {

template <class T>
struct BasicReflectorHandlers {
  std::function<void(const T&)> on_add;
  std::function<void(const T& old_object, const T& new_object)> on_update;
  std::function<void(const T&)> on_delete;
  // An error the reflector recovers from (logged by the caller, counted by tests).
  std::function<void(const std::string&)> on_error;
};
using ReflectorHandlers = BasicReflectorHandlers<nlohmann::json>;

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

// The list-and-watch loop; what becomes of the objects is the subclass's.
class ReflectorBase {
 public:
  // `api`: a kube::Client, or a kube::MemoryApi in unit tests.
  ReflectorBase(Api& api, Resource resource, ReflectorOptions options,
                std::function<void(const std::string&)> on_error);
  virtual ~ReflectorBase();  // a subclass calls stop() in its own destructor
  ReflectorBase(const ReflectorBase&) = delete;
  ReflectorBase& operator=(const ReflectorBase&) = delete;

  void start();
  // Cancels the current request and joins the thread. Idempotent.
  void stop();

  bool synced() const { return synced_.load(); }
  bool wait_for_sync(std::chrono::milliseconds timeout) const;
  std::string last_resource_version() const;
  ReflectorStats stats() const;

 protected:
  // A complete list (transformed): replace the store with it.
  virtual void replace(std::vector<nlohmann::json> items) = 0;
  // An ADDED/MODIFIED (`deleted` false) or DELETED object (transformed).
  virtual void apply(nlohmann::json&& object, bool deleted) = 0;

 private:
  void run();
  void list_and_replace();
  void handle(WatchEvent& event);
  void set_resource_version(const std::string& rv);

  Api& api_;
  Resource resource_;
  ReflectorOptions options_;
  std::function<void(const std::string&)> on_error_;
  CancelToken cancel_;
  std::thread thread_;
  std::atomic<bool> synced_{false};
  mutable std::mutex mu_;
  mutable std::condition_variable synced_cv_;
  std::string resource_version_;
  ReflectorStats stats_;
};

// Converts a transformed object into the store's element type.
template <class T>
using ReflectorConvert = std::function<std::shared_ptr<const T>(nlohmann::json&&)>;

template <class T>
class BasicReflector : public ReflectorBase {
 public:
  // `convert` is required for a typed T; for JSON it defaults to sharing the object.
  BasicReflector(Api& api, Resource resource, ReflectorOptions options, std::shared_ptr<BasicStore<T>> store,
                 BasicReflectorHandlers<T> handlers = {}, ReflectorConvert<T> convert = nullptr)
      : ReflectorBase(api, std::move(resource), std::move(options), handlers.on_error),
        store_(store ? std::move(store) : std::make_shared<BasicStore<T>>()),
        handlers_(std::move(handlers)),
        convert_(std::move(convert)) {
    if constexpr (std::is_same_v<T, nlohmann::json>) {
      if (!convert_) convert_ = [](nlohmann::json&& o) { return share(std::move(o)); };
    }
  }
  ~BasicReflector() override { stop(); }

  BasicStore<T>& store() { return *store_; }

 protected:
  void replace(std::vector<nlohmann::json> items) override {
    std::vector<std::shared_ptr<const T>> converted;
    converted.reserve(items.size());
    for (auto& item : items) converted.push_back(convert_(std::move(item)));
    items.clear();
    auto diff = store_->replace_all(std::move(converted));
    if (handlers_.on_delete)
      for (const auto& o : diff.deleted) handlers_.on_delete(*o);
    if (handlers_.on_add)
      for (const auto& o : diff.added) handlers_.on_add(*o);
    if (handlers_.on_update)
      for (const auto& [old_object, new_object] : diff.updated) handlers_.on_update(*old_object, *new_object);
  }

  void apply(nlohmann::json&& object, bool deleted) override {
    const std::shared_ptr<const T> converted = convert_(std::move(object));
    if (deleted) {
      store_->erase(*converted);
      if (handlers_.on_delete) handlers_.on_delete(*converted);
      return;
    }
    const std::shared_ptr<const T> old = store_->upsert(converted);
    if (old && handlers_.on_update) {
      handlers_.on_update(*old, *converted);
    } else if (!old && handlers_.on_add) {
      handlers_.on_add(*converted);
    }
  }

 private:
  std::shared_ptr<BasicStore<T>> store_;
  BasicReflectorHandlers<T> handlers_;
  ReflectorConvert<T> convert_;
};

extern template class BasicReflector<nlohmann::json>;
using Reflector = BasicReflector<nlohmann::json>;

}  // namespace droid::kube
