// Field paths in the style of Kubernetes error messages: `shield.customPatterns[2].regex`,
// with map keys that are not plain identifiers quoted: `mcpServers["my.server"]`.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace droid::settings {

// The path of field or map key `key` under `parent` (which may be empty).
std::string field_path(std::string_view parent, std::string_view key);

// The path of item `index` of the list at `parent`.
std::string item_path(std::string_view parent, std::size_t index);

}  // namespace droid::settings
