// When and how long the LLM client waits before another attempt.
//
// Retried: 408, 429, 500, 502, 503, 504, 529 (Anthropic's "overloaded") and
// transport errors. Never retried: any other status (400, 401, 403, 404, 422...)
// and a stream that has already delivered output to the caller.
//
// The wait honours the gateway: `retry-after-ms` (milliseconds, OpenAI and
// LiteLLM) wins over `Retry-After` (delta-seconds or an HTTP-date); without
// either, the provider's own pair as LiteLLM forwards it
// (`llm_provider-retry-after-ms`, `llm_provider-retry-after`); without any, a
// capped, jittered exponential backoff (droid::kube::Backoff).
// An error event inside a 200 stream has no status: it is classified by its
// `code` when that is an HTTP status (LiteLLM sends "code": "500"), else by its
// type, as the status would have been.
// A wait that would end after the deadline is not taken: the last error is
// reported instead.
#pragma once

#include <chrono>
#include <map>
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
// rate_limit_error, api_error, server_error, internal_server_error,
// service_unavailable_error, throttling_error (LiteLLM's name for a provider's
// 429) and timeout_error are retried.
bool retryable_error_type(const std::string& type);

// An error event inside a 200 stream: `code` (the event's "code", may be empty)
// decides when it is an HTTP status (100-599), else `type` does.
bool retryable_stream_error(const std::string& type, const std::string& code);

// The delay the gateway asked for, from the raw header values (empty when
// absent), relative to `now` for an HTTP-date. Negative or unparsable values
// give nullopt; a date in the past gives zero.
std::optional<std::chrono::milliseconds> retry_after(
    const std::string& retry_after_ms, const std::string& retry_after,
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

// The same from a response's headers (names in lower case), the gateway's own
// pair first, then the provider's pair that LiteLLM forwards.
std::optional<std::chrono::milliseconds> retry_after(
    const std::map<std::string, std::string>& headers,
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

// Parses an HTTP-date (IMF-fixdate, RFC 850 or asctime form, RFC 9110 §5.6.7).
std::optional<std::chrono::system_clock::time_point> parse_http_date(const std::string& text);

}  // namespace droid::llm
