// The vocabulary of the command policy (SPEC §6.2): risk levels, autonomy
// levels and decisions, each ordered from least to most strict, with the
// names used in settings and in `droid-runner policy check` output.
#pragma once

#include <optional>
#include <string_view>

namespace droid::runner::policy {

enum class Risk { Low = 0, Medium = 1, High = 2 };
enum class Autonomy { Off = 0, Low = 1, Medium = 2, High = 3 };
enum class Decision { Allow = 0, Ask = 1, Deny = 2, Block = 3 };

std::string_view risk_name(Risk r);
std::string_view decision_name(Decision d);
std::string_view autonomy_name(Autonomy a);
std::optional<Autonomy> parse_autonomy(std::string_view name);

}  // namespace droid::runner::policy
