// Characters that do not show what they are (SPEC §6.7): one table for the runner's
// guardrails, which strip them from tool output before the model reads it, and its
// command policy, which doubts a command holding one.
//
// Invisible: C0 controls but tab, newline and carriage return; DEL and the C1
// controls; soft hyphen, combining grapheme joiner, Arabic letter mark, Mongolian
// vowel separator; zero-width characters and marks (U+200B..U+200F, U+2060..U+206F,
// U+FEFF); bidi embeddings, overrides and isolates (U+202A..U+202E, U+2066..U+2069);
// Hangul fillers (U+115F, U+1160, U+3164, U+FFA0) and Khmer inherent vowels (U+17B4,
// U+17B5), which render as nothing; variation selectors (U+FE00..U+FE0F,
// U+E0100..U+E01EF); interlinear annotation (U+FFF9..U+FFFB); shorthand format
// controls (U+1BCA0..U+1BCA3); musical symbol format controls (U+1D173..U+1D17A);
// tag characters (U+E0000..U+E007F, which can smuggle ASCII unseen).
//
//   std::string safe = text::strip_invisible(output, &removed);
//   if (auto hidden = text::find_invisible(command)) ... hidden->what ...
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace droid::text {

bool is_invisible(char32_t c);

// Decodes the UTF-8 sequence at text[i] into `out`; returns its length, or 0 when it
// is not valid UTF-8 (overlong, surrogate, beyond U+10FFFF, truncated, stray byte).
std::size_t decode_utf8(std::string_view text, std::size_t i, char32_t& out);

// The first invisible character of `text` (or byte that is not UTF-8): where, which,
// and what it is in words ("a control character", "a soft hyphen", "an invisible or
// bidirectional Unicode character", "an invisible Unicode character", "a zero-width
// no-break space", "a byte that is not UTF-8").
struct Invisible {
  std::size_t offset = 0;
  char32_t code = 0;  // 0xFFFD for a byte that is not UTF-8
  std::string_view what;
};
std::optional<Invisible> find_invisible(std::string_view text);

// `text` without its invisible characters; bytes that are not UTF-8 become U+FFFD.
// `removed` (optional) counts both.
std::string strip_invisible(std::string_view text, std::size_t* removed = nullptr);

}  // namespace droid::text
