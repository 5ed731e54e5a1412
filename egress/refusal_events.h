// Which refused requests become Kubernetes events on their DroidSession (issue 15:
// "a refused request also becomes a Kubernetes event on the session"), and what the
// event says. Only a refusal whose session is known (the token was one session's)
// can be reported on it; a request without a valid token is only audited.
//
// A subverted runner can make refusals as fast as it can send requests, so events
// are limited per session: at most `burst` in any `window` (the audit line and
// metrics still count every refusal); the first refusal after a quiet window is
// always reported. The event recorder (libdroid/kube/event_recorder.h) then folds
// identical notes into a series.
//
//   RefusalEvents events({.burst = 5, .window = 1min}, [&](const RefusalEvent& e) { recorder.record(...); });
//   events.refused(record, session_uid, now);   // from the proxy's refusal hook
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "audit.h"

namespace droid::egress {

inline constexpr const char* kRefusalEventReason = "EgressRefused";
inline constexpr const char* kRefusalEventAction = "Egress";

struct RefusalEvent {
  std::string namespace_name;  // the DroidSession's
  std::string name;
  std::string uid;
  std::string note;  // "refused POST example.invalid:80/upload (403): host example.invalid is not allowed"
};

// The event's note for a refused request: method, host, port, path (never a query;
// cut at 256 characters), status and reason; bytes outside printable ASCII become '?'.
std::string refusal_note(const AuditRecord& record);

struct RefusalEventsOptions {
  std::size_t burst = 5;
  std::chrono::steady_clock::duration window = std::chrono::minutes(1);
  std::size_t max_sessions = 4096;  // sessions tracked at most (the oldest quiet ones go first)
};

class RefusalEvents {
 public:
  using Sink = std::function<void(const RefusalEvent&)>;
  RefusalEvents(RefusalEventsOptions options, Sink sink);

  // A refused request (record.decision "denied"); record.session is "namespace/name",
  // "" when unknown (then nothing is reported). Returns whether an event was passed to
  // the sink. Thread-safe.
  bool refused(const AuditRecord& record, const std::string& session_uid, std::chrono::steady_clock::time_point now);

  std::uint64_t suppressed() const;  // refusals over the limit, not reported

 private:
  RefusalEventsOptions options_;
  Sink sink_;
  mutable std::mutex mu_;
  std::map<std::string, std::deque<std::chrono::steady_clock::time_point>> recent_;  // by session uid
  std::uint64_t suppressed_ = 0;
};

}  // namespace droid::egress
