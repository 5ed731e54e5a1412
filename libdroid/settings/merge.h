// The hierarchical merge of SPEC §4: four levels (org, project, folder, user),
// extension-only. Per field, as the schema's merge rule says (schema.h):
//   First  - the highest level that sets the scalar wins;
//   Strict - a lower level may make the scalar stricter, never looser;
//   Union  - lists are unioned, higher levels' entries first, none removed;
//   Narrow - `models.allowed` is intersected: a lower level may only narrow it;
//   Locked - map keys set higher are locked; lower levels may add keys.
// A denied model therefore stays denied whatever a lower level allows.
// The result records the level that set each field (provenance) and a note
// for every lower-level value that had no effect, saying why.
#pragma once

#include <array>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "settings/level.h"
#include "settings/validate.h"

namespace droid::settings {

struct Merged {
  nlohmann::json settings = nlohmann::json::object();
  // Field path (field_path.h) -> the level that set it, in schema order. Lists
  // and maps have one entry per item or key.
  std::vector<std::pair<std::string, Level>> provenance;
  // Lower-level values that were ignored, each with its reason.
  std::vector<std::string> notes;
  // Combinations that cannot be merged into usable settings (for example
  // allow-lists with nothing in common).
  std::vector<Problem> errors;
  bool ok() const { return errors.empty(); }
};

// Merges the four levels, indexed by Level (org first). Each must be a valid
// settings object (validate() without errors); unknown fields are ignored.
Merged merge(const std::array<nlohmann::json, 4>& levels);

// Provenance as a JSON object {path: level name}, in schema order.
nlohmann::ordered_json provenance_json(const Merged& merged);

}  // namespace droid::settings
