#include "shield/placeholder.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace droid::runner::shield {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool contains_any(const std::string& haystack, const auto& needles) {
  return std::any_of(std::begin(needles), std::end(needles),
                     [&](std::string_view n) { return haystack.find(n) != std::string::npos; });
}

// Longest run of one repeated byte.
std::size_t longest_run(std::string_view s) {
  std::size_t best = 0, run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    run = (i > 0 && s[i] == s[i - 1]) ? run + 1 : 1;
    best = std::max(best, run);
  }
  return best;
}

constexpr std::array<std::string_view, 22> kPlaceholderWords = {
    "example", "xxxx",    "****",    "....",       "placeholder", "changeme", "change_me", "change-me",
    "your_",   "your-",   "yourkey", "yourtoken",  "yoursecret",  "dummy",    "redacted",  "fake_",
    "fake-",   "insert_", "insert-", "replace_me", "replace-me",  "todo_",
};
constexpr std::array<std::string_view, 9> kTemplateMarks = {"${", "{{", "}}", "<", ">", "%(", "$(", "#{", "%{"};
constexpr std::array<std::string_view, 7> kCodeWords = {
    "undefined", "process.env", "os.environ", "getenv", "config.", "settings.", "null",
};
constexpr std::array<std::string_view, 14> kSecretWords = {
    "password",  "passwd",      "secret",     "token",  "apikey",  "api_key",   "credential",
    "undefined", "process.env", "os.environ", "getenv", "config.", "settings.", "null",
};

// Public by design: publishable keys, whose secret twins have other prefixes.
constexpr std::array<std::string_view, 7> kPublicPrefixes = {
    "pk.", "pk_live_", "pk_test_", "FLWPUBK-", "FLWPUBK_TEST-", "live_pub_", "test_pub_",
};

// Keys published as examples in SDK sources (firebase-android-sdk), in every
// clone of them; not credentials of anyone's project.
constexpr std::array<std::string_view, 16> kPublishedExampleKeys = {
    "AIzaSyabcdefghijklmnopqrstuvwxyz1234567", "AIzaSyAnLA7NfeLquW1tJFpx_eQCxoX-oo6YyIs",
    "AIzaSyCkEhVjf3pduRDt6d1yKOMitrUEke8agEM", "AIzaSyDMAScliyLx7F0NPDEJi1QmyCgHIAODrlU",
    "AIzaSyD3asb-2pEZVqMkmL6M9N6nHZRR_znhrh0", "AIzayDNSXIbFmlXbIE6mCzDLQAqITYefhixbX4A",
    "AIzaSyAdOS2zB6NCsk1pCdZ4-P6GBdi_UUPwX7c", "AIzaSyASWm6HmTMdYWpgMnjRBjxcQ9CKctWmLd4",
    "AIzaSyANUvH9H9BsUccjsu2pCmEkOPjjaXeDQgY", "AIzaSyA5_iVawFQ8ABuTZNUdcwERLJv_a_p4wtM",
    "AIzaSyA4UrcGxgwQFTfaI3no3t7Lt1sjmdnP5sQ", "AIzaSyDSb51JiIcB6OJpwwMicseKRhhrOq1cS7g",
    "AIzaSyBF2RrAIm4a0mO64EShQfqfd2AFnzAvvuU", "AIzaSyBcE-OOIbhjyR83gm4r2MFCu4MJmprNXsw",
    "AIzaSyB8qGxt4ec15vitgn44duC5ucxaOi4FmqE", "AIzaSyA8vmApnrHNFE0bApF4hoZ11srVL_n0nvY",
};

// Ends in a version: "io.jsonwebtoken:jjwt-jackson-0.11.2", "client-v1.2".
bool versioned(std::string_view s) {
  std::size_t i = s.size(), dots = 0, digits = 0;
  while (i > 0 && (std::isdigit(static_cast<unsigned char>(s[i - 1])) != 0 || s[i - 1] == '.')) {
    --i;
    (s[i] == '.' ? dots : digits)++;
  }
  if (dots == 0 || digits < 2 || i == 0) return false;
  const char before = s[i - 1];
  return before == '-' || before == '_' || before == ':' || before == 'v' || before == '@';
}

// Words in a name that make its value public or per-request, never a credential.
constexpr std::array<std::string_view, 6> kPublicNameWords = {"public", "publishable",  "csrf",
                                                              "xsrf",   "authenticity", "nonce"};

// [A-Za-z_][A-Za-z0-9_]*
bool is_identifier(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s.front()))) return false;
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c) || c == '_'; });
}

