// The shield's built-in rule table: one Rule per secret format (cloud and SaaS
// tokens, private keys, JWTs, connection strings, generic assignments).
//
// Contract every rule keeps, which the prefilter relies on: each match of
// `regex` contains at least one of `keywords` (ASCII case-insensitively), and a
// match never spans a line break unless `multiline` is set or the break follows
// one of `continuation` (at most `extra_lines` times); a keyword occurs on the
// match's first line. A rule without keywords
// (only custom patterns may have none) runs on the whole text, and so does a
// `gate_only` rule (custom patterns) once one of its keywords occurs.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace droid::runner::shield {

struct Rule {
  std::string id;           // stable name, shown in findings and placeholders
  std::string description;  // what was found
  std::string regex;        // RE2 syntax
  std::vector<std::string> keywords;
  int secret_group = 0;       // capture group holding the secret; 0 = the whole match
  double min_entropy = 0.0;   // Shannon bits per byte the secret needs (0 = no check)
  bool multiline = false;     // a match may run over several lines
  bool generic = false;       // an assignment to a secret-like name: the value must not look like code
  bool gate_only = false;     // keywords only gate the rule: once one occurs, the regex runs on the whole text
  bool named = false;         // the value is bound to a name, which must not name metadata (…_id, …Length)
  bool quoted_value = false;  // generic: the value is a literal even unquoted (a URL's password)
  // Lines after the keyword's line a match may reach, each only across a line
  // break right after one of `continuation` (a shell's '\\', an XML tag's '>';
  // trailing blanks and '\r' ignored).
  int extra_lines = 0;
  std::string continuation = "";
  // A last check of the secret beyond the regex (nullptr = none): false drops the match.
  bool (*validate)(std::string_view secret) = nullptr;
};

// The built-in rules, most specific first (for one secret found by two rules the
// earlier rule names the finding).
const std::vector<Rule>& builtin_rules();

}  // namespace droid::runner::shield
