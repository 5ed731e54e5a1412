#include "hooks/timeout_text.h"

namespace droid::runner::hooks {

std::string timeout_text(std::chrono::milliseconds timeout) {
  const auto ms = timeout.count();
  std::string out = std::to_string(ms / 1000);
  if (const auto frac = ms % 1000; frac != 0) {
    std::string digits = std::to_string(frac);
    digits.insert(0, 3 - digits.size(), '0');
    while (digits.back() == '0') digits.pop_back();
    out += "." + digits;
  }
  return out + " s";
}

}  // namespace droid::runner::hooks
