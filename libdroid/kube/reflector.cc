#include "kube/reflector.h"

#include <utility>

#include "kube/error.h"

namespace droid::kube {

Reflector::Reflector(Api& api, Resource resource, ReflectorOptions options, std::shared_ptr<Store> store,
                     ReflectorHandlers handlers)
    : api_(api),
      resource_(std::move(resource)),
      options_(std::move(options)),
      store_(store ? std::move(store) : std::make_shared<Store>()),
      handlers_(std::move(handlers)) {}

Reflector::~Reflector() { stop(); }

void Reflector::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { run(); });
}

void Reflector::stop() {
  cancel_.cancel();
  if (thread_.joinable()) thread_.join();
}

bool Reflector::wait_for_sync(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return synced_cv_.wait_for(lock, timeout, [this] { return synced_.load(); });
}

std::string Reflector::last_resource_version() const {
  std::lock_guard lock(mu_);
  return resource_version_;
}

ReflectorStats Reflector::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void Reflector::set_resource_version(const std::string& rv) {
  std::lock_guard lock(mu_);
  resource_version_ = rv;
}

void Reflector::list_and_replace() {
  std::vector<ObjectPtr> items;
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
      items.push_back(share(std::move(item)));
    }
    const auto& md = page["metadata"];
    rv = md.value("resourceVersion", "");
    const std::string next = md.value("continue", "");
    if (next.empty()) break;
    list_options.continue_token = next;
  }
  auto diff = store_->replace_all(std::move(items));
  if (handlers_.on_delete) {
    for (const auto& o : diff.deleted) handlers_.on_delete(*o);
  }
  if (handlers_.on_add) {
    for (const auto& o : diff.added) handlers_.on_add(*o);
  }
  if (handlers_.on_update) {
    for (const auto& [old_object, new_object] : diff.updated) handlers_.on_update(*old_object, *new_object);
  }
  {
    std::lock_guard lock(mu_);
    resource_version_ = rv;
    ++stats_.lists;
    synced_ = true;
  }
  synced_cv_.notify_all();
}

void Reflector::handle(WatchEvent& event) {
  const std::string rv = resource_version_of(event.object);
  const bool object_event = event.type != WatchEvent::Type::Bookmark && event.type != WatchEvent::Type::Error;
  if (object_event && options_.transform) options_.transform(event.object);
  switch (event.type) {
    case WatchEvent::Type::Added:
    case WatchEvent::Type::Modified: {
      const ObjectPtr object = share(std::move(event.object));
      const ObjectPtr old = store_->upsert(object);
      if (old && handlers_.on_update) {
        handlers_.on_update(*old, *object);
      } else if (!old && handlers_.on_add) {
        handlers_.on_add(*object);
      }
      break;
    }
    case WatchEvent::Type::Deleted: {
      store_->erase(event.object);
      if (handlers_.on_delete) handlers_.on_delete(event.object);
      break;
    }
    case WatchEvent::Type::Bookmark: {
      std::lock_guard lock(mu_);
      ++stats_.bookmarks;
      break;
    }
    case WatchEvent::Type::Error: break;  // watch() turns these into results or exceptions
  }
  if (!rv.empty()) set_resource_version(rv);
}

void Reflector::run() {
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
    if (handlers_.on_error) handlers_.on_error(resource_.plural + ": " + error);
    if (cancel_.wait_for(backoff.next())) break;
  }
}

}  // namespace droid::kube
