// Kubernetes resource quantities ("500m", "1.5", "2Gi", "1e3", "128974848"),
// parsed exactly into nano-units so that limits compare without rounding
// surprises ("100m" == "0.1"). Fractions below a nano-unit round up, as the
// API server rounds quantities up.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace droid::policy {

class Quantity {
 public:
  // nullopt when `text` is not a valid quantity.
  static std::optional<Quantity> parse(std::string_view text);

  auto operator<=>(const Quantity&) const = default;
  // The value in nano-units, for messages and tests.
  __int128 nanos() const { return nanos_; }

 private:
  explicit Quantity(__int128 nanos) : nanos_(nanos) {}
  __int128 nanos_ = 0;
};

}  // namespace droid::policy
