#include "time_order.h"

namespace droid::kubectl {

void TimeOrder::add(TimePoint at, std::string text) { lines_.emplace(std::make_pair(at, added_++), std::move(text)); }

std::string TimeOrder::take_ready(TimePoint now) {
  std::string out;
  const TimePoint limit = now - window_;
  auto it = lines_.begin();
  for (; it != lines_.end() && it->first.first <= limit; ++it) out += it->second;
  lines_.erase(lines_.begin(), it);
  return out;
}

std::string TimeOrder::take_all() {
  std::string out;
  for (const auto& [key, text] : lines_) out += text;
  lines_.clear();
  return out;
}

}  // namespace droid::kubectl
