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

void trim_namespace_for_cache(json& ns) {
  trim_for_cache(ns);
  keep_only(ns, {"apiVersion", "kind", "metadata"});
}

std::shared_ptr<const CachedSession> cache_session(json&& session) {
  return std::make_shared<const CachedSession>(parse_cached_session(session));
}

std::shared_ptr<const CachedPod> cache_pod(json&& pod) {
  return std::make_shared<const CachedPod>(parse_cached_pod(pod));
}

}  // namespace droid::op
