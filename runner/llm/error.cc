#include "llm/error.h"

namespace droid::llm {

std::string scrub(std::string text, const std::string& secret) {
  if (secret.size() < 4) return text;
  static constexpr std::string_view kMark = "[REDACTED]";
  for (std::size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + kMark.size())) {
    text.replace(at, secret.size(), kMark);
  }
  return text;
}

}  // namespace droid::llm
