#include "settings/validate.h"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>

#include "settings/field_path.h"
#include "settings/schema.h"

namespace droid::settings {
namespace {

using json = nlohmann::json;

const char* type_name(Type t) {
  switch (t) {
    case Type::Object: return "an object";
    case Type::Map: return "an object (a map of names to values)";
    case Type::Array: return "a list";
    case Type::String: return "a string";
    case Type::Boolean: return "a boolean (true or false)";
    case Type::Integer: return "an integer";
  }
  return "a value";
}

const char* json_type_name(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::object: return "an object";
    case json::value_t::array: return "a list";
    case json::value_t::string: return "a string";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "an integer";
    case json::value_t::number_float: return "a number with a fraction";
    default: return "an unsupported value";
  }
}

bool has_type(const json& v, Type t) {
  switch (t) {
    case Type::Object:
    case Type::Map: return v.is_object();
    case Type::Array: return v.is_array();
    case Type::String: return v.is_string();
    case Type::Boolean: return v.is_boolean();
    case Type::Integer: return v.is_number_integer();
  }
  return false;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// The known field an unknown `name` was probably meant to be, if any is close.
std::string suggestion(const Node& node, const std::string& name) {
  std::string best;
  std::size_t best_distance = 3;  // at most two edits, or a difference of case only
  for (const auto& p : node.properties) {
    std::size_t d = lower(p.name) == lower(name) ? 0 : edit_distance(lower(p.name), lower(name));
    if (d < best_distance) {
      best_distance = d;
      best = p.name;
    }
  }
  return best;
}

std::string quoted_list(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "\"" : ", \"") + v + "\"";
  return out;
}

class Validator {
 public:
  explicit Validator(Validation& out) : out_(out) {}

  void check(const Node& node, const json& v, const std::string& path) {
    if (!has_type(v, node.type)) {
      error(path, std::string("must be ") + type_name(node.type) + " (got " + json_type_name(v) + ")");
      return;
    }
    switch (node.type) {
      case Type::Object: check_object(node, v, path); break;
      case Type::Map:
        for (const auto& [key, value] : v.items()) {
          if (key.empty()) error(path, "has an empty key; every entry needs a name");
          check(*node.items, value, field_path(path, key));
        }
        break;
      case Type::Array:
        if (v.size() < node.min_items)
          error(path, "must have at least " + std::to_string(node.min_items) + " entr" +
                          (node.min_items == 1 ? "y" : "ies") + "; " + node.min_items_hint);
        for (std::size_t i = 0; i < v.size(); ++i) check(*node.items, v[i], item_path(path, i));
        break;
      case Type::String: check_string(node, v.get_ref<const std::string&>(), path); break;
      case Type::Integer: check_integer(node, v.get<std::int64_t>(), path); break;
      case Type::Boolean: break;
    }
  }

 private:
  void error(const std::string& path, std::string message) { out_.errors.push_back({path, std::move(message)}); }

  void check_object(const Node& node, const json& v, const std::string& path) {
    for (const auto& [key, value] : v.items()) {
      const Property* p = node.find(key);
      if (p == nullptr) {
        std::string hint = suggestion(node, key);
        out_.warnings.push_back(
            {field_path(path, key), hint.empty() ? "unknown field; it is ignored"
                                                 : "unknown field; it is ignored (did you mean \"" + hint + "\"?)"});
        continue;
      }
      check(*p->node, value, field_path(path, key));
    }
    bool complete = true;
    for (const auto& p : node.properties) {
      if (p.required && !v.contains(p.name)) {
        error(field_path(path, p.name), "is required");
        complete = false;
      }
    }
    if (complete && node.rule) {
      if (auto problem = node.rule(v)) error(field_path(path, problem->first), problem->second);
    }
  }

  void check_string(const Node& node, const std::string& s, const std::string& path) {
    if (s.size() < node.min_length) {
      error(path, node.min_length == 1 ? "must not be empty"
                                       : "must be at least " + std::to_string(node.min_length) + " characters long");
      return;
    }
    if (!node.enum_values.empty() &&
        std::find(node.enum_values.begin(), node.enum_values.end(), s) == node.enum_values.end()) {
      error(path, "must be one of " + quoted_list(node.enum_values) + " (got \"" + s + "\")");
    }
    if (!node.pattern.empty()) {
      RE2 re(node.pattern);
      if (!RE2::FullMatch(s, re)) error(path, "must contain only " + node.pattern_hint + " (got \"" + s + "\")");
    }
    if (node.is_regex) {
      RE2 re(s, RE2::Quiet);
      if (!re.ok()) error(path, "is not a valid regular expression (RE2 syntax): " + re.error());
    }
  }

  void check_integer(const Node& node, std::int64_t n, const std::string& path) {
    if (node.minimum && n < *node.minimum)
      error(path, "must be at least " + std::to_string(*node.minimum) + " (got " + std::to_string(n) + ")");
    if (node.maximum && n > *node.maximum)
      error(path, "must be at most " + std::to_string(*node.maximum) + " (got " + std::to_string(n) + ")");
  }

  Validation& out_;
};

json strip(const Node& node, const json& v) {
  if (!has_type(v, node.type)) return v;
  if (node.type == Type::Object) {
    json out = json::object();
    for (const auto& [key, value] : v.items())
      if (const Property* p = node.find(key)) out[key] = strip(*p->node, value);
    return out;
  }
  if (node.type == Type::Map) {
    json out = json::object();
    for (const auto& [key, value] : v.items()) out[key] = strip(*node.items, value);
    return out;
  }
  if (node.type == Type::Array) {
    json out = json::array();
    for (const auto& item : v) out.push_back(strip(*node.items, item));
    return out;
  }
  return v;
}

}  // namespace

std::string Problem::str() const { return path.empty() ? message : path + ": " + message; }

Validation validate(const json& settings) {
  Validation out;
  Validator(out).check(schema(), settings, "");
  return out;
}

json without_unknown_fields(const json& settings) { return strip(schema(), settings); }

}  // namespace droid::settings
