// The shield's detector: finds secrets in a text with a set of rules and a list
// of known secrets (literal strings such as the runner's own credentials).
//
// scan() runs the keyword prefilter (keyword_matcher.h) once over the text and
// then each rule's RE2 only on the lines where one of its keywords occurs (and
// the rule's `extra_lines` after them; a multiline rule from that line on; a
// `gate_only` rule on the whole text once a keyword occurs; a rule without
// keywords always on the whole text). Each match then passes the rule's entropy
// threshold, the placeholder and public-token allow-lists, the rule's own
// `validate` and, for generic rules, the "looks like code" check (which knows
// whether the value was quoted: a quoted "@dm1n!" is a literal, a bare @admin a
// reference). scan_exhaustive() runs every
// regex on the whole text; both return the same findings (a property test holds
// them to it).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "shield/keyword_matcher.h"
#include "shield/rules.h"

namespace re2 {
class RE2;
}

namespace droid::runner::shield {

// The rule id of a known secret's findings.
inline constexpr std::string_view kKnownSecretRule = "known-secret";
// Known secrets shorter than this are ignored: they would redact ordinary text.
inline constexpr std::size_t kMinKnownSecretLength = 6;

struct Finding {
  std::string rule;                              // rule id
  std::size_t match_begin = 0, match_end = 0;    // the regex match without trailing white space
  std::size_t secret_begin = 0, secret_end = 0;  // the secret inside it
  std::size_t line = 0, column = 0;              // 1-based position of the secret (column in bytes)

  bool operator==(const Finding&) const = default;
};

struct ScanStats {
  std::size_t keyword_hits = 0;   // prefilter occurrences
  std::size_t regex_bytes = 0;    // bytes handed to regexes (summed over rules)
  std::size_t regex_windows = 0;  // regex runs
};

class Scanner {
 public:
  // Throws std::invalid_argument when RE2 rejects a rule's regex or a rule's
  // secret group does not exist.
  explicit Scanner(std::vector<Rule> rules, const std::vector<std::string>& known_secrets = {});
  ~Scanner();
  Scanner(Scanner&&) noexcept;
  Scanner& operator=(Scanner&&) noexcept;

  // Findings ordered by secret position; a secret found by several rules is
  // reported once, under the known secret or else the earliest rule.
  std::vector<Finding> scan(std::string_view text, ScanStats* stats = nullptr) const;
  std::vector<Finding> scan_exhaustive(std::string_view text) const;

  const std::vector<Rule>& rules() const { return rules_; }

 private:
  struct Window {
    std::size_t begin, end;
  };
  void run_rule(std::size_t rule, std::string_view text, Window window, std::vector<Finding>& out) const;
  bool accept(const Rule& rule, std::string_view text, std::size_t match_begin, std::size_t begin,
              std::size_t end) const;
  void finish(std::string_view text, std::vector<Finding>& findings) const;

  std::vector<Rule> rules_;
  std::vector<std::unique_ptr<re2::RE2>> regexes_;
  std::vector<std::string> known_;
  std::vector<std::size_t> keyword_rule_;  // prefilter keyword index -> rule index (rules' keywords first)
  std::unique_ptr<KeywordMatcher> matcher_;
};

}  // namespace droid::runner::shield
