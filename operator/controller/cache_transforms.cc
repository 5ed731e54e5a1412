#include "controller/cache_transforms.h"

namespace droid::op {
namespace {

using json = nlohmann::json;

void keep_only(json& object, std::initializer_list<const char*> keys) {
  if (!object.is_object()) return;
  json kept = json::object();
  for (const char* key : keys)
    if (auto it = object.find(key); it != object.end()) kept[key] = std::move(*it);
  object = std::move(kept);
}

}  // namespace

void trim_for_cache(json& object) {
  auto md = object.find("metadata");
  if (md == object.end() || !md->is_object()) return;
  md->erase("managedFields");
  if (auto annotations = md->find("annotations"); annotations != md->end() && annotations->is_object()) {
    annotations->erase(kLastAppliedAnnotation);
    if (annotations->empty()) md->erase("annotations");
  }
}

void trim_pod_for_cache(json& pod) {
  trim_for_cache(pod);
  keep_only(pod, {"apiVersion", "kind", "metadata", "status"});
}

void trim_namespace_for_cache(json& ns) {
  trim_for_cache(ns);
  keep_only(ns, {"apiVersion", "kind", "metadata"});
}

}  // namespace droid::op
