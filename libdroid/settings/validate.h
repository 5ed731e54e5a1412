// Validation of one level's settings JSON against the schema (schema.h).
// Every problem names the field by its path and says what is expected, e.g.
//   shield.mode: must be one of "block", "redact" (got "blok")
// Unknown fields are warnings, not errors, so that `.factory/settings.json`
// files with keys this product does not use still load; a warning suggests the
// known field a typo was probably meant to be. Callers that want no unknown
// fields (`--strict`) treat warnings as errors.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace droid::settings {

struct Problem {
  std::string path;         // empty for the whole document
  std::string message;      // what is wrong and what is expected
  std::string str() const;  // "path: message"
};

struct Validation {
  std::vector<Problem> errors;
  std::vector<Problem> warnings;  // unknown fields
  bool ok() const { return errors.empty(); }
};

Validation validate(const nlohmann::json& settings);

// Returns `settings` without the fields the schema does not know (the ones
// validate() warned about), so that they never reach the merge.
nlohmann::json without_unknown_fields(const nlohmann::json& settings);

}  // namespace droid::settings
