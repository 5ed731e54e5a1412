#include "policy/code_text.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <optional>

#include "text/base64.h"
#include "text/utf8.h"

namespace droid::runner::policy {
namespace {

constexpr std::size_t kMaxCode = std::size_t{64} * 1024;  // longer text is searched as written only

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads up to `max` digits of `base` at text[i]; advances i.
std::optional<std::uint32_t> digits(std::string_view text, std::size_t& i, int base, std::size_t max) {
  std::uint32_t v = 0;
  std::size_t n = 0;
  while (i < text.size() && n < max) {
    int d = base == 8 ? (text[i] >= '0' && text[i] <= '7' ? text[i] - '0' : -1) : hex_value(text[i]);
    if (base == 10) d = std::isdigit(static_cast<unsigned char>(text[i])) != 0 ? text[i] - '0' : -1;
    if (d < 0) break;
    v = v * static_cast<std::uint32_t>(base) + static_cast<std::uint32_t>(d);
    ++i;
    ++n;
  }
  if (n == 0) return std::nullopt;
  return v;
}

// Backslash escapes as most languages (and sed, awk, printf) read them.
std::string decode_escapes(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 == text.size()) {
      out += text[i];
      continue;
    }
    char e = text[++i];
    std::size_t j = i + 1;
    if (e == 'x') {
      if (auto v = digits(text, j, 16, 2)) {
        text::append_utf8(out, *v);
        i = j - 1;
        continue;
      }
    } else if (e == 'u' || e == 'U') {
      bool braced = j < text.size() && text[j] == '{';
      if (braced) ++j;
      if (auto v = digits(text, j, 16, braced ? 6 : (e == 'u' ? 4 : 8))) {
        if (braced && j < text.size() && text[j] == '}') ++j;
        text::append_utf8(out, *v);
        i = j - 1;
        continue;
      }
    } else if (e >= '0' && e <= '7') {
      j = i;
      if (auto v = digits(text, j, 8, 3)) {
        text::append_utf8(out, *v);
        i = j - 1;
        continue;
      }
    }
    switch (e) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      default: out += e;  // \/ \" \  and any other: the character itself
    }
  }
  return out;
}

bool is_quote(char c) { return c == '"' || c == '\'' || c == '`'; }

// chr(47), chr(0x2f), String.fromCharCode(114, 109), char(47): the characters, quoted.
std::string character_codes(std::string_view text) {
  static constexpr std::string_view kCalls[] = {"fromCharCode(", "chr(", "char(", "Chr(", "CHAR(", "fromCodePoint("};
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    bool replaced = false;
    for (auto call : kCalls) {
      if (text.substr(i, call.size()) != call) continue;
      std::size_t j = i + call.size();
      std::string chars;
      while (j < text.size()) {
        while (j < text.size() && text[j] == ' ') ++j;
        std::optional<std::uint32_t> v;
        if (text.substr(j, 2) == "0x" || text.substr(j, 2) == "0X") {
          j += 2;
          v = digits(text, j, 16, 8);
        } else {
          v = digits(text, j, 10, 8);
        }
        if (!v) break;
        text::append_utf8(chars, *v);
        while (j < text.size() && text[j] == ' ') ++j;
        if (j < text.size() && text[j] == ',') {
          ++j;
          continue;
        }
        break;
      }
      if (!chars.empty() && j < text.size() && text[j] == ')') {
        out += '"' + chars + '"';
        i = j + 1;
        replaced = true;
      }
      break;
    }
    if (!replaced) out += text[i++];
  }
  return out;
}

// "a" + "b", 'a'.'b', "a" "b", "a" .. "b", "a" & "b": one literal. Escapes are kept (and
// skipped over), so an escaped quote does not end a literal.
std::string join_literals(std::string_view text) {
  std::string out;
  char quote = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quote == 0) {
      if (is_quote(c)) quote = c;
      out += c;
      continue;
    }
    if (c == '\\' && i + 1 < text.size()) {
      out += c;
      out += text[++i];
      continue;
    }
    if (c != quote) {
      out += c;
      continue;
    }
    std::size_t j = i + 1;
    while (j < text.size() && text[j] == ' ') ++j;
    const std::size_t op = j;
    while (j < text.size() && (text[j] == '+' || text[j] == '.' || text[j] == '&') && j - op < 2) ++j;
    while (j < text.size() && text[j] == ' ') ++j;
    if (j < text.size() && is_quote(text[j])) {  // the next literal continues this one
      quote = text[j];
      i = j;
      continue;
    }
    out += c;
    quote = 0;
  }
  return out;
}

// The quoted literals of `text`, without their quotes.
std::vector<std::string_view> literals(std::string_view text) {
  std::vector<std::string_view> out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!is_quote(text[i])) continue;
    std::size_t end = text.find(text[i], i + 1);
    if (end == std::string_view::npos) break;
    out.push_back(text.substr(i + 1, end - i - 1));
    i = end;
  }
  return out;
}

bool printable_text(std::string_view s) {
  return s.size() >= 4 && std::all_of(s.begin(), s.end(), [](char c) {
           auto u = static_cast<unsigned char>(c);
           return (u >= 0x20 && u < 0x7F) || c == '\n' || c == '\t' || c == '\r';
         });
}

// Literals (and bare words) that are base64 or hex and decode to text, decoded.
std::string decoded_literals(std::string_view text) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    auto is_b64 = [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '+' || c == '/' || c == '=' || c == '-' ||
             c == '_';
    };
    if (!is_b64(text[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < text.size() && is_b64(text[j])) ++j;
    std::string_view run = text.substr(i, j - i);
    i = j;
    if (run.size() < 8) continue;
    bool hex = run.size() % 2 == 0 && std::all_of(run.begin(), run.end(), [](char c) { return hex_value(c) >= 0; });
    std::optional<std::string> bytes;
    if (hex) {
      std::string h;
      for (std::size_t k = 0; k + 1 < run.size(); k += 2)
        h += static_cast<char>(hex_value(run[k]) * 16 + hex_value(run[k + 1]));
      bytes = h;
    }
    if (!bytes || !printable_text(*bytes)) bytes = text::base64_decode(run, text::Base64::Lenient);
    if (bytes && printable_text(*bytes)) out += *bytes + '\n';
  }
  return out;
}

}  // namespace

std::vector<std::string> code_spellings(std::string_view code) {
  std::vector<std::string> out = {std::string(code)};
  if (code.size() > kMaxCode) return out;
  auto add = [&](std::string s) {
    if (!s.empty() && std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
  };
  // Escapes, character codes and joins compose: "rm -r" + "f \x2f" + chr(47).
  std::string plain = decode_escapes(join_literals(character_codes(code)));
  add(plain);
  add(decoded_literals(plain));
  std::string reversed;
  for (auto lit : literals(plain)) {
    if (lit.size() < 4) continue;
    reversed.append(lit.rbegin(), lit.rend());
    reversed += '\n';
  }
  add(reversed);
  return out;
}

}  // namespace droid::runner::policy
