// YAML in and out, as kubectl reads and prints objects: parse_document() reads
// one YAML or JSON document into JSON (plain scalars typed as YAML 1.2's core
// schema does: true/false, null, integers, floats; quoted ones stay strings);
// to_yaml() prints JSON as block YAML, quoting the strings that would
// otherwise read back as another type.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace droid::kubectl {

// Throws UsageError naming `origin` (a file name) when the text is not one
// YAML/JSON document.
nlohmann::json parse_document(const std::string& text, const std::string& origin);

std::string to_yaml(const nlohmann::json& value);

}  // namespace droid::kubectl
