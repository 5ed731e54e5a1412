#include "controller/caches.h"

namespace droid::op {

std::vector<policy::OrgPolicy> Caches::org_policies() const {
  std::vector<policy::OrgPolicy> out;
  for (const auto& p : policies->list()) {
    const auto& meta = p->value("metadata", nlohmann::json::object());
    out.push_back({meta.value("name", ""), p->value("spec", nlohmann::json::object())});
  }
  return out;
}

policy::Labels Caches::namespace_labels(const std::string& ns) const {
  policy::Labels labels;
  auto obj = namespaces->get(ns);
  if (!obj) return labels;
  const auto& meta = obj->value("metadata", nlohmann::json::object());
  const auto& l = meta.value("labels", nlohmann::json::object());
  for (const auto& [k, v] : l.items())
    if (v.is_string()) labels[k] = v.get<std::string>();
  return labels;
}

}  // namespace droid::op
