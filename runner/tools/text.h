// Text helpers for what the tools return: cuts on UTF-8 boundaries with a note
// saying what was left out, line splitting, and binary detection.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace droid::runner::tools {

// The largest n <= max that does not split a UTF-8 sequence of `text`.
std::size_t utf8_boundary(std::string_view text, std::size_t max);

// `text` if it fits in `max` bytes; else its first bytes (on a UTF-8 boundary)
// and a note "[output cut at N of M bytes]", the whole at most max bytes when
// max leaves room for the note.
std::string truncate_for_model(std::string text, std::size_t max);

// `text` if it fits in `max` bytes; else its head and tail around a note
// saying how many bytes were left out (command output: the end often matters).
std::string keep_head_and_tail(std::string_view text, std::size_t max);

// One line cut at `max` bytes with a marker, for a line too long to show whole.
std::string cut_line(std::string_view line, std::size_t max);

// Has a NUL byte: not text the model can use.
bool looks_binary(std::string_view content);

// Lines without their '\n'; a final line without '\n' counts, an empty text has none.
std::vector<std::string_view> split_lines(std::string_view text);

}  // namespace droid::runner::tools
