// The vocabulary of the command policy (SPEC §6.2): risk levels, autonomy
// levels and decisions, with the names used in settings and in
// `droid-runner policy check` output. Risk and decisions are ordered from least
// to most strict; autonomy is the settings' one enum (settings/autonomy.h),
// from the strictest (Off) to the most permissive (High).
#pragma once

#include <string_view>

#include "settings/autonomy.h"

namespace droid::runner::policy {

enum class Risk { Low = 0, Medium = 1, High = 2 };
enum class Decision { Allow = 0, Ask = 1, Deny = 2, Block = 3 };
using settings::Autonomy;
using settings::autonomy_name;
using settings::parse_autonomy;

std::string_view risk_name(Risk r);
std::string_view decision_name(Decision d);

}  // namespace droid::runner::policy
