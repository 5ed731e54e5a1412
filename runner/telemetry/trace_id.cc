#include "telemetry/trace_id.h"

#include <algorithm>
#include <random>

namespace droid::runner::telemetry {

TraceIdBytes random_trace_id() {
  std::random_device device;  // /dev/urandom (getrandom) on Linux
  TraceIdBytes id{};
  do {
    for (std::size_t i = 0; i < id.size(); i += 4) {
      const auto word = device();
      for (std::size_t j = 0; j < 4; ++j) id[i + j] = static_cast<std::uint8_t>(word >> (8 * j));
    }
  } while (std::all_of(id.begin(), id.end(), [](std::uint8_t b) { return b == 0; }));
  return id;
}

std::string to_hex(const TraceIdBytes& id) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(id.size() * 2);
  for (const std::uint8_t b : id) {
    hex.push_back(kDigits[b >> 4]);
    hex.push_back(kDigits[b & 0xf]);
  }
  return hex;
}

bool is_valid_trace_id(std::string_view hex) {
  if (hex.size() != 32) return false;
  const bool all_hex =
      std::all_of(hex.begin(), hex.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
  return all_hex && hex.find_first_not_of('0') != std::string_view::npos;
}

}  // namespace droid::runner::telemetry