// The last words of names that hold data about a secret, not the secret.
constexpr std::array<std::string_view, 34> kMetadataWords = {
    "id",      "ids",     "name",   "names",   "path",     "file",    "filename", "url",    "uri",
    "type",    "length",  "len",    "size",    "count",    "expiry",  "expires",  "hours",  "seconds",
    "ttl",     "timeout", "format", "field",   "label",    "version", "mode",     "prefix", "regex",
    "pattern", "policy",  "ref",    "enabled", "required", "minutes", "variable",
};

}  // namespace

bool names_metadata(std::string_view name) {
  // Drop the operator and quotes: `credentialsId: '` -> `credentialsId`.
  if (contains_any(lower(name), kPublicNameWords)) return true;
  while (!name.empty() && std::string_view(" \t\"'`=:>,.?+|&[]()").find(name.back()) != std::string_view::npos)
    name.remove_suffix(1);
  for (std::string_view word : kMetadataWords) {
    if (name.size() <= word.size()) continue;
    const std::string_view tail = name.substr(name.size() - word.size());
    if (lower(tail) != word) continue;
    const char before = name[name.size() - word.size() - 1];
    const bool camel = std::isupper(static_cast<unsigned char>(tail.front())) != 0 &&
                       std::islower(static_cast<unsigned char>(before)) != 0;
    if (before == '_' || before == '-' || before == '.' || camel) return true;
  }
  return false;
}

bool call_binding_is_code(std::string_view binding, bool quote_before_name) {
  std::size_t name_end = 0;
  while (name_end < binding.size() &&
         (std::isalnum(static_cast<unsigned char>(binding[name_end])) != 0 || binding[name_end] == '_' ||
          binding[name_end] == '-' || binding[name_end] == '.'))
    ++name_end;
  const std::string_view rest = binding.substr(name_end);
  if (rest.find_first_of("=:") != std::string_view::npos) return false;  // an assignment after all
  if (rest.find(',') != std::string_view::npos) return !quote_before_name;
  if (rest.find('(') != std::string_view::npos) {
    std::string name = lower(binding.substr(0, name_end));
    if (const auto dot = name.rfind('.'); dot != std::string::npos) name.erase(0, dot + 1);
    return !(name.starts_with("set") || name.starts_with("with") || name.starts_with("put") || name.starts_with("add"));
  }
  return false;
}

bool is_placeholder(std::string_view secret) {
  const std::string s = lower(secret);
  if (contains_any(s, kPlaceholderWords) || contains_any(s, kTemplateMarks)) return true;
  if (secret.size() >= 6 && longest_run(secret) * 2 > secret.size()) return true;
  // Counting runs and elisions ("ops_eyJzaWdu...").
  if (s.find("0123456789") != std::string::npos || s.find("abcdefghij") != std::string::npos) return true;
  return s.ends_with("...") || s.ends_with("\u2026");
}

bool is_public_token(std::string_view secret) {
  for (std::string_view prefix : kPublicPrefixes)
    if (secret.substr(0, prefix.size()) == prefix) return true;
  return std::find(kPublishedExampleKeys.begin(), kPublishedExampleKeys.end(), secret) != kPublishedExampleKeys.end();
}

bool looks_like_reference(std::string_view value, bool strict, bool quoted) {
  if (value.empty()) return true;
  const char first = value.front();
  if (first == '{' && value.back() == '}') return true;  // {name}: a format field
  if (quoted) {
    if (first == '$' && (value.size() == 1 || is_identifier(value.substr(1)) || value[1] == '{' || value[1] == '('))
      return true;
  } else if (first == '$' || first == '%' || first == '{' || first == '@' || first == '&' || first == '*') {
    return true;
  }
  if (value.find('(') != std::string_view::npos || value.find("->") != std::string_view::npos) return true;
  const std::string s = lower(value);
  // Inside quotes a secret-like word is part of a literal ("CleartextPassword1"),
  // unless the literal is code that reads a secret.
  if (quoted ? contains_any(s, kCodeWords) : contains_any(s, kSecretWords)) return true;
  if (versioned(s)) return true;
  if (!quoted && value.find('[') != std::string_view::npos && value.back() == ']') return true;  // x[1:6]
  if (s == "true" || s == "false" || s == "none" || s == "nil") return true;
  if (!strict) return false;
  // A literal secret nearly always mixes in digits; a bare word or dotted name is code.
  return std::none_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c); });
}

}  // namespace droid::runner::shield
