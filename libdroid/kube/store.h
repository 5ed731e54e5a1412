// A thread-safe in-memory cache of one resource type, keyed "namespace/name"
// (or "name" for cluster-scoped objects), filled by a Reflector. Objects are
// shared and immutable: the store hands out shared_ptr<const json> (no copy per
// read); an update replaces the pointer, so a reader keeps the version it got
// for as long as it holds it.
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

class Store {
 public:
  // What changed when the store was replaced by a fresh list.
  struct Diff {
    std::vector<ObjectPtr> added;
    std::vector<std::pair<ObjectPtr, ObjectPtr>> updated;  // (old, new), resourceVersion differs
    std::vector<ObjectPtr> deleted;
  };

  // Inserts or replaces; returns the previous object (nullptr when there was none).
  ObjectPtr upsert(ObjectPtr object);
  ObjectPtr upsert(nlohmann::json object) { return upsert(share(std::move(object))); }
  // Removes by the object's key; returns the removed object (nullptr when there was none).
  ObjectPtr erase(const nlohmann::json& object);
  Diff replace_all(std::vector<ObjectPtr> objects);
  Diff replace_all(const std::vector<nlohmann::json>& objects);

  // nullptr when the key is not cached.
  ObjectPtr get(const std::string& key) const;
  std::vector<ObjectPtr> list() const;
  // The objects of one namespace (keys "ns/..."), without touching the others.
  std::vector<ObjectPtr> list_namespace(const std::string& ns) const;
  // Calls `fn` on every object under the store's lock: `fn` must be quick and
  // must not call back into the store.
  void visit(const std::function<void(const nlohmann::json&)>& fn) const;
  std::vector<std::string> keys() const;
  std::size_t size() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, ObjectPtr> objects_;
};

}  // namespace droid::kube
