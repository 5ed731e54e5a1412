#include "tools/glob_match.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace droid::runner::tools {
namespace {

std::vector<std::string_view> split(std::string_view text) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t end = text.find('/', start);
    if (end == std::string_view::npos) {
      parts.push_back(text.substr(start));
      return parts;
    }
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
}

// The code point at text[i] and its length in bytes; an invalid byte stands for itself.
std::uint32_t decode(std::string_view text, std::size_t i, std::size_t& length) {
  auto b0 = static_cast<unsigned char>(text[i]);
  std::size_t n = 1;
  std::uint32_t cp = b0;
  if (b0 >= 0xF0 && b0 < 0xF8) {
    n = 4;
    cp = b0 & 0x07U;
  } else if (b0 >= 0xE0) {
    n = 3;
    cp = b0 & 0x0FU;
  } else if (b0 >= 0xC0) {
    n = 2;
    cp = b0 & 0x1FU;
  }
  if (n > 1) {
    if (i + n > text.size()) {
      length = 1;
      return b0;
    }
    for (std::size_t k = 1; k < n; ++k) {
      auto b = static_cast<unsigned char>(text[i + k]);
      if ((b & 0xC0U) != 0x80U) {
        length = 1;
        return b0;
      }
      cp = (cp << 6U) | (b & 0x3FU);
    }
  }
  length = n;
  return cp;
}

// Matches the set starting at pattern[p] == '[' against `c`; sets `end` past
// the closing ']'. Returns false with end == npos when the set is unclosed
// (then '[' is a literal).
bool match_set(std::string_view pattern, std::size_t p, std::uint32_t c, std::size_t& end) {
  std::size_t i = p + 1;
  bool negate = false;
  if (i < pattern.size() && (pattern[i] == '!' || pattern[i] == '^')) {
    negate = true;
    ++i;
  }
  bool matched = false;
  bool first = true;
  while (i < pattern.size() && (first || pattern[i] != ']')) {
    first = false;
    if (pattern[i] == '\\' && i + 1 < pattern.size()) ++i;
    std::size_t len = 0;
    std::uint32_t lo = decode(pattern, i, len);
    i += len;
    std::uint32_t hi = lo;
    if (i + 1 < pattern.size() && pattern[i] == '-' && pattern[i + 1] != ']') {
      ++i;
      if (pattern[i] == '\\' && i + 1 < pattern.size()) ++i;
      hi = decode(pattern, i, len);
      i += len;
    }
    if (lo <= c && c <= hi) matched = true;
  }
  if (i >= pattern.size()) {
    end = std::string_view::npos;
    return false;
  }
  end = i + 1;
  return matched != negate;
}

// One segment (no '/') against one path segment, with backtracking over '*'.
bool match_segment(std::string_view pattern, std::string_view name) {
  std::size_t p = 0;
  std::size_t n = 0;
  std::size_t star_p = std::string_view::npos;
  std::size_t star_n = 0;
  while (n < name.size()) {
    bool advanced = false;
    if (p < pattern.size()) {
      char pc = pattern[p];
      std::size_t len = 0;
      std::uint32_t c = decode(name, n, len);
      if (pc == '*') {
        while (p < pattern.size() && pattern[p] == '*') ++p;
        star_p = p;
        star_n = n;
        continue;
      }
      if (pc == '?') {
        ++p;
        n += len;
        advanced = true;
      } else if (pc == '[') {
        std::size_t end = 0;
        bool ok = match_set(pattern, p, c, end);
        if (end == std::string_view::npos) {
          if (name[n] == '[') {
            ++p;
            ++n;
            advanced = true;
          }
        } else if (ok) {
          p = end;
          n += len;
          advanced = true;
        }
      } else {
        if (pc == '\\' && p + 1 < pattern.size()) ++p;
        if (pattern[p] == name[n]) {
          ++p;
          ++n;
          advanced = true;
        }
      }
    }
    if (advanced) continue;
    if (star_p == std::string_view::npos) return false;
    // Let the last '*' take one more character and retry.
    std::size_t len = 0;
    decode(name, star_n, len);
    star_n += len;
    n = star_n;
    p = star_p;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool match_from(const std::vector<std::string_view>& pattern, std::size_t pi, const std::vector<std::string_view>& path,
                std::size_t si) {
  while (pi < pattern.size()) {
    if (pattern[pi] == "**") {
      while (pi + 1 < pattern.size() && pattern[pi + 1] == "**") ++pi;
      if (pi + 1 == pattern.size()) return si < path.size();  // "**" at the end: everything below
      for (std::size_t s = si; s < path.size(); ++s) {
        if (match_from(pattern, pi + 1, path, s)) return true;
      }
      return false;
    }
    if (si >= path.size() || !match_segment(pattern[pi], path[si])) return false;
    ++pi;
    ++si;
  }
  return si == path.size();
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view path) {
  while (pattern.substr(0, 2) == "./") pattern.remove_prefix(2);
  while (path.substr(0, 2) == "./") path.remove_prefix(2);
  while (pattern.size() > 1 && pattern.back() == '/') pattern.remove_suffix(1);
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (pattern.empty()) return path.empty();
  return match_from(split(pattern), 0, split(path), 0);
}

}  // namespace droid::runner::tools
