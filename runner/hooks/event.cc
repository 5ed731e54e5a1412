#include "hooks/event.h"

namespace droid::runner::hooks {

const char* event_name(Event event) {
  switch (event) {
    case Event::SessionStart: return "SessionStart";
    case Event::UserPromptSubmit: return "UserPromptSubmit";
    case Event::PreToolUse: return "PreToolUse";
    case Event::PostToolUse: return "PostToolUse";
    case Event::Stop: return "Stop";
    case Event::SessionEnd: return "SessionEnd";
  }
  return "?";
}

std::optional<Event> parse_event(std::string_view name) {
  for (Event e : kAllEvents) {
    if (name == event_name(e)) return e;
  }
  return std::nullopt;
}

std::string event_names() {
  std::string out;
  for (Event e : kAllEvents) {
    if (!out.empty()) out += ", ";
    out += event_name(e);
  }
  return out;
}

bool is_gate(Event event) { return event == Event::PreToolUse || event == Event::UserPromptSubmit; }

bool has_matcher(Event event) { return event != Event::UserPromptSubmit && event != Event::Stop; }

}  // namespace droid::runner::hooks
