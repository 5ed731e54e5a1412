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
// merge_levels() applies the same rules to any number of named levels: the org
// level itself is several OrgPolicies merged in priority order.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "settings/level.h"
#include "settings/validate.h"

namespace droid::settings {

struct Merged {
  nlohmann::json settings = nlohmann::json::object();
  // The names of the merged levels, highest first ("org", "project", ...).
  std::vector<std::string> level_names;
  // Field path (field_path.h) -> index of the level that set it, in schema
  // order. Lists and maps have one entry per item or key.
  std::vector<std::pair<std::string, std::size_t>> provenance;
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

// Merges any number of levels, highest first; `names` (one per level) name
// them in provenance and notes.
Merged merge_levels(const std::vector<nlohmann::json>& levels, const std::vector<std::string>& names);

// Provenance as a JSON object {path: level name}, in schema order.
nlohmann::ordered_json provenance_json(const Merged& merged);

}  // namespace droid::settings
