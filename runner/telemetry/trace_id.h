// W3C trace ids (https://www.w3.org/TR/trace-context/#trace-id): 16 random
// bytes, never all zero, written as 32 lowercase hex digits. A session's trace
// id is drawn once, before any exporter exists, so that it is the same whether
// telemetry is enabled or not (it goes into status.traceId either way).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace droid::runner::telemetry {

using TraceIdBytes = std::array<std::uint8_t, 16>;

// 16 bytes from the operating system's random source; never all zero.
TraceIdBytes random_trace_id();

// 32 lowercase hex digits.
std::string to_hex(const TraceIdBytes& id);

// True for 32 lowercase hex digits that are not all zero.
bool is_valid_trace_id(std::string_view hex);

}  // namespace droid::runner::telemetry
