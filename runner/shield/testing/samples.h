// Test support for the shield: rule samples kept in testdata/positives.tsv as
// "RULE<TAB>TEMPLATE" lines, where a template is literal text with escapes
// (\n newline, \t tab, \\ backslash) and random runs {CLASS:N}:
//   a alphanumeric, l lower-case alphanumeric, U upper-case alphanumeric,
//   h lower hex, H upper hex, d digits, b base64 (A-Za-z0-9+/), w [A-Za-z0-9_-],
//   B base32 (A-Z2-7), k lower-case base32, L lower-case letters, m mixed letters,
//   c bech32 (upper case).
// Expanding a template with a seeded generator gives a fresh, realistic secret
// in context; the tests and the benchmark plant them in generated text.
#pragma once

#include <random>
#include <string>
#include <vector>

namespace droid::runner::shield::testing {

struct Sample {
  std::string rule;     // the rule that must report it
  std::string pattern;  // the template
};

std::vector<Sample> load_samples(const std::string& path = DROID_SHIELD_TESTDATA "/positives.tsv");
std::string expand(const std::string& pattern, std::mt19937_64& rng);

// Non-empty lines of a file, '#' comments skipped, escapes as in templates.
std::vector<std::string> load_lines(const std::string& path);

// A test case of gitleaks' rule definitions (testdata/gitleaks/{tps,fps}.tsv,
// lines "RULE<TAB>TEXT[<TAB>path=PATH]", escapes \n \r \t \\ and \#).
struct Case {
  std::string rule;  // the gitleaks rule whose definition holds the case
  std::string text;
  std::string path;  // the file path gitleaks checks the case under ("" when none)
};
std::vector<Case> load_cases(const std::string& path);

// Filler that looks like source code, logs and config: full of the words rules
// key on ("token", "password", "key-", "sk", URLs) but holding no secret.
std::string filler_line(std::mt19937_64& rng);

}  // namespace droid::runner::shield::testing
