#include "settings/schema.h"

#include <algorithm>

namespace droid::settings {
namespace {

using json = nlohmann::json;
using NodePtr = std::shared_ptr<const Node>;
using RuleResult = std::optional<std::pair<std::string, std::string>>;

// The values of autonomy levels and of reasoning effort.
const std::vector<std::string> kOffToHigh = {"off", "low", "medium", "high"};
const std::vector<std::string> kHookEvents = {"SessionStart", "UserPromptSubmit", "PreToolUse", "PostToolUse",
                                              "Stop",         "SessionEnd"};

NodePtr make(Node n) { return std::make_shared<const Node>(std::move(n)); }

NodePtr string_node(std::size_t min_length = 0, Merge merge = Merge::None) {
  Node n;
  n.type = Type::String;
  n.min_length = min_length;
  n.merge = merge;
  return make(std::move(n));
}

NodePtr enum_node(std::vector<std::string> values, Merge merge = Merge::None) {
  Node n;
  n.type = Type::String;
  n.enum_values = std::move(values);
  n.merge = merge;
  return make(std::move(n));
}

NodePtr bool_node(Merge merge = Merge::None) {
  Node n;
  n.type = Type::Boolean;
  n.merge = merge;
  return make(std::move(n));
}

NodePtr int_node(std::int64_t minimum, std::optional<std::int64_t> maximum = std::nullopt) {
  Node n;
  n.type = Type::Integer;
  n.minimum = minimum;
  n.maximum = maximum;
  return make(std::move(n));
}

NodePtr array_of(NodePtr item, Merge merge = Merge::None) {
  Node n;
  n.type = Type::Array;
  n.items = std::move(item);
  n.merge = merge;
  return make(std::move(n));
}

NodePtr map_of(NodePtr value, Merge merge = Merge::None) {
  Node n;
  n.type = Type::Map;
  n.items = std::move(value);
  n.merge = merge;
  return make(std::move(n));
}

NodePtr object(std::vector<Property> properties, Merge merge = Merge::None) {
  Node n;
  n.type = Type::Object;
  n.properties = std::move(properties);
  n.merge = merge;
  return make(std::move(n));
}

NodePtr strict(const NodePtr& base, std::vector<json> strictest_first) {
  Node n = *base;
  n.merge = Merge::Strict;
  n.strictness = std::move(strictest_first);
  return make(std::move(n));
}

bool has_string(const json& v, const char* key) {
  auto it = v.find(key);
  return it != v.end() && it->is_string() && !it->get_ref<const std::string&>().empty();
}

// Mirrors the CEL rules of the CRDs: a command hook needs a command, an HTTP hook a URL.
RuleResult hook_rule(const json& v) {
  const std::string type = v.value("type", "");
  if (type == "command" && !has_string(v, "command"))
    return std::pair{"command", "is required when type is \"command\""};
  if (type == "http" && !has_string(v, "url")) return std::pair{"url", "is required when type is \"http\""};
  return std::nullopt;
}

RuleResult mcp_rule(const json& v) {
  const std::string type = v.value("type", "stdio");
  if (type == "stdio" && !has_string(v, "command"))
    return std::pair{"command", "is required when type is \"stdio\" (the default)"};
  if ((type == "http" || type == "sse") && !has_string(v, "url"))
    return std::pair{"url", "is required when type is \"" + type + "\""};
  return std::nullopt;
}

NodePtr hook_group() {
  Node hook = *object({
      {"type", enum_node({"command", "http"}), true},
      {"command", string_node(1)},
      {"url", string_node(1)},
      {"timeout", int_node(1, 600)},
      {"headers", map_of(string_node())},
  });
  hook.rule = hook_rule;
  return object({
      {"matcher", string_node()},
      {"hooks", array_of(make(std::move(hook))), true},
  });
}

// An empty allow-list would read as "no model", which nobody means: refuse it.
NodePtr allowed_models() {
  Node n = *array_of(string_node(1), Merge::Narrow);
  n.min_items = 1;
  n.min_items_hint = "omit models.allowed to allow every model that is not denied";
  return make(std::move(n));
}

NodePtr build_schema() {
  Node pattern_name = *string_node(1);
  pattern_name.pattern = "[a-z0-9][a-z0-9_-]*";
  pattern_name.pattern_hint = "lower-case letters, digits, '-' and '_', starting with a letter or digit";
  Node regex = *string_node(1);
  regex.is_regex = true;

  Node mcp = *object({
      {"type", enum_node({"stdio", "http", "sse"})},
      {"command", string_node(1)},
      {"args", array_of(string_node())},
      {"env", map_of(string_node())},
      {"url", string_node(1)},
      {"headers", map_of(string_node())},
  });
  mcp.rule = mcp_rule;

  std::vector<Property> hook_events;
  hook_events.reserve(kHookEvents.size());
  for (const auto& event : kHookEvents) hook_events.push_back({event, array_of(hook_group(), Merge::Union)});

  return object(
      {
          {"sessionDefaults", object({{"model", string_node(1, Merge::First)},
                                      {"autonomyLevel", enum_node(kOffToHigh, Merge::First)},
                                      {"reasoningEffort", enum_node(kOffToHigh, Merge::First)}},
                                     Merge::Nested)},
          {"maxAutonomyLevel", strict(enum_node(kOffToHigh), {"off", "low", "medium", "high"})},
          {"models",
           object({{"allowed", allowed_models()}, {"denied", array_of(string_node(1), Merge::Union)}}, Merge::Nested)},
          {"customModels",
           map_of(object({{"provider", enum_node({"openai", "anthropic", "generic-chat-completion-api"}), true},
                          {"baseUrl", string_node(1), true},
                          {"model", string_node(1), true},
                          {"displayName", string_node()},
                          {"maxOutputTokens", int_node(1)}}),
                  Merge::Locked)},
          {"byokAllowed", strict(bool_node(), {false, true})},
          {"commandAllowlist", array_of(string_node(1), Merge::Union)},
          {"commandDenylist", array_of(string_node(1), Merge::Union)},
          {"commandBlocklist", array_of(string_node(1), Merge::Union)},
          {"shield", object({{"enabled", strict(bool_node(), {true, false})},
                             {"mode", strict(enum_node({"block", "redact"}), {"block", "redact"})},
                             {"customPatterns", array_of(object({{"name", make(std::move(pattern_name)), true},
                                                                 {"regex", make(std::move(regex)), true},
                                                                 {"description", string_node()},
                                                                 {"keywords", array_of(string_node(1))}}),
                                                         Merge::Union)}},
                            Merge::Nested)},
          {"hooks", object(std::move(hook_events), Merge::Nested)},
          {"mcpServers", map_of(make(std::move(mcp)), Merge::Locked)},
          {"rules", array_of(string_node(1), Merge::Union)},
          {"telemetry", object({{"enabled", strict(bool_node(), {true, false})},
                                {"endpoint", string_node(1, Merge::First)},
                                {"resourceAttributes", map_of(string_node(), Merge::Locked)}},
                               Merge::Nested)},
      },
      Merge::Nested);
}

}  // namespace

const Property* Node::find(const std::string& name) const {
  for (const auto& p : properties)
    if (p.name == name) return &p;
  return nullptr;
}

const Node& schema() {
  static const NodePtr root = build_schema();
  return *root;
}

std::size_t strictness_rank(const Node& node, const json& value) {
  auto it = std::find(node.strictness.begin(), node.strictness.end(), value);
  return static_cast<std::size_t>(it - node.strictness.begin());
}

}  // namespace droid::settings
