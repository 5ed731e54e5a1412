#include "llm/retry.h"

#include <gtest/gtest.h>

namespace droid::llm {
namespace {

using std::chrono::milliseconds;

TEST(Retry, RetryableStatuses) {
  for (int s : {408, 429, 500, 502, 503, 504, 529}) EXPECT_TRUE(retryable_status(s)) << s;
  for (int s : {200, 400, 401, 403, 404, 409, 413, 422, 501}) EXPECT_FALSE(retryable_status(s)) << s;
  EXPECT_TRUE(retryable_error_type("overloaded_error"));
  EXPECT_FALSE(retryable_error_type("invalid_request_error"));
}

TEST(Retry, RetryAfterSecondsMillisecondsAndDates) {
  const auto now = std::chrono::system_clock::from_time_t(784111777);  // Sun, 06 Nov 1994 08:49:37 GMT
  EXPECT_EQ(retry_after("", "3", now), milliseconds(3000));
  EXPECT_EQ(retry_after("", " 1.5 ", now), milliseconds(1500));
  EXPECT_EQ(retry_after("250", "3", now), milliseconds(250));  // retry-after-ms wins
  EXPECT_EQ(retry_after("", "Sun, 06 Nov 1994 08:49:47 GMT", now), milliseconds(10000));
  EXPECT_EQ(retry_after("", "Sunday, 06-Nov-94 08:49:40 GMT", now), milliseconds(3000));
  EXPECT_EQ(retry_after("", "Sun Nov  6 08:49:39 1994", now), milliseconds(2000));
  EXPECT_EQ(retry_after("", "Sun, 06 Nov 1994 08:00:00 GMT", now), milliseconds(0));  // in the past
  EXPECT_FALSE(retry_after("", "", now));
  EXPECT_FALSE(retry_after("", "-1", now));
  EXPECT_FALSE(retry_after("soon", "tomorrow", now));
  EXPECT_EQ(retry_after("x", "2", now), milliseconds(2000));  // a bad ms value falls back
}

TEST(Retry, StreamErrorsAreClassifiedByTheirCodeThenTheirType) {
  // LiteLLM's error event when the upstream stream broke before any output.
  EXPECT_TRUE(retryable_stream_error("internal_server_error", "500"));
  EXPECT_TRUE(retryable_stream_error("", "503"));
  EXPECT_TRUE(retryable_stream_error("", " 429 "));
  EXPECT_TRUE(retryable_stream_error("throttling_error", ""));
  EXPECT_TRUE(retryable_stream_error("internal_server_error", ""));
  EXPECT_TRUE(retryable_stream_error("service_unavailable_error", "not-a-status"));
  // The code wins over the type: a 400 is a 400 whatever it is called.
  EXPECT_FALSE(retryable_stream_error("internal_server_error", "400"));
  EXPECT_FALSE(retryable_stream_error("invalid_request_error", ""));
  EXPECT_FALSE(retryable_stream_error("", "401"));
  EXPECT_FALSE(retryable_stream_error("", "context_length_exceeded"));
  EXPECT_FALSE(retryable_stream_error("", "42"));  // not an HTTP status: the (empty) type decides
}

TEST(Retry, RetryAfterFromHeadersFallsBackToTheProvidersPairLiteLlmForwards) {
  const auto now = std::chrono::system_clock::from_time_t(784111777);
  using Headers = std::map<std::string, std::string>;
  EXPECT_EQ(retry_after(Headers{{"llm_provider-retry-after", "7"}}, now), milliseconds(7000));
  EXPECT_EQ(retry_after(Headers{{"llm_provider-retry-after-ms", "120"}, {"llm_provider-retry-after", "7"}}, now),
            milliseconds(120));
  // The gateway's own header wins over what it forwards from the provider.
  EXPECT_EQ(retry_after(Headers{{"retry-after", "2"}, {"llm_provider-retry-after", "7"}}, now), milliseconds(2000));
  EXPECT_EQ(retry_after(Headers{{"retry-after-ms", "50"}, {"llm_provider-retry-after-ms", "9000"}}, now),
            milliseconds(50));
  EXPECT_FALSE(retry_after(Headers{{"content-type", "application/json"}}, now));
}

}  // namespace
}  // namespace droid::llm
