// A tool call's arguments checked against the tool's JSON Schema `parameters`
// (the subset the tools use: an object of string, integer and boolean
// properties, `required`, `minimum`, `additionalProperties: false`), then read
// with typed accessors. Every problem is a ToolError naming the argument.
//
//   Arguments args(call_arguments, definition().parameters);  // may throw ToolError
//   std::string path = args.string("path");
//   std::int64_t limit = args.integer("limit", 2000);
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace droid::runner::tools {

class Arguments {
 public:
  // A null `arguments` counts as {}; anything else but an object is an error.
  Arguments(const nlohmann::json& arguments, const nlohmann::json& parameters);

  bool has(const std::string& name) const { return values_.contains(name); }
  // Present (required or checked by has()) arguments; a missing one throws.
  std::string string(const std::string& name) const;
  std::string string(const std::string& name, const std::string& fallback) const;
  std::int64_t integer(const std::string& name, std::int64_t fallback) const;
  std::optional<std::int64_t> integer(const std::string& name) const;
  bool boolean(const std::string& name, bool fallback) const;

 private:
  nlohmann::json values_;
};

}  // namespace droid::runner::tools
