// Reading one level's settings from a file or a string: JSON syntax errors are
// reported with line and column, schema problems with the field path
// (validate.h), and unknown fields are dropped after a warning.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "settings/validate.h"

namespace droid::settings {

struct Loaded {
  nlohmann::json settings = nlohmann::json::object();  // valid and without unknown fields when ok()
  std::vector<std::string> errors;                     // each starts with the source name
  std::vector<std::string> warnings;                   // each starts with the source name
  bool ok() const { return errors.empty(); }
};

// `source` names the text in messages (a file path, "spec.settings", ...).
Loaded load_settings_text(const std::string& text, const std::string& source);
Loaded load_settings_file(const std::string& path);

}  // namespace droid::settings
