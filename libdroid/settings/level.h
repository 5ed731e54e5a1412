// The four settings levels of SPEC §4, highest (most authoritative) first.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace droid::settings {

enum class Level { Org = 0, Project = 1, Folder = 2, User = 3 };

inline constexpr std::array<Level, 4> kLevels = {Level::Org, Level::Project, Level::Folder, Level::User};

// "org", "project", "folder", "user": the names used in provenance and messages.
std::string_view level_name(Level level);
std::optional<Level> parse_level(std::string_view name);

}  // namespace droid::settings
