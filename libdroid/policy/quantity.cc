#include "policy/quantity.h"

#include <array>
#include <cctype>
#include <utility>

namespace droid::policy {
namespace {

constexpr __int128 kNano = 1'000'000'000;
// Large enough for 8Ei in nano-units (about 9.2e27) with room to spare.
constexpr __int128 kMax = static_cast<__int128>(1) << 120;

__int128 pow10(int n) {
  __int128 r = 1;
  while (n-- > 0) r *= 10;
  return r;
}

// Multiplies `v` by `f`, or returns nullopt on overflow past kMax.
std::optional<__int128> times(__int128 v, __int128 f) {
  if (f != 0 && v > kMax / f) return std::nullopt;
  return v * f;
}

}  // namespace

std::optional<Quantity> Quantity::parse(std::string_view text) {
  std::size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  __int128 whole = 0, frac = 0;
  int frac_digits = 0, digits = 0;
  bool round_up = false;
  for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i, ++digits) {
    whole = whole * 10 + (text[i] - '0');
    if (whole > kMax) return std::nullopt;
  }
  if (i < text.size() && text[i] == '.') {
    for (++i; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i, ++digits) {
      if (frac_digits < 18) {
        frac = frac * 10 + (text[i] - '0');
        ++frac_digits;
      } else if (text[i] != '0') {
        round_up = true;
      }
    }
  }
  if (digits == 0) return std::nullopt;

  // The suffix: binary (Ki..Ei), decimal SI (n, u, m, k, M, G, T, P, E) or an exponent (e3, E-2).
  const std::string_view suffix = text.substr(i);
  __int128 binary = 1;
  int exponent = 0;
  static const std::array<std::pair<std::string_view, int>, 6> kBinary = {
      {{"Ki", 10}, {"Mi", 20}, {"Gi", 30}, {"Ti", 40}, {"Pi", 50}, {"Ei", 60}}};
  static const std::array<std::pair<std::string_view, int>, 10> kDecimal = {
      {{"n", -9}, {"u", -6}, {"m", -3}, {"", 0}, {"k", 3}, {"M", 6}, {"G", 9}, {"T", 12}, {"P", 15}, {"E", 18}}};
  bool known = false;
  for (const auto& [s, shift] : kBinary) {
    if (suffix == s) {
      binary = static_cast<__int128>(1) << shift;
      known = true;
    }
  }
  for (const auto& [s, e] : kDecimal) {
    if (suffix == s) {
      exponent = e;
      known = true;
    }
  }
  if (!known && suffix.size() >= 2 && (suffix[0] == 'e' || suffix[0] == 'E')) {
    std::size_t j = 1;
    bool neg_exp = suffix[j] == '-';
    if (suffix[j] == '+' || suffix[j] == '-') ++j;
    if (j == suffix.size() || suffix.size() - j > 3) return std::nullopt;
    int e = 0;
    for (; j < suffix.size(); ++j) {
      if (!std::isdigit(static_cast<unsigned char>(suffix[j]))) return std::nullopt;
      e = e * 10 + (suffix[j] - '0');
    }
    exponent = neg_exp ? -e : e;
    known = true;
  }
  if (!known || exponent > 30 || exponent < -30) return std::nullopt;

  // value = (whole + frac / 10^frac_digits) * binary * 10^exponent, in nano-units:
  // numerator / 10^(frac_digits + shift) with numerator exact.
  auto numerator = times(whole, pow10(frac_digits));
  if (!numerator) return std::nullopt;
  *numerator += frac;
  numerator = times(*numerator, binary);
  if (!numerator) return std::nullopt;
  const int scale = 9 + exponent - frac_digits;  // multiply by 10^scale
  __int128 nanos = 0;
  if (scale >= 0) {
    auto n = times(*numerator, pow10(scale));
    if (!n) return std::nullopt;
    nanos = *n;
  } else {
    const __int128 d = pow10(-scale);
    nanos = *numerator / d;
    round_up = round_up || *numerator % d != 0;
  }
  if (round_up) ++nanos;
  return Quantity(negative ? -nanos : nanos);
}

}  // namespace droid::policy
