#include "text/base64.h"

#include <cstdint>

namespace droid::text {
namespace {

// The value of a symbol, or -1; `url` also accepts the URL-safe alphabet's '-' and '_'.
int symbol_value(char c, bool url) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || (url && c == '-')) return 62;
  if (c == '/' || (url && c == '_')) return 63;
  return -1;
}

bool blank(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

}  // namespace

std::optional<std::string> base64_decode(std::string_view text, Base64 mode) {
  const bool strict = mode == Base64::Strict;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  std::uint32_t buffer = 0;
  int bits = 0;
  std::size_t symbols = 0;
  std::size_t padding = 0;
  for (char c : text) {
    if (blank(c)) continue;
    if (c == '=') {
      ++padding;
      continue;
    }
    if (strict && padding > 0) return std::nullopt;  // data after the padding
    const int v = symbol_value(c, !strict);
    if (v < 0) return std::nullopt;
    ++symbols;
    buffer = (buffer << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  if (strict && (symbols % 4 == 1 || padding > 2 || (padding > 0 && (symbols + padding) % 4 != 0))) return std::nullopt;
  return out;
}

std::string base64_encode(std::string_view data, Base64Alphabet alphabet, bool pad) {
  const char* symbols = alphabet == Base64Alphabet::Url
                            ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                            : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const std::uint32_t n = (static_cast<std::uint8_t>(data[i]) << 16) | (static_cast<std::uint8_t>(data[i + 1]) << 8) |
                            static_cast<std::uint8_t>(data[i + 2]);
    out += symbols[(n >> 18) & 63];
    out += symbols[(n >> 12) & 63];
    out += symbols[(n >> 6) & 63];
    out += symbols[n & 63];
  }
  const std::size_t rest = data.size() - i;
  if (rest > 0) {
    std::uint32_t n = static_cast<std::uint32_t>(static_cast<std::uint8_t>(data[i])) << 16;
    if (rest == 2) n |= static_cast<std::uint32_t>(static_cast<std::uint8_t>(data[i + 1])) << 8;
    out += symbols[(n >> 18) & 63];
    out += symbols[(n >> 12) & 63];
    if (rest == 2) out += symbols[(n >> 6) & 63];
    if (pad) out.append(rest == 1 ? "==" : "=");
  }
  return out;
}

}  // namespace droid::text
