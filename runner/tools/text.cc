#include "tools/text.h"

#include <algorithm>

namespace droid::runner::tools {
namespace {

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0U) == 0x80U; }

}  // namespace

std::size_t utf8_boundary(std::string_view text, std::size_t max) {
  if (max >= text.size()) return text.size();
  std::size_t n = max;
  // A sequence is at most 4 bytes: back up over at most 3 continuation bytes.
  for (int i = 0; i < 3 && n > 0 && is_continuation(text[n]); ++i) --n;
  return n;
}

std::string truncate_for_model(std::string text, std::size_t max) {
  if (text.size() <= max) return text;
  std::string note = "\n[output cut at " + std::to_string(max) + " of " + std::to_string(text.size()) + " bytes]";
  std::size_t keep = max > note.size() ? max - note.size() : 0;
  text.resize(utf8_boundary(text, keep));
  text += note;
  return text;
}

std::string keep_head_and_tail(std::string_view text, std::size_t max) {
  if (text.size() <= max) return std::string(text);
  std::size_t head = utf8_boundary(text, max / 2);
  std::size_t tail_start = text.size() - (max - max / 2);
  // Move forward to the start of a sequence.
  while (tail_start < text.size() && is_continuation(text[tail_start])) ++tail_start;
  std::string out(text.substr(0, head));
  out += "\n[... " + std::to_string(tail_start - head) + " bytes left out ...]\n";
  out += text.substr(tail_start);
  return out;
}

std::string cut_line(std::string_view line, std::size_t max) {
  if (line.size() <= max) return std::string(line);
  std::string out(line.substr(0, utf8_boundary(line, max)));
  out += " [line cut: " + std::to_string(line.size()) + " bytes]";
  return out;
}

bool looks_binary(std::string_view content) { return content.find('\0') != std::string_view::npos; }

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  lines.reserve(static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1);
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

}  // namespace droid::runner::tools
