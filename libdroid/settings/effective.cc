#include "settings/effective.h"

#include <algorithm>

#include "jsonutil/lookup.h"

namespace droid::settings {
namespace {

using json = nlohmann::json;

bool lists(const json* list, std::string_view model) {
  return list != nullptr && list->is_array() &&
         std::any_of(list->begin(), list->end(), [&](const json& e) { return e.is_string() && e == model; });
}

}  // namespace

std::optional<std::string> model_refusal(const json& effective, std::string_view model) {
  if (lists(jsonutil::find(effective, {"models", "denied"}), model))
    return "model \"" + std::string(model) + "\" is denied by models.denied";
  const json* allowed = jsonutil::find(effective, {"models", "allowed"});
  if (allowed != nullptr && !lists(allowed, model))
    return "model \"" + std::string(model) + "\" is not in models.allowed (" + allowed->dump() + ")";
  return std::nullopt;
}

Autonomy max_autonomy(const json& effective) {
  const json* max = jsonutil::find(effective, {"maxAutonomyLevel"});
  if (max == nullptr || !max->is_string()) return Autonomy::High;
  return parse_autonomy(max->get_ref<const std::string&>()).value_or(Autonomy::Off);
}

std::optional<std::string> autonomy_refusal(const json& effective, Autonomy wanted) {
  Autonomy max = max_autonomy(effective);
  if (wanted <= max) return std::nullopt;
  return "autonomy level \"" + std::string(autonomy_name(wanted)) + "\" exceeds maxAutonomyLevel \"" +
         std::string(autonomy_name(max)) + "\"";
}

}  // namespace droid::settings
