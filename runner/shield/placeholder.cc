#include "shield/placeholder.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace droid::runner::shield {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool contains_any(const std::string& haystack, const auto& needles) {
  return std::any_of(std::begin(needles), std::end(needles),
                     [&](std::string_view n) { return haystack.find(n) != std::string::npos; });
}

// Longest run of one repeated byte.
std::size_t longest_run(std::string_view s) {
  std::size_t best = 0, run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    run = (i > 0 && s[i] == s[i - 1]) ? run + 1 : 1;
    best = std::max(best, run);
  }
  return best;
}

constexpr std::array<std::string_view, 22> kPlaceholderWords = {
    "example", "xxxx",    "****",    "....",       "placeholder", "changeme", "change_me", "change-me",
    "your_",   "your-",   "yourkey", "yourtoken",  "yoursecret",  "dummy",    "redacted",  "fake_",
    "fake-",   "insert_", "insert-", "replace_me", "replace-me",  "todo_",
};
constexpr std::array<std::string_view, 9> kTemplateMarks = {"${", "{{", "}}", "<", ">", "%(", "$(", "#{", "%{"};
constexpr std::array<std::string_view, 14> kSecretWords = {
    "password",  "passwd",      "secret",     "token",  "apikey",  "api_key",   "credential",
    "undefined", "process.env", "os.environ", "getenv", "config.", "settings.", "null",
};

}  // namespace

bool is_placeholder(std::string_view secret) {
  const std::string s = lower(secret);
  if (contains_any(s, kPlaceholderWords) || contains_any(s, kTemplateMarks)) return true;
  if (secret.size() >= 6 && longest_run(secret) * 2 > secret.size()) return true;
  return s.find("0123456789") != std::string::npos || s.find("abcdefghij") != std::string::npos;
}

bool looks_like_reference(std::string_view value, bool strict) {
  if (value.empty()) return true;
  const char first = value.front();
  if (first == '$' || first == '%' || first == '{' || first == '@' || first == '&' || first == '*') return true;
  if (value.find('(') != std::string_view::npos || value.find("->") != std::string_view::npos) return true;
  const std::string s = lower(value);
  if (contains_any(s, kSecretWords)) return true;
  if (s == "true" || s == "false" || s == "none" || s == "nil") return true;
  if (!strict) return false;
  // A literal secret nearly always mixes in digits; a bare word or dotted name is code.
  return std::none_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c); });
}

}  // namespace droid::runner::shield
