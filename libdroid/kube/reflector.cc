#include "kube/reflector.h"

#include <utility>

#include "kube/error.h"

namespace droid::kube {

using json = nlohmann::json;

ReflectorBase::ReflectorBase(Api& api, Resource resource, ReflectorOptions options,
                             std::function<void(const std::string&)> on_error)
    : api_(api), resource_(std::move(resource)), options_(std::move(options)), on_error_(std::move(on_error)) {}

ReflectorBase::~ReflectorBase() { stop(); }

void ReflectorBase::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { run(); });
}

void ReflectorBase::stop() {
  cancel_.cancel();
  if (thread_.joinable()) thread_.join();
}

bool ReflectorBase::wait_for_sync(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return synced_cv_.wait_for(lock, timeout, [this] { return synced_.load(); });
}

std::string ReflectorBase::last_resource_version() const {
  std::lock_guard lock(mu_);
  return resource_version_;
}

ReflectorStats ReflectorBase::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void ReflectorBase::set_resource_version(const std::string& rv) {
  std::lock_guard lock(mu_);
  resource_version_ = rv;
}

void ReflectorBase::list_and_replace() {
  std::vector<json> items;
  ListOptions list_options;
  list_options.label_selector = options_.label_selector;
  list_options.field_selector = options_.field_selector;
  list_options.limit = options_.page_size;
  std::string rv;
  for (;;) {
    auto page = api_.list(resource_, options_.namespace_name, list_options);
    // List items carry no apiVersion/kind: restore them so that handlers see whole objects.
    std::string api_version = page.value("apiVersion", "");
    std::string kind = page.value("kind", "");
    if (kind.size() > 4 && kind.compare(kind.size() - 4, 4, "List") == 0) kind.resize(kind.size() - 4);
    for (auto& item : page["items"]) {
      if (!item.contains("apiVersion")) item["apiVersion"] = api_version;
      if (!item.contains("kind")) item["kind"] = kind;
      if (options_.transform) options_.transform(item);
      items.push_back(std::move(item));
    }
    const auto& md = page["metadata"];
    rv = md.value("resourceVersion", "");
    const std::string next = md.value("continue", "");
    if (next.empty()) break;
    list_options.continue_token = next;
  }
  replace(std::move(items));
  {
    std::lock_guard lock(mu_);
    resource_version_ = rv;
    ++stats_.lists;
    synced_ = true;
  }
  synced_cv_.notify_all();
}

void ReflectorBase::handle(WatchEvent& event) {
  const std::string rv = resource_version_of(event.object);
  const bool object_event = event.type != WatchEvent::Type::Bookmark && event.type != WatchEvent::Type::Error;
  if (object_event && options_.transform) options_.transform(event.object);
  switch (event.type) {
    case WatchEvent::Type::Added:
    case WatchEvent::Type::Modified: apply(std::move(event.object), false); break;
    case WatchEvent::Type::Deleted: apply(std::move(event.object), true); break;
    case WatchEvent::Type::Bookmark: {
      std::lock_guard lock(mu_);
      ++stats_.bookmarks;
      break;
    }
    case WatchEvent::Type::Error: break;  // watch() turns these into results or exceptions
  }
  if (!rv.empty()) set_resource_version(rv);
}

void ReflectorBase::run() {
  Backoff backoff(options_.backoff);
  bool need_list = true;
  while (!cancel_.cancelled()) {
    std::string error;
    try {
      if (need_list) {
        list_and_replace();
        need_list = false;
      }
      WatchOptions watch_options;
      watch_options.namespace_name = options_.namespace_name;
      watch_options.label_selector = options_.label_selector;
      watch_options.field_selector = options_.field_selector;
      watch_options.resource_version = last_resource_version();
      watch_options.timeout = options_.watch_timeout;
      {
        std::lock_guard lock(mu_);
        ++stats_.watches;
      }
      const auto started = std::chrono::steady_clock::now();
      auto result = api_.watch(
          resource_, watch_options, [this](WatchEvent& e) { handle(e); }, cancel_);
      if (result.end == WatchResult::End::Expired) {
        std::lock_guard lock(mu_);
        ++stats_.expired;
        need_list = true;  // relist at once: the 410 is an answer, not a failure
        continue;
      }
      if (result.end == WatchResult::End::Cancelled) break;
      // A normal end (the server's timeout): resume from the last resourceVersion. A
      // stream closed at once without events is treated as a failure, not spun on.
      if (result.events > 0 || std::chrono::steady_clock::now() - started > std::chrono::seconds(1)) {
        backoff.reset();
        continue;
      }
      error = "the watch ended at once without events";
    } catch (const ApiError& e) {
      if (e.gone()) {  // an expired continue token or resourceVersion while listing
        std::lock_guard lock(mu_);
        ++stats_.expired;
        need_list = true;
        continue;
      }
      error = e.what();
    } catch (const std::exception& e) {
      error = e.what();
    }
    if (cancel_.cancelled()) break;
    {
      std::lock_guard lock(mu_);
      ++stats_.errors;
    }
    if (on_error_) on_error_(resource_.plural + ": " + error);
    if (cancel_.wait_for(backoff.next())) break;
  }
}

template class BasicReflector<nlohmann::json>;

}  // namespace droid::kube
