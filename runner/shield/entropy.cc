#include "shield/entropy.h"

#include <array>
#include <cmath>
#include <cstddef>

namespace droid::runner::shield {

double shannon_entropy(std::string_view text) {
  if (text.empty()) return 0.0;
  std::array<std::size_t, 256> counts{};
  for (unsigned char c : text) ++counts[c];
  const auto n = static_cast<double>(text.size());
  double bits = 0.0;
  for (std::size_t count : counts) {
    if (count == 0) continue;
    const double p = static_cast<double>(count) / n;
    bits -= p * std::log2(p);
  }
  return bits;
}

}  // namespace droid::runner::shield
