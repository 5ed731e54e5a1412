#include "llm/retry.h"

#include <array>
#include <charconv>
#include <cstring>
#include <ctime>

namespace droid::llm {
namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

// A non-negative decimal number (fractions allowed: some gateways send "1.5").
std::optional<double> parse_number(const std::string& s) {
  if (s.empty() || s.front() == '-' || s.front() == '+') return std::nullopt;
  double value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || value < 0) return std::nullopt;
  return value;
}

}  // namespace

bool retryable_status(int status) {
  switch (status) {
    case 408:
    case 429:
    case 500:
    case 502:
    case 503:
    case 504:
    case 529: return true;
    default: return false;
  }
}

bool retryable_error_type(const std::string& type) {
  return type == "overloaded_error" || type == "rate_limit_error" || type == "api_error" || type == "server_error" ||
         type == "internal_server_error" || type == "service_unavailable_error" || type == "throttling_error" ||
         type == "timeout_error";
}

bool retryable_stream_error(const std::string& type, const std::string& code) {
  int status = 0;
  const std::string c = trim(code);
  const auto [end, ec] = std::from_chars(c.data(), c.data() + c.size(), status);
  if (!c.empty() && ec == std::errc() && end == c.data() + c.size() && status >= 100 && status <= 599) {
    return retryable_status(status);
  }
  return retryable_error_type(type);
}

std::optional<std::chrono::system_clock::time_point> parse_http_date(const std::string& text) {
  static constexpr std::array<const char*, 3> kFormats = {
      "%a, %d %b %Y %H:%M:%S GMT",  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
      "%A, %d-%b-%y %H:%M:%S GMT",  // RFC 850:     Sunday, 06-Nov-94 08:49:37 GMT
      "%a %b %e %H:%M:%S %Y",       // asctime:     Sun Nov  6 08:49:37 1994
  };
  const std::string t = trim(text);
  for (const char* format : kFormats) {
    std::tm tm{};
    const char* end = strptime(t.c_str(), format, &tm);
    if (end == nullptr || *end != '\0') continue;
    const std::time_t seconds = timegm(&tm);
    if (seconds == static_cast<std::time_t>(-1)) continue;
    return std::chrono::system_clock::from_time_t(seconds);
  }
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> retry_after(const std::string& retry_after_ms, const std::string& retry_after,
                                                     std::chrono::system_clock::time_point now) {
  using std::chrono::milliseconds;
  if (auto ms = parse_number(trim(retry_after_ms))) return milliseconds(static_cast<std::int64_t>(*ms));
  const std::string ra = trim(retry_after);
  if (ra.empty()) return std::nullopt;
  if (auto seconds = parse_number(ra)) return milliseconds(static_cast<std::int64_t>(*seconds * 1000));
  if (auto date = parse_http_date(ra)) {
    const auto d = std::chrono::duration_cast<milliseconds>(*date - now);
    return d.count() > 0 ? d : milliseconds(0);
  }
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> retry_after(const std::map<std::string, std::string>& headers,
                                                     std::chrono::system_clock::time_point now) {
  const auto header = [&](const char* name) {
    const auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  };
  if (auto own = retry_after(header("retry-after-ms"), header("retry-after"), now)) return own;
  return retry_after(header("llm_provider-retry-after-ms"), header("llm_provider-retry-after"), now);
}

}  // namespace droid::llm
