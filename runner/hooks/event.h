// The hook events (SPEC §6.4) and their names in settings and in the hook
// input ("hook_event_name").
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace droid::runner::hooks {

enum class Event { SessionStart, UserPromptSubmit, PreToolUse, PostToolUse, Stop, SessionEnd };

inline constexpr std::array<Event, 6> kAllEvents = {Event::SessionStart, Event::UserPromptSubmit,
                                                    Event::PreToolUse,   Event::PostToolUse,
                                                    Event::Stop,         Event::SessionEnd};

const char* event_name(Event event);                      // "PreToolUse", ...
std::optional<Event> parse_event(std::string_view name);  // exact, case-sensitive
std::string event_names();                                // "SessionStart, UserPromptSubmit, ..."

// Gates fail closed: a hook that gives no usable answer blocks the action.
bool is_gate(Event event);
// Events whose groups have a matcher, as in Claude Code: the tool events
// (matched against the tool name), SessionStart (the input's "source",
// "startup" by default) and SessionEnd (its "reason", "other" by default).
// Elsewhere a matcher is ignored.
bool has_matcher(Event event);

}  // namespace droid::runner::hooks
