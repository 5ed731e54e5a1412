#include "git/commit_message.h"

#include <algorithm>

namespace droid::runner::git {
namespace {

constexpr std::string_view kPrefix = "droid: ";
constexpr std::size_t kSubjectLine = 72;

bool utf8_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0U) == 0x80U; }

// The longest prefix of `s` within `max` bytes that does not cut a UTF-8 sequence.
std::string_view utf8_prefix(std::string_view s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t n = max;
  while (n > 0 && utf8_continuation(s[n])) --n;
  return s.substr(0, n);
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string commit_subject(std::string_view summary, std::size_t max) {
  // The first line that is not blank.
  std::string_view line;
  for (std::string_view rest = summary; line.empty() && !rest.empty();) {
    const std::size_t nl = std::min(rest.find('\n'), rest.size());
    line = trimmed(rest.substr(0, nl));
    rest.remove_prefix(std::min(nl + 1, rest.size()));
  }
  if (line.empty()) return "changes";
  // The first sentence, when the line has more than one and the first fits.
  for (std::size_t i = 0; i + 1 < line.size(); ++i) {
    if ((line[i] == '.' || line[i] == ';' || line[i] == '!' || line[i] == '?') && line[i + 1] == ' ') {
      if (i <= max) return std::string(line.substr(0, i));
      break;
    }
  }
  if (line.size() <= max) return std::string(line);
  if (max < 8) return std::string(utf8_prefix(line, max));
  // The words that fit, and "...".
  std::string_view cut = utf8_prefix(line, max - 3);
  const std::size_t space = cut.rfind(' ');
  if (space != std::string_view::npos && space > 0) cut = cut.substr(0, space);
  return std::string(trimmed(cut)) + "...";
}

std::string commit_message(std::string_view summary, std::string_view session) {
  std::string body(trimmed(summary));
  if (body.empty()) body = "No summary.";
  return std::string(kPrefix) + commit_subject(summary, kSubjectLine - kPrefix.size()) + "\n\n" + body +
         "\n\nDroid-Session: " + std::string(session) + "\n";
}

}  // namespace droid::runner::git
