#include "text/invisible.h"

namespace droid::text {
namespace {

bool in(char32_t c, char32_t first, char32_t last) { return c >= first && c <= last; }

constexpr std::string_view kControl = "a control character";
constexpr std::string_view kInvisibleOrBidi = "an invisible or bidirectional Unicode character";
constexpr std::string_view kInvisible = "an invisible Unicode character";

}  // namespace

bool is_invisible(char32_t c) {
  if (c < 0x20) return c != '\t' && c != '\n' && c != '\r';
  if (c < 0x7F) return false;
  if (c <= 0x9F) return true;  // DEL and C1
  switch (c) {
    case 0x00AD:  // soft hyphen
    case 0x034F:  // combining grapheme joiner
    case 0x061C:  // arabic letter mark
    case 0x115F:  // hangul choseong filler
    case 0x1160:  // hangul jungseong filler
    case 0x17B4:  // khmer vowel inherent aq
    case 0x17B5:  // khmer vowel inherent aa
    case 0x180E:  // mongolian vowel separator
    case 0x3164:  // hangul filler
    case 0xFEFF:  // zero-width no-break space (BOM)
    case 0xFFA0:  // halfwidth hangul filler
      return true;
    default: break;
  }
  return in(c, 0x200B, 0x200F) || in(c, 0x202A, 0x202E) || in(c, 0x2060, 0x206F) || in(c, 0xFE00, 0xFE0F) ||
         in(c, 0xFFF9, 0xFFFB) || in(c, 0x1BCA0, 0x1BCA3) || in(c, 0x1D173, 0x1D17A) || in(c, 0xE0000, 0xE007F) ||
         in(c, 0xE0100, 0xE01EF);
}

std::size_t decode_utf8(std::string_view text, std::size_t i, char32_t& out) {
  const auto b0 = static_cast<unsigned char>(text[i]);
  if (b0 < 0x80) {
    out = b0;
    return 1;
  }
  std::size_t len = 0;
  char32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, out = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, out = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, out = b0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > text.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(text[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    out = (out << 6) | (b & 0x3F);
  }
  if (out < min || out > 0x10FFFF || in(out, 0xD800, 0xDFFF)) return 0;
  return len;
}

std::optional<Invisible> find_invisible(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    char32_t c = 0;
    const std::size_t len = decode_utf8(text, i, c);
    if (len == 0) return Invisible{i, 0xFFFD, "a byte that is not UTF-8"};
    if (is_invisible(c)) {
      std::string_view what = kInvisible;
      if (c < 0xA0) {
        what = kControl;
      } else if (c == 0x00AD) {
        what = "a soft hyphen";
      } else if (c == 0xFEFF) {
        what = "a zero-width no-break space";
      } else if (in(c, 0x200B, 0x200F) || in(c, 0x202A, 0x202E) || c == 0x061C) {
        what = kInvisibleOrBidi;
      }
      return Invisible{i, c, what};
    }
    i += len;
  }
  return std::nullopt;
}

std::string strip_invisible(std::string_view text, std::size_t* removed) {
  std::string out;
  out.reserve(text.size());
  std::size_t dropped = 0;
  for (std::size_t i = 0; i < text.size();) {
    char32_t c = 0;
    const std::size_t len = decode_utf8(text, i, c);
    if (len == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++dropped;
      ++i;
      continue;
    }
    if (is_invisible(c)) {
      ++dropped;
    } else {
      out.append(text.substr(i, len));
    }
    i += len;
  }
  if (removed != nullptr) *removed = dropped;
  return out;
}

}  // namespace droid::text
