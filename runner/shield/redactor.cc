#include "shield/redactor.h"

#include <algorithm>
#include <cstdio>

namespace droid::runner::shield {
namespace {

struct Span {
  std::size_t begin, end;
  std::string_view rule;
};

// Secret spans sorted and merged where they overlap.
std::vector<Span> merged_spans(const std::vector<Finding>& findings) {
  std::vector<Span> spans;
  spans.reserve(findings.size());
  for (const auto& f : findings)
    if (f.secret_end > f.secret_begin) spans.push_back({f.secret_begin, f.secret_end, f.rule});
  std::stable_sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.begin < b.begin; });
  std::vector<Span> out;
  for (const auto& s : spans) {
    if (!out.empty() && s.begin < out.back().end) {
      out.back().end = std::max(out.back().end, s.end);
    } else {
      out.push_back(s);
    }
  }
  return out;
}

}  // namespace

std::string Redactor::placeholder(std::string_view rule, std::string_view secret) const {
  char tag[9];
  std::snprintf(tag, sizeof tag, "%08x", static_cast<unsigned>(siphash24(key_, secret) >> 32));
  return "[REDACTED:" + std::string(rule) + ":" + tag + "]";
}

std::string Redactor::redact(std::string_view text, const std::vector<Finding>& findings) const {
  return redact_range(text, 0, text.size(), findings);
}

std::string Redactor::redact_range(std::string_view text, std::size_t begin, std::size_t end,
                                   const std::vector<Finding>& findings) const {
  end = std::min(end, text.size());
  std::string out;
  std::size_t at = begin;
  for (const auto& s : merged_spans(findings)) {
    if (s.end <= begin || s.begin >= end) continue;
    if (s.begin > at) out.append(text.substr(at, s.begin - at));
    out += placeholder(s.rule, text.substr(s.begin, s.end - s.begin));
    at = std::max(at, std::min(s.end, end));
  }
  if (at < end) out.append(text.substr(at, end - at));
  return out;
}

}  // namespace droid::runner::shield
