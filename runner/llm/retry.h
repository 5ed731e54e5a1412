// When and how long the LLM client waits before another attempt.
//
// Retried: 408, 429, 500, 502, 503, 504, 529 (Anthropic's "overloaded") and
// transport errors. Never retried: any other status (400, 401, 403, 404, 422...)
// and a stream that has already delivered output to the caller.
//
// The wait honours the gateway: `retry-after-ms` (milliseconds, OpenAI and
// LiteLLM) wins over `Retry-After` (delta-seconds or an HTTP-date); without
// either, a capped, jittered exponential backoff (droid::kube::Backoff).
// A wait that would end after the deadline is not taken: the last error is
// reported instead.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace droid::llm {

struct RetryPolicy {
  int max_attempts = 5;  // including the first; 1 disables retries
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{30000};
  double jitter = 0.5;  // the delay is scaled by a random factor in [1 - jitter, 1]
};

bool retryable_status(int status);

// For an error event inside a 200 stream (no status): overloaded_error,
// rate_limit_error, api_error, server_error and timeout types are retried.
bool retryable_error_type(const std::string& type);

// The delay the gateway asked for, from the raw header values (empty when
// absent), relative to `now` for an HTTP-date. Negative or unparsable values
// give nullopt; a date in the past gives zero.
std::optional<std::chrono::milliseconds> retry_after(
    const std::string& retry_after_ms, const std::string& retry_after,
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

// Parses an HTTP-date (IMF-fixdate, RFC 850 or asctime form, RFC 9110 §5.6.7).
std::optional<std::chrono::system_clock::time_point> parse_http_date(const std::string& text);

}  // namespace droid::llm
