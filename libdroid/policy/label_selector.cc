#include "policy/label_selector.h"

#include <algorithm>

namespace droid::policy {
namespace {

using json = nlohmann::json;

bool has_value(const json& values, const std::string& v) {
  return values.is_array() && std::any_of(values.begin(), values.end(), [&](const json& e) { return e == v; });
}

bool expression_matches(const json& e, const Labels& labels) {
  if (!e.is_object() || !e.contains("key") || !e["key"].is_string()) return false;
  const auto it = labels.find(e["key"].get<std::string>());
  const std::string op = e.value("operator", "");
  const json values = e.value("values", json::array());
  if (op == "In") return !values.empty() && it != labels.end() && has_value(values, it->second);
  if (op == "NotIn") return !values.empty() && (it == labels.end() || !has_value(values, it->second));
  if (op == "Exists") return values.empty() && it != labels.end();
  if (op == "DoesNotExist") return values.empty() && it == labels.end();
  return false;
}

}  // namespace

bool selector_matches(const json& selector, const Labels& labels) {
  if (selector.is_null()) return true;
  if (!selector.is_object()) return false;
  if (auto ml = selector.find("matchLabels"); ml != selector.end()) {
    if (!ml->is_object()) return false;
    for (const auto& [key, value] : ml->items()) {
      auto it = labels.find(key);
      if (it == labels.end() || !value.is_string() || it->second != value.get<std::string>()) return false;
    }
  }
  if (auto me = selector.find("matchExpressions"); me != selector.end()) {
    if (!me->is_array()) return false;
    for (const auto& e : *me)
      if (!expression_matches(e, labels)) return false;
  }
  return true;
}

}  // namespace droid::policy
