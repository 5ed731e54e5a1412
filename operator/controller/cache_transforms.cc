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
  if (auto md = pod.find("metadata"); md != pod.end()) {
    keep_only(*md, {"name", "namespace", "uid", "resourceVersion", "creationTimestamp", "deletionTimestamp", "labels",
                    "annotations", "ownerReferences"});
    if (auto owners = md->find("ownerReferences"); owners != md->end() && owners->is_array())
      for (json& owner : *owners) keep_only(owner, {"apiVersion", "kind", "name", "uid", "controller"});
  }
  auto status = pod.find("status");
  if (status == pod.end()) return;
  keep_only(*status, {"phase", "reason", "message", "startTime", "conditions", "containerStatuses"});
  if (auto conditions = status->find("conditions"); conditions != status->end() && conditions->is_array())
    for (json& c : *conditions) keep_only(c, {"type", "status", "reason", "message"});
  if (auto containers = status->find("containerStatuses"); containers != status->end() && containers->is_array())
    for (json& c : *containers) keep_only(c, {"name", "ready", "restartCount", "state", "lastState"});
}

void trim_namespace_for_cache(json& ns) {
  trim_for_cache(ns);
  keep_only(ns, {"apiVersion", "kind", "metadata"});
}

}  // namespace droid::op
