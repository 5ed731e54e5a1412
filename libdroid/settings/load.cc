#include "settings/load.h"

#include <cerrno>
#include <fstream>
#include <sstream>
#include <system_error>

namespace droid::settings {
namespace {

// "line L, column C" of byte offset `offset` (1-based, as editors count).
std::string position(const std::string& text, std::size_t offset) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

}  // namespace

Loaded load_settings_text(const std::string& text, const std::string& source) {
  Loaded out;
  nlohmann::json parsed;
  try {
    parsed = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is one past the offending character.
    std::string what = e.what();
    auto colon = what.rfind(": ");
    out.errors.push_back(source + ": invalid JSON at " + position(text, e.byte > 0 ? e.byte - 1 : 0) + ": " +
                         (colon == std::string::npos ? what : what.substr(colon + 2)));
    return out;
  }
  Validation v = validate(parsed);
  for (const auto& p : v.errors) out.errors.push_back(source + ": " + p.str());
  for (const auto& p : v.warnings) out.warnings.push_back(source + ": " + p.str());
  if (out.ok()) out.settings = without_unknown_fields(parsed);
  return out;
}

Loaded load_settings_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    Loaded out;
    out.errors.push_back(path + ": cannot read: " + std::generic_category().message(errno));
    return out;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return load_settings_text(text.str(), path);
}

}  // namespace droid::settings
