// Kubernetes timestamps (metav1.Time) in the documents of this folder: RFC 3339
// in UTC with second precision on output ("2026-12-07T08:00:00Z"); parsing also
// accepts fractional seconds and numeric offsets, as the API server may send them.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace droid::contract {

using Clock = std::chrono::system_clock;

std::string format_rfc3339(Clock::time_point t);
// nullopt for anything that is not an RFC 3339 date-time (a date alone, no zone,
// out-of-range fields, trailing text).
std::optional<Clock::time_point> parse_rfc3339(std::string_view text);

}  // namespace droid::contract
