#include "kube/store.h"

#include <utility>

namespace droid::kube {

namespace {
std::string metadata_string(const nlohmann::json& object, const char* field) {
  if (!object.is_object()) return "";
  auto md = object.find("metadata");
  if (md == object.end() || !md->is_object()) return "";
  auto it = md->find(field);
  return it != md->end() && it->is_string() ? it->get<std::string>() : "";
}
}  // namespace

std::string object_key(const nlohmann::json& object) {
  const std::string ns = metadata_string(object, "namespace");
  const std::string name = metadata_string(object, "name");
  return ns.empty() ? name : ns + "/" + name;
}

std::string resource_version_of(const nlohmann::json& object) { return metadata_string(object, "resourceVersion"); }

ObjectPtr Store::upsert(ObjectPtr object) {
  std::string key = object_key(*object);
  std::lock_guard lock(mu_);
  ObjectPtr& slot = objects_[std::move(key)];
  std::swap(slot, object);
  return object;  // the previous one, or nullptr
}

ObjectPtr Store::erase(const nlohmann::json& object) {
  std::lock_guard lock(mu_);
  auto it = objects_.find(object_key(object));
  if (it == objects_.end()) return nullptr;
  ObjectPtr old = std::move(it->second);
  objects_.erase(it);
  return old;
}

Store::Diff Store::replace_all(std::vector<ObjectPtr> objects) {
  std::map<std::string, ObjectPtr> fresh;
  for (auto& o : objects) {
    std::string key = object_key(*o);
    fresh[std::move(key)] = std::move(o);
  }
  Diff diff;
  std::lock_guard lock(mu_);
  for (auto& [key, old] : objects_) {
    auto it = fresh.find(key);
    if (it == fresh.end()) {
      diff.deleted.push_back(std::move(old));
    } else if (resource_version_of(*it->second) != resource_version_of(*old)) {
      diff.updated.emplace_back(std::move(old), it->second);
    }
  }
  for (const auto& [key, o] : fresh) {
    if (objects_.find(key) == objects_.end()) diff.added.push_back(o);
  }
  objects_ = std::move(fresh);
  return diff;
}

Store::Diff Store::replace_all(const std::vector<nlohmann::json>& objects) {
  std::vector<ObjectPtr> shared;
  shared.reserve(objects.size());
  for (const auto& o : objects) shared.push_back(share(o));
  return replace_all(std::move(shared));
}

ObjectPtr Store::get(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = objects_.find(key);
  return it == objects_.end() ? nullptr : it->second;
}

void Store::visit(const std::function<void(const nlohmann::json&)>& fn) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [key, obj] : objects_) fn(*obj);
}

std::vector<ObjectPtr> Store::list_namespace(const std::string& ns) const {
  const std::string prefix = ns + "/";
  std::vector<ObjectPtr> out;
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = objects_.lower_bound(prefix); it != objects_.end() && it->first.compare(0, prefix.size(), prefix) == 0;
       ++it)
    out.push_back(it->second);
  return out;
}

std::vector<ObjectPtr> Store::list() const {
  std::lock_guard lock(mu_);
  std::vector<ObjectPtr> out;
  out.reserve(objects_.size());
  for (const auto& [key, o] : objects_) out.push_back(o);
  return out;
}

std::vector<std::string> Store::keys() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  out.reserve(objects_.size());
  for (const auto& [key, o] : objects_) out.push_back(key);
  return out;
}

std::size_t Store::size() const {
  std::lock_guard lock(mu_);
  return objects_.size();
}

}  // namespace droid::kube
