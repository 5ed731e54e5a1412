// Kubernetes timestamps (metav1.Time): RFC 3339 in UTC with second precision,
// "2026-11-21T22:47:06Z". Parsing also accepts fractional seconds and numeric
// offsets, as the API server may return them.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace droid::op {

using Clock = std::chrono::system_clock;

std::string format_rfc3339(Clock::time_point t);
std::optional<Clock::time_point> parse_rfc3339(std::string_view text);

}  // namespace droid::op
