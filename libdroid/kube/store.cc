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

std::optional<nlohmann::json> Store::upsert(const nlohmann::json& object) {
  std::lock_guard lock(mu_);
  auto [it, inserted] = objects_.try_emplace(object_key(object), object);
  if (inserted) return std::nullopt;
  std::optional<nlohmann::json> old = std::move(it->second);
  it->second = object;
  return old;
}

std::optional<nlohmann::json> Store::erase(const nlohmann::json& object) {
  std::lock_guard lock(mu_);
  auto it = objects_.find(object_key(object));
  if (it == objects_.end()) return std::nullopt;
  std::optional<nlohmann::json> old = std::move(it->second);
  objects_.erase(it);
  return old;
}

Store::Diff Store::replace_all(const std::vector<nlohmann::json>& objects) {
  std::map<std::string, nlohmann::json> fresh;
  for (const auto& o : objects) fresh[object_key(o)] = o;
  Diff diff;
  std::lock_guard lock(mu_);
  for (auto& [key, old] : objects_) {
    auto it = fresh.find(key);
    if (it == fresh.end()) {
      diff.deleted.push_back(std::move(old));
    } else if (resource_version_of(it->second) != resource_version_of(old)) {
      diff.updated.emplace_back(std::move(old), it->second);
    }
  }
  for (const auto& [key, o] : fresh) {
    if (objects_.find(key) == objects_.end()) diff.added.push_back(o);
  }
  objects_ = std::move(fresh);
  return diff;
}

std::optional<nlohmann::json> Store::get(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = objects_.find(key);
  if (it == objects_.end()) return std::nullopt;
  return it->second;
}

void Store::visit(const std::function<void(const nlohmann::json&)>& fn) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [key, obj] : objects_) fn(obj);
}

std::vector<nlohmann::json> Store::list_namespace(const std::string& ns) const {
  const std::string prefix = ns + "/";
  std::vector<nlohmann::json> out;
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = objects_.lower_bound(prefix); it != objects_.end() && it->first.compare(0, prefix.size(), prefix) == 0;
       ++it)
    out.push_back(it->second);
  return out;
}

std::vector<nlohmann::json> Store::list() const {
  std::lock_guard lock(mu_);
  std::vector<nlohmann::json> out;
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
