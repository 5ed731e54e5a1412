#include "policy/word_expansion.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace droid::runner::policy {
namespace {

// The "{...}" at or after `from` that bash would expand: its bounds and top-level commas.
struct Braces {
  std::size_t open = std::string_view::npos, close = 0;
  std::vector<std::size_t> commas;
  bool sequence = false;
};

Braces find_braces(std::string_view w) {
  for (std::size_t open = 0; open < w.size(); ++open) {
    if (w[open] != '{' || (open > 0 && w[open - 1] == '$')) continue;
    Braces b;
    int depth = 0;
    for (std::size_t j = open; j < w.size(); ++j) {
      if (w[j] == '{') ++depth;
      if (w[j] == '}' && --depth == 0) {
        b.open = open;
        b.close = j;
        break;
      }
      if (w[j] == ',' && depth == 1) b.commas.push_back(j);
    }
    if (b.open == std::string_view::npos) return Braces{};
    std::string_view inner = w.substr(b.open + 1, b.close - b.open - 1);
    b.sequence = b.commas.empty() && inner.find("..") != std::string_view::npos;
    if (!b.commas.empty() || b.sequence) return b;
  }
  return Braces{};
}

std::optional<std::vector<std::string>> sequence(std::string_view inner) {
  std::size_t dots = inner.find("..");
  std::string_view a = inner.substr(0, dots), rest = inner.substr(dots + 2);
  std::size_t dots2 = rest.find("..");
  std::string_view b = rest.substr(0, dots2);
  long step =
      dots2 == std::string_view::npos ? 1 : std::strtol(std::string(rest.substr(dots2 + 2)).c_str(), nullptr, 10);
  if (step == 0) step = 1;
  step = std::labs(step);
  std::vector<std::string> out;
  auto number = [](std::string_view s, long& v) {
    if (s.empty()) return false;
    char* end = nullptr;
    std::string t(s);
    v = std::strtol(t.c_str(), &end, 10);
    return *end == '\0';
  };
  long x = 0, y = 0;
  if (number(a, x) && number(b, y)) {
    if (std::labs(y - x) / step > 256) return std::nullopt;
    for (long v = x; x <= y ? v <= y : v >= y; v += x <= y ? step : -step) out.push_back(std::to_string(v));
    return out;
  }
  if (a.size() == 1 && b.size() == 1) {
    int from = static_cast<unsigned char>(a[0]), to = static_cast<unsigned char>(b[0]);
    int by = static_cast<int>(std::min(step, 256L));
    for (int c = from; from <= to ? c <= to : c >= to; c += from <= to ? by : -by)
      out.emplace_back(1, static_cast<char>(c));
    return out;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::vector<std::string>> brace_expand(std::string_view word, std::size_t limit) {
  Braces b = find_braces(word);
  if (b.open == std::string_view::npos) return std::vector<std::string>{std::string(word)};
  std::string_view prefix = word.substr(0, b.open), suffix = word.substr(b.close + 1);
  std::vector<std::string> alternatives;
  if (b.sequence) {
    auto seq = sequence(word.substr(b.open + 1, b.close - b.open - 1));
    if (!seq) return std::nullopt;
    alternatives = std::move(*seq);
  } else {
    std::size_t start = b.open + 1;
    for (std::size_t comma : b.commas) {
      alternatives.emplace_back(word.substr(start, comma - start));
      start = comma + 1;
    }
    alternatives.emplace_back(word.substr(start, b.close - start));
  }
  std::vector<std::string> out;
  for (const auto& alt : alternatives) {
    auto expanded = brace_expand(std::string(prefix) + alt + std::string(suffix), limit);
    if (!expanded) return std::nullopt;
    for (auto& e : *expanded) {
      if (out.size() >= limit) return std::nullopt;
      if (!e.empty()) out.push_back(std::move(e));  // bash drops words that expand to nothing
    }
  }
  return out;
}

std::optional<std::vector<std::string>> split_default_ifs(std::string_view word) {
  std::string text;
  for (std::size_t i = 0; i < word.size();) {
    if (word.substr(i, 6) == "${IFS}") {
      text += ' ';
      i += 6;
    } else if (word.substr(i, 4) == "$IFS" &&
               (i + 4 >= word.size() ||
                !(std::isalnum(static_cast<unsigned char>(word[i + 4])) || word[i + 4] == '_'))) {
      text += ' ';
      i += 4;
    } else if (word[i] == '$' || word[i] == '`') {
      return std::nullopt;
    } else {
      text += word[i++];
    }
  }
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t j = text.find(' ', i);
    if (j == std::string::npos) j = text.size();
    if (j > i) out.push_back(text.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

}  // namespace droid::runner::policy
