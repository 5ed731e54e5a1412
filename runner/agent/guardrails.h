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

namespace droid::runner::agent {

// Removes zero-width characters (U+200B..U+200F, U+2060..U+2064, U+FEFF), bidi
// embeddings, overrides and isolates (U+202A..U+202E, U+2066..U+2069), Unicode
// tag characters (U+E0000..U+E007F, which can smuggle ASCII invisibly), variation
// selectors (U+FE00..U+FE0F, U+E0100..U+E01EF), soft hyphens and other format
// controls, and C0/C1 control characters except tab, newline and carriage
// return. Invalid UTF-8 bytes become U+FFFD. Returns how many were removed in `removed`.
std::string strip_invisible(std::string_view text, std::size_t* removed = nullptr);

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
