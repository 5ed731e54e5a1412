// Questions the operator and the runner ask of merged settings (merge.h):
// whether a model may be used and whether an autonomy level is within the
// maximum. Each answer that is "no" comes with a reason a developer can act on.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "settings/autonomy.h"

namespace droid::settings {

// A model is permitted when no level denies it and, where any level sets
// models.allowed, the merged (narrowed) list names it. Returns the reason it
// is not, or nullopt when it is permitted.
std::optional<std::string> model_refusal(const nlohmann::json& effective, std::string_view model);

// The autonomy ceiling of the merged settings (High where none is set), and the
// reason `wanted` exceeds it, or nullopt when it does not.
Autonomy max_autonomy(const nlohmann::json& effective);
std::optional<std::string> autonomy_refusal(const nlohmann::json& effective, Autonomy wanted);

}  // namespace droid::settings
