#include "sandbox/environment.h"

#include <stdexcept>

namespace droid::runner::sandbox {

std::vector<std::string> build_environment(const std::string& path, const std::string& home, const std::string& tmpdir,
                                           const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> vars = {
      {"PATH", path.empty() ? kDefaultPath : path},
      {"HOME", home},
      {"TMPDIR", tmpdir},
      {"LANG", "C.UTF-8"},
      {"LC_ALL", "C.UTF-8"},
      {"TERM", "dumb"},
  };
  for (const auto& [name, value] : extra) {
    if (name.empty() || name.find_first_of(std::string("=\0", 2)) != std::string::npos)
      throw std::invalid_argument("invalid environment variable name '" + name + "'");
    if (value.find('\0') != std::string::npos)
      throw std::invalid_argument("environment variable " + name + " contains a NUL byte");
    vars[name] = value;
  }
  std::vector<std::string> out;
  out.reserve(vars.size());
  for (const auto& [name, value] : vars) out.push_back(std::string(name).append("=").append(value));
  return out;
}

}  // namespace droid::runner::sandbox
