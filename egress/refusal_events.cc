#include "refusal_events.h"

#include <algorithm>

namespace droid::egress {

namespace {

// Printable ASCII only: a request target is ASCII, and a hostile one must not put
// invalid UTF-8 or control characters into an Event.
std::string printable(const std::string& text, std::size_t max) {
  std::string out;
  out.reserve(std::min(text.size(), max));
  for (const char c : text) {
    if (out.size() == max) {
      out += "...";
      break;
    }
    out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  }
  return out;
}

}  // namespace

std::string refusal_note(const AuditRecord& r) {
  std::string note = "refused " + (r.method.empty() ? std::string("request") : printable(r.method, 16));
  if (!r.host.empty()) {
    note += " " + printable(r.host, 253);
    if (r.port != 0) note += ":" + std::to_string(r.port);
    note += printable(r.path, 256);
  }
  if (r.status != 0) note += " (" + std::to_string(r.status) + ")";
  if (!r.reason.empty()) note += ": " + r.reason;
  return note;
}

RefusalEvents::RefusalEvents(RefusalEventsOptions options, Sink sink) : options_(options), sink_(std::move(sink)) {}

bool RefusalEvents::refused(const AuditRecord& record, const std::string& session_uid,
                            std::chrono::steady_clock::time_point now) {
  const auto slash = record.session.find('/');
  if (slash == std::string::npos || session_uid.empty() || !sink_) return false;
  {
    std::lock_guard lock(mu_);
    const auto quiet = [&](const std::deque<std::chrono::steady_clock::time_point>& times) {
      return times.empty() || now - times.back() >= options_.window;
    };
    if (!recent_.contains(session_uid) && recent_.size() >= options_.max_sessions) {
      std::erase_if(recent_, [&](const auto& entry) { return quiet(entry.second); });
      if (recent_.size() >= options_.max_sessions) recent_.erase(recent_.begin());
    }
    auto& times = recent_[session_uid];
    while (!times.empty() && now - times.front() >= options_.window) times.pop_front();
    if (times.size() >= options_.burst) {
      ++suppressed_;
      return false;
    }
    times.push_back(now);
  }
  sink_({record.session.substr(0, slash), record.session.substr(slash + 1), session_uid, refusal_note(record)});
  return true;
}

std::uint64_t RefusalEvents::suppressed() const {
  std::lock_guard lock(mu_);
  return suppressed_;
}

}  // namespace droid::egress
