// UTF-8 encoding of one code point, for decoders that turn escapes (\u002f, \U0001F600,
// chr(0x2f)) into text: the shell parser's $'...' and the command policy's program text.
// A value above U+10FFFF, which no encoding has, is written as U+FFFD.
#pragma once

#include <cstdint>
#include <string>

namespace droid::text {

void append_utf8(std::string& out, std::uint32_t code_point);

}  // namespace droid::text
