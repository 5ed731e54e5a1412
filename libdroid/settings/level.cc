#include "settings/level.h"

namespace droid::settings {

std::string_view level_name(Level level) {
  switch (level) {
    case Level::Org: return "org";
    case Level::Project: return "project";
    case Level::Folder: return "folder";
    case Level::User: return "user";
  }
  return "unknown";
}

std::optional<Level> parse_level(std::string_view name) {
  for (Level level : kLevels)
    if (level_name(level) == name) return level;
  return std::nullopt;
}

}  // namespace droid::settings
