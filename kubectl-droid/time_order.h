// Puts lines from two sources back in time order for `kubectl droid run`, whose live view
// mixes the phase changes it sees on the watch (stamped when seen) with the runner's log
// records (stamped when written, and read some time later through pods/log). Each line
// is held for a short window and released oldest first, so a record written before a
// phase change but read after it still comes before it. Lines released are final: one
// that arrives older than what was already released comes out next (it cannot be placed
// earlier), so the window is what bounds the disorder. Not thread-safe (Output locks it).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>

namespace droid::kubectl {

class TimeOrder {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  explicit TimeOrder(std::chrono::milliseconds window) : window_(window) {}

  // Adds a line (text with its newline) stamped `at`.
  void add(TimePoint at, std::string text);
  // The lines stamped at least `window` before `now`, oldest first (equal stamps: in the
  // order they were added), concatenated; they are removed.
  std::string take_ready(TimePoint now);
  // Every line held, oldest first.
  std::string take_all();
  bool empty() const { return lines_.empty(); }

 private:
  std::chrono::milliseconds window_;
  std::map<std::pair<TimePoint, uint64_t>, std::string> lines_;
  uint64_t added_ = 0;
};

}  // namespace droid::kubectl
