#include "settings/settings_gen.h"

#include <string>
#include <vector>

#include "settings/schema.h"

namespace droid::settings::testing {
namespace {

using json = nlohmann::json;

const std::vector<std::string> kWords = {"a", "b", "gpt-5", "claude-sonnet-4", "git push", "rm -rf /"};
const std::vector<std::string> kKeys = {"a", "b", "git", "local.llama"};
const std::vector<std::string> kNames = {"p1", "acme-token", "x_y"};
const std::vector<std::string> kRegexes = {"acme_[a-z]+", "[0-9]{4}", "secret"};

json pick(const Node& node);

json pick_string(const Node& node) {
  if (!node.enum_values.empty()) return *rc::gen::elementOf(node.enum_values);
  if (node.is_regex) return *rc::gen::elementOf(kRegexes);
  if (!node.pattern.empty()) return *rc::gen::elementOf(kNames);
  return *rc::gen::elementOf(kWords);
}

json pick_object(const Node& node) {
  json out = json::object();
  // Fields that merge are set or not at random; values below a merge rule are
  // generated complete, so that cross-field rules always hold.
  const bool optional_fields = node.merge == Merge::Nested;
  for (const auto& p : node.properties)
    if (p.required || !optional_fields || *rc::gen::arbitrary<bool>()) out[p.name] = pick(*p.node);
  return out;
}

json pick(const Node& node) {
  switch (node.type) {
    case Type::Object: return pick_object(node);
    case Type::Map: {
      json out = json::object();
      const auto n = *rc::gen::inRange<std::size_t>(0, 4);
      for (std::size_t i = 0; i < n; ++i) out[*rc::gen::elementOf(kKeys)] = pick(*node.items);
      return out;
    }
    case Type::Array: {
      json out = json::array();
      const auto n = *rc::gen::inRange<std::size_t>(node.min_items, 4);
      for (std::size_t i = 0; i < n; ++i) out.push_back(pick(*node.items));
      return out;
    }
    case Type::String: return pick_string(node);
    case Type::Boolean: return *rc::gen::arbitrary<bool>();
    case Type::Integer: {
      const std::int64_t lo = node.minimum.value_or(0);
      return *rc::gen::inRange<std::int64_t>(lo, node.maximum.value_or(lo + 100) + 1);
    }
  }
  return nullptr;
}

}  // namespace

rc::Gen<json> gen_settings() {
  return rc::gen::exec([] { return pick(schema()); });
}

}  // namespace droid::settings::testing
