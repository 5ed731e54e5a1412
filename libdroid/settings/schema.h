// The settings schema (SPEC §4): one tree of nodes that says, for every field of
// the settings JSON, its type, its constraints and how it merges across levels.
// Validation, merge, the property tests and the CRD consistency test all walk
// this one tree, so a field is described in exactly one place (schema.cc).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace droid::settings {

enum class Type { Object, Map, Array, String, Boolean, Integer };

// How a field merges across levels (highest level first). Only fields on the
// path from the root down to a merge rule carry one; values below a rule (the
// entries of a locked map, the items of a list) are taken whole.
enum class Merge {
  None,    // below a merge boundary: taken whole with its parent
  Nested,  // an object whose fields merge one by one
  First,   // scalar: the highest level that sets it wins
  Strict,  // scalar with a strictness order: lower levels may only tighten it
  Union,   // array: union across levels, higher levels' entries first
  Narrow,  // array allow-list: lower levels may only remove entries (intersection)
  Locked,  // map: keys set higher are locked; lower levels may add keys
};

struct Node;

struct Property {
  std::string name;
  std::shared_ptr<const Node> node;
  bool required = false;
};

struct Node {
  Type type = Type::String;
  Merge merge = Merge::None;
  std::vector<Property> properties;      // Object: its known fields
  std::shared_ptr<const Node> items;     // Array: item; Map: value
  std::vector<std::string> enum_values;  // String: the allowed values, if any
  // Strict: the values from strictest to loosest.
  std::vector<nlohmann::json> strictness;
  std::size_t min_length = 0;                    // String
  std::size_t min_items = 0;                     // Array
  std::string min_items_hint;                    // Array: what to do instead of an empty list
  std::string pattern;                           // String: a full-match RE2 pattern
  std::string pattern_hint;                      // what the pattern means, for errors
  bool is_regex = false;                         // String: must itself compile as RE2
  std::optional<std::int64_t> minimum, maximum;  // Integer
  // A rule that spans fields of this object; returns the problem, if any, as
  // {relative field path, message}.
  std::function<std::optional<std::pair<std::string, std::string>>(const nlohmann::json&)> rule;

  const Property* find(const std::string& name) const;
};

// The root node: the settings object shared by every level.
const Node& schema();

// The strictness rank of a value of a Strict node: 0 is the strictest.
// Values not in the order rank last.
std::size_t strictness_rank(const Node& node, const nlohmann::json& value);

}  // namespace droid::settings
