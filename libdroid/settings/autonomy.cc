#include "settings/autonomy.h"

#include <array>
#include <cstddef>

namespace droid::settings {
namespace {

constexpr std::array<std::string_view, 4> kAutonomyNames = {"off", "low", "medium", "high"};

}  // namespace

std::optional<Autonomy> parse_autonomy(std::string_view name) {
  for (std::size_t i = 0; i < kAutonomyNames.size(); ++i)
    if (kAutonomyNames[i] == name) return static_cast<Autonomy>(i);
  return std::nullopt;
}

std::string_view autonomy_name(Autonomy level) {
  const auto i = static_cast<std::size_t>(level);
  return i < kAutonomyNames.size() ? kAutonomyNames[i] : "off";
}

}  // namespace droid::settings
