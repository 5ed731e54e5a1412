// Guardrails against prompt injection (SPEC §6.7). Tool output is data, never
// instructions: the loop strips invisible Unicode from it, wraps it between
// per-session markers the model is told about, and remembers whether it looked
// like injected instructions; a risky tool call that follows such text is
// stopped (gate.h).
//
//   Guardrails g(session_marker);             // marker: random, unguessable per session
//   std::string safe = g.wrap_untrusted("read", output);
//   if (!g.injection_signals(output).empty()) ...
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "text/invisible.h"

namespace droid::runner::agent {

// Removes the invisible characters of text/invisible.h (zero-width, bidi controls,
// tag characters, variation selectors, fillers, C0/C1 controls but tab, newline and
// carriage return); invalid UTF-8 bytes become U+FFFD; `removed` counts both.
using text::strip_invisible;

// Phrases of injected instructions found in `text` (case- and spacing-
// insensitive): "ignore previous instructions", "you are now", "new system
// prompt", fake chat-template tokens ("<|im_start|>", "[INST]"), requests to
// exfiltrate secrets or run commands "without telling the user"... Each signal
// is a short stable name ("ignore-instructions", "role-reassignment", ...).
std::vector<std::string> injection_signals(std::string_view text);

class Guardrails {
 public:
  // `marker` goes into the wrapper tags; the model is told that text between
  // them is untrusted data. 16+ random hex characters.
  explicit Guardrails(std::string marker);

  // Strips invisible characters, neutralises any copy of the marker inside the
  // text (so data cannot close its own wrapper) and wraps it:
  //   <untrusted-data-MARKER source="read">...</untrusted-data-MARKER>
  std::string wrap_untrusted(std::string_view source, std::string_view text) const;

  // What the system prompt says about the wrapper.
  std::string system_notice() const;

  const std::string& marker() const { return marker_; }

 private:
  std::string marker_;
};

// A random marker (hex, from the OS random source).
std::string random_marker();

}  // namespace droid::runner::agent
