// The autonomy levels of SPEC §4 and §6.2 (settings sessionDefaults.autonomyLevel
// and maxAutonomyLevel, DroidSession spec.autonomyLevel, `--auto`), ordered from
// the strictest: at Off nothing runs without an approval, at High everything the
// lists and the command policy allow does. One enum for the operator, the runner's
// command policy and the settings merge.
#pragma once

#include <optional>
#include <string_view>

namespace droid::settings {

enum class Autonomy { Off = 0, Low = 1, Medium = 2, High = 3 };

// "off", "low", "medium", "high"; nullopt for anything else (no other spelling).
std::optional<Autonomy> parse_autonomy(std::string_view name);
std::string_view autonomy_name(Autonomy level);

}  // namespace droid::settings
