// Manifests as kubectl droid reads and prints them, with libdroid's YAML
// (yaml/yaml_json.h: YAML 1.2 core-schema typing, quoted scalars stay strings).
// Here a document that is not YAML is the user's mistake: a UsageError.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "yaml/yaml_json.h"

namespace droid::kubectl {

// Throws UsageError naming `origin` (a file name) when the text is not one
// YAML/JSON document.
nlohmann::json parse_document(const std::string& text, const std::string& origin);

using yaml::to_yaml;

}  // namespace droid::kubectl
