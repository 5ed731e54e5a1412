#include "kube/store.h"

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

template class BasicStore<nlohmann::json>;

}  // namespace droid::kube
