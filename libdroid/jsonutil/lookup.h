// Reading nested fields of JSON documents (Kubernetes objects, settings)
// without exceptions: find(v, {"spec", "runner", "image"}) is the value at
// v.spec.runner.image, or nullptr where a key is missing or null, or where a
// parent is not an object.
#pragma once

#include <initializer_list>
#include <string>

#include <nlohmann/json.hpp>

namespace droid::jsonutil {

inline const nlohmann::json* find(const nlohmann::json& v, std::initializer_list<const char*> keys) {
  const nlohmann::json* at = &v;
  for (const char* key : keys) {
    if (!at->is_object()) return nullptr;
    auto it = at->find(key);
    if (it == at->end() || it->is_null()) return nullptr;
    at = &*it;
  }
  return at;
}

// The string at the path, or "" when there is none (or it is not a string).
inline std::string string_at(const nlohmann::json& v, std::initializer_list<const char*> keys) {
  const nlohmann::json* s = find(v, keys);
  return s != nullptr && s->is_string() ? s->get<std::string>() : std::string();
}

}  // namespace droid::jsonutil
