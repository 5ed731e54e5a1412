#include "yaml.h"

#include "exit_codes.h"

namespace droid::kubectl {

nlohmann::json parse_document(const std::string& text, const std::string& origin) {
  try {
    return yaml::parse_document(text, origin);
  } catch (const yaml::YamlError& e) {
    throw UsageError(e.what());
  }
}

}  // namespace droid::kubectl
