#include "tools/arguments.h"

#include <cmath>
#include <limits>
#include <string_view>

#include "tools/support.h"

namespace droid::runner::tools {
namespace {

using nlohmann::json;

std::string type_of(const json& value) {
  if (value.is_number_integer()) return "an integer";
  if (value.is_number()) return "a number";
  if (value.is_string()) return "a string";
  if (value.is_boolean()) return "a boolean";
  if (value.is_null()) return "null";
  if (value.is_array()) return "an array";
  return "an object";
}

std::string names(const json& properties) {
  std::string out;
  for (const auto& [name, _] : properties.items()) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

// A float with an integral value (the model wrote 10.0) counts as an integer.
bool as_integer(const json& value, std::int64_t& out) {
  if (value.is_number_integer()) {
    if (value.is_number_unsigned() &&
        value.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      return false;
    out = value.get<std::int64_t>();
    return true;
  }
  if (value.is_number_float()) {
    double d = value.get<double>();
    if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) < 9.0e15) {
      out = static_cast<std::int64_t>(d);
      return true;
    }
  }
  return false;
}

void check(const std::string& name, const json& value, const json& schema) {
  std::string type = schema.value("type", "");
  if (type == "string") {
    if (!value.is_string()) throw ToolError(name + ": expected a string, got " + type_of(value));
  } else if (type == "boolean") {
    if (!value.is_boolean()) throw ToolError(name + ": expected true or false, got " + type_of(value));
  } else if (type == "integer") {
    std::int64_t n = 0;
    if (!as_integer(value, n)) throw ToolError(name + ": expected an integer, got " + type_of(value));
    if (schema.contains("minimum") && n < schema["minimum"].get<std::int64_t>()) {
      throw ToolError(name + ": must be at least " + schema["minimum"].dump() + ", got " + std::to_string(n));
    }
    if (schema.contains("maximum") && n > schema["maximum"].get<std::int64_t>()) {
      throw ToolError(name + ": must be at most " + schema["maximum"].dump() + ", got " + std::to_string(n));
    }
  }
}

}  // namespace

Arguments::Arguments(const json& arguments, const json& parameters) : values_(json::object()) {
  if (arguments.is_null()) return;
  if (!arguments.is_object()) {
    throw ToolError("the arguments must be a JSON object, got " + type_of(arguments));
  }
  const json& properties = parameters.at("properties");
  for (const auto& [name, value] : arguments.items()) {
    if (!properties.contains(name)) {
      throw ToolError(name + ": unknown argument; the arguments are: " + names(properties));
    }
    // A null stands for "not given", as some models send for optional arguments.
    if (value.is_null()) continue;
    check(name, value, properties.at(name));
    values_[name] = value;
  }
  if (parameters.contains("required")) {
    for (const auto& required : parameters["required"]) {
      if (!values_.contains(required.get<std::string>())) {
        throw ToolError(required.get<std::string>() + ": missing required argument");
      }
    }
  }
}

std::string Arguments::string(const std::string& name) const {
  if (!values_.contains(name)) throw ToolError(name + ": missing required argument");
  return values_[name].get<std::string>();
}

std::string Arguments::string(const std::string& name, const std::string& fallback) const {
  return values_.contains(name) ? values_[name].get<std::string>() : fallback;
}

std::optional<std::int64_t> Arguments::integer(const std::string& name) const {
  std::int64_t n = 0;
  if (!values_.contains(name) || !as_integer(values_[name], n)) return std::nullopt;
  return n;
}

std::int64_t Arguments::integer(const std::string& name, std::int64_t fallback) const {
  return integer(name).value_or(fallback);
}

bool Arguments::boolean(const std::string& name, bool fallback) const {
  return values_.contains(name) ? values_[name].get<bool>() : fallback;
}

}  // namespace droid::runner::tools
