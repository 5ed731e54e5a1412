// A thread-safe in-memory cache of one resource type, keyed "namespace/name"
// (or "name" for cluster-scoped objects), filled by a Reflector. Objects are
// shared and immutable: the store hands out shared_ptr<const T> (no copy per
// read); an update replaces the pointer, so a reader keeps the version it got
// for as long as it holds it.
//
// T is the cached form of the object: nlohmann::json (kube::Store), or a typed
// struct parsed once as the object enters the cache (much smaller than a JSON
// tree). A typed T tells its key and resourceVersion through CacheTraits: by
// default its members `std::string key() const` and
// `const std::string& resource_version() const`.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace droid::kube {

using ObjectPtr = std::shared_ptr<const nlohmann::json>;

// "namespace/name", or "name" when the object has no namespace.
std::string object_key(const nlohmann::json& object);
std::string resource_version_of(const nlohmann::json& object);

// Shares `object` (moved, not copied) as an immutable cached object.
inline ObjectPtr share(nlohmann::json object) { return std::make_shared<const nlohmann::json>(std::move(object)); }

template <class T>
struct CacheTraits {
  static std::string key(const T& object) { return object.key(); }
  static std::string resource_version(const T& object) { return object.resource_version(); }
};

template <>
struct CacheTraits<nlohmann::json> {
  static std::string key(const nlohmann::json& object) { return object_key(object); }
  static std::string resource_version(const nlohmann::json& object) { return resource_version_of(object); }
};

template <class T>
class BasicStore {
 public:
  using Ptr = std::shared_ptr<const T>;
  // What changed when the store was replaced by a fresh list.
  struct Diff {
    std::vector<Ptr> added;
    std::vector<std::pair<Ptr, Ptr>> updated;  // (old, new), resourceVersion differs
    std::vector<Ptr> deleted;
  };

  // Inserts or replaces; returns the previous object (nullptr when there was none).
  Ptr upsert(Ptr object) {
    std::string key = CacheTraits<T>::key(*object);
    std::lock_guard lock(mu_);
    Ptr& slot = objects_[std::move(key)];
    std::swap(slot, object);
    return object;  // the previous one, or nullptr
  }
  Ptr upsert(T object) { return upsert(std::make_shared<const T>(std::move(object))); }
  // A writer's own result (write-through): replaces the cached object only while
  // the cache still holds the version the write was made from (`from_version`),
  // so it never overwrites anything newer. The watch event of the same write
  // then changes nothing. False when the cache moved on or lost the object.
  bool replace_if_current(Ptr object, const std::string& from_version) {
    std::string key = CacheTraits<T>::key(*object);
    std::lock_guard lock(mu_);
    auto it = objects_.find(key);
    if (it == objects_.end() || CacheTraits<T>::resource_version(*it->second) != from_version) return false;
    it->second = std::move(object);
    return true;
  }
  // Removes by key; returns the removed object (nullptr when there was none).
  Ptr erase_key(const std::string& key) {
    std::lock_guard lock(mu_);
    auto it = objects_.find(key);
    if (it == objects_.end()) return nullptr;
    Ptr old = std::move(it->second);
    objects_.erase(it);
    return old;
  }
  Ptr erase(const T& object) { return erase_key(CacheTraits<T>::key(object)); }

  Diff replace_all(std::vector<Ptr> objects) {
    std::map<std::string, Ptr> fresh;
    for (auto& o : objects) {
      std::string key = CacheTraits<T>::key(*o);
      fresh[std::move(key)] = std::move(o);
    }
    Diff diff;
    std::lock_guard lock(mu_);
    for (auto& [key, old] : objects_) {
      auto it = fresh.find(key);
      if (it == fresh.end()) {
        diff.deleted.push_back(std::move(old));
      } else if (CacheTraits<T>::resource_version(*it->second) != CacheTraits<T>::resource_version(*old)) {
        diff.updated.emplace_back(std::move(old), it->second);
      }
    }
    for (const auto& [key, o] : fresh)
      if (objects_.find(key) == objects_.end()) diff.added.push_back(o);
    objects_ = std::move(fresh);
    return diff;
  }
  Diff replace_all(const std::vector<T>& objects) {
    std::vector<Ptr> shared;
    shared.reserve(objects.size());
    for (const auto& o : objects) shared.push_back(std::make_shared<const T>(o));
    return replace_all(std::move(shared));
  }

  // nullptr when the key is not cached.
  Ptr get(const std::string& key) const {
    std::lock_guard lock(mu_);
    auto it = objects_.find(key);
    return it == objects_.end() ? nullptr : it->second;
  }
  std::vector<Ptr> list() const {
    std::lock_guard lock(mu_);
    std::vector<Ptr> out;
    out.reserve(objects_.size());
    for (const auto& [key, o] : objects_) out.push_back(o);
    return out;
  }
  // The objects of one namespace (keys "ns/..."), without touching the others.
  std::vector<Ptr> list_namespace(const std::string& ns) const {
    const std::string prefix = ns + "/";
    std::vector<Ptr> out;
    std::lock_guard lock(mu_);
    for (auto it = objects_.lower_bound(prefix);
         it != objects_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it)
      out.push_back(it->second);
    return out;
  }
  // Calls `fn` on every object under the store's lock: `fn` must be quick and
  // must not call back into the store.
  void visit(const std::function<void(const T&)>& fn) const {
    std::lock_guard lock(mu_);
    for (const auto& [key, obj] : objects_) fn(*obj);
  }
  std::vector<std::string> keys() const {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    out.reserve(objects_.size());
    for (const auto& [key, o] : objects_) out.push_back(key);
    return out;
  }
  std::size_t size() const {
    std::lock_guard lock(mu_);
    return objects_.size();
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, Ptr> objects_;
};

extern template class BasicStore<nlohmann::json>;
using Store = BasicStore<nlohmann::json>;

}  // namespace droid::kube
