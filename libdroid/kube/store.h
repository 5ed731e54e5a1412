// A thread-safe in-memory cache of one resource type, keyed "namespace/name"
// (or "name" for cluster-scoped objects), filled by a Reflector. Readers get
// copies; the store remembers the resourceVersion it is current at.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace droid::kube {

// "namespace/name", or "name" when the object has no namespace.
std::string object_key(const nlohmann::json& object);
std::string resource_version_of(const nlohmann::json& object);

class Store {
 public:
  // What changed when the store was replaced by a fresh list.
  struct Diff {
    std::vector<nlohmann::json> added;
    std::vector<std::pair<nlohmann::json, nlohmann::json>> updated;  // (old, new), resourceVersion differs
    std::vector<nlohmann::json> deleted;
  };

  // Inserts or replaces; returns the previous object if there was one.
  std::optional<nlohmann::json> upsert(const nlohmann::json& object);
  // Removes by the object's key; returns the removed object if there was one.
  std::optional<nlohmann::json> erase(const nlohmann::json& object);
  Diff replace_all(const std::vector<nlohmann::json>& objects);

  std::optional<nlohmann::json> get(const std::string& key) const;
  std::vector<nlohmann::json> list() const;
  // The objects of one namespace (keys "ns/..."), without copying the others.
  std::vector<nlohmann::json> list_namespace(const std::string& ns) const;
  // Calls `fn` on every object without copying, under the store's lock: `fn`
  // must be quick and must not call back into the store.
  void visit(const std::function<void(const nlohmann::json&)>& fn) const;
  std::vector<std::string> keys() const;
  std::size_t size() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, nlohmann::json> objects_;
};

}  // namespace droid::kube
