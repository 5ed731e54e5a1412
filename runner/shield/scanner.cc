#include "shield/scanner.h"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "shield/entropy.h"
#include "shield/placeholder.h"

namespace droid::runner::shield {
namespace {

std::size_t line_start(std::string_view text, std::size_t pos) {
  const std::size_t nl = text.rfind('\n', pos == 0 ? 0 : pos - 1);
  if (pos == 0 || nl == std::string_view::npos) return 0;
  return nl + 1;
}

// One past the newline that ends the line holding byte pos - 1 (or the text's end).
std::size_t line_end(std::string_view text, std::size_t pos) {
  const std::size_t nl = text.find('\n', pos == 0 ? 0 : pos - 1);
  return nl == std::string_view::npos ? text.size() : nl + 1;
}

// One past the end of the last line a match may reach from the line that ends
// at `end`: up to `extra` more lines, each after a line ending in one of `cont`.
std::size_t extend_lines(std::string_view text, std::size_t end, int extra, std::string_view cont) {
  for (; extra > 0 && end < text.size(); --extra) {
    std::size_t last = end - 1;  // the newline
    while (last > 0 && (text[last - 1] == '\r' || text[last - 1] == ' ' || text[last - 1] == '\t')) --last;
    if (last == 0 || cont.find(text[last - 1]) == std::string_view::npos) break;
    end = line_end(text, end + 1);
  }
  return end;
}

// Rank of a finding for deduplication: known secrets first, then rule order.
std::size_t rank(const std::vector<Rule>& rules, const Finding& f) {
  if (f.rule == kKnownSecretRule) return 0;
  for (std::size_t i = 0; i < rules.size(); ++i)
    if (rules[i].id == f.rule) return i + 1;
  return rules.size() + 1;
}

}  // namespace

Scanner::Scanner(std::vector<Rule> rules, const std::vector<std::string>& known_secrets) : rules_(std::move(rules)) {
  RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(64 << 20);
  std::vector<std::string> keywords;
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    auto re = std::make_unique<RE2>(rules_[i].regex, options);
    if (!re->ok()) throw std::invalid_argument("rule " + rules_[i].id + ": bad regex: " + re->error());
    if (rules_[i].secret_group < 0 || rules_[i].secret_group > re->NumberOfCapturingGroups())
      throw std::invalid_argument("rule " + rules_[i].id + ": no capture group " +
                                  std::to_string(rules_[i].secret_group));
    regexes_.push_back(std::move(re));
    for (const auto& k : rules_[i].keywords) {
      if (k.empty()) continue;
      keywords.push_back(k);
      keyword_rule_.push_back(i);
    }
  }
  for (const auto& s : known_secrets) {
    if (s.size() < kMinKnownSecretLength) continue;
    if (std::find(known_.begin(), known_.end(), s) != known_.end()) continue;
    known_.push_back(s);
    keywords.push_back(s);
  }
  matcher_ = std::make_unique<KeywordMatcher>(keywords);
}

Scanner::~Scanner() = default;
Scanner::Scanner(Scanner&&) noexcept = default;
Scanner& Scanner::operator=(Scanner&&) noexcept = default;

bool Scanner::accept(const Rule& rule, std::string_view text, std::size_t match_begin, std::size_t begin,
                     std::size_t end) const {
  const std::string_view secret = text.substr(begin, end - begin);
  if (secret.empty()) return false;
  if (rule.min_entropy > 0 && shannon_entropy(secret) < rule.min_entropy) return false;
  if (is_placeholder(secret) || is_public_token(secret)) return false;
  if (rule.validate != nullptr && !rule.validate(secret)) return false;
  if (rule.named || rule.generic) {
    // The name from its first character (a match may begin at its keyword: publicToken).
    std::size_t name_begin = match_begin;
    while (name_begin > 0 &&
           (std::isalnum(static_cast<unsigned char>(text[name_begin - 1])) != 0 || text[name_begin - 1] == '_' ||
            text[name_begin - 1] == '-' || text[name_begin - 1] == '.'))
      --name_begin;
    const std::string_view binding = text.substr(name_begin, begin - name_begin);
    const char quote = name_begin > 0 ? text[name_begin - 1] : '\0';
    if (names_metadata(binding) || call_binding_is_code(binding, quote == '"' || quote == '\'' || quote == '`'))
      return false;
  }
  if (!rule.generic) return true;
  const char before = begin > 0 ? text[begin - 1] : '\0';
  const bool quoted = rule.quoted_value || before == '"' || before == '\'' || before == '`';
  return !looks_like_reference(secret, rule.min_entropy > 0, quoted);
}

void Scanner::run_rule(std::size_t rule, std::string_view text, Window window, std::vector<Finding>& out) const {
  const RE2& re = *regexes_[rule];
  const Rule& r = rules_[rule];
  const int groups = r.secret_group + 1;
  std::vector<re2::StringPiece> sub(static_cast<std::size_t>(groups));
  std::size_t pos = window.begin;
  const re2::StringPiece all(text.data(), text.size());
  while (pos <= window.end && re.Match(all, pos, window.end, RE2::UNANCHORED, sub.data(), groups)) {
    const auto mb = static_cast<std::size_t>(sub[0].data() - text.data());
    const std::size_t me = mb + sub[0].size();
    const re2::StringPiece& s = sub[static_cast<std::size_t>(r.secret_group)];
    const std::size_t sb = s.data() != nullptr ? static_cast<std::size_t>(s.data() - text.data()) : 0;
    if (s.data() != nullptr && accept(r, text, mb, sb, sb + s.size())) {
      // The match as shown ends before trailing white space (a rule's end-of-token boundary).
      std::size_t shown_end = me;
      while (shown_end > sb + s.size() && (text[shown_end - 1] == '\n' || text[shown_end - 1] == '\r' ||
                                           text[shown_end - 1] == ' ' || text[shown_end - 1] == '\t'))
        --shown_end;
      out.push_back(Finding{r.id, mb, shown_end, sb, sb + s.size(), 0, 0});
    }
    pos = me > mb ? me : me + 1;
  }
}

std::vector<Finding> Scanner::scan(std::string_view text, ScanStats* stats) const {
  std::vector<Finding> findings;
  std::vector<std::vector<Window>> windows(rules_.size());
  std::size_t hits = 0;
  const std::size_t rule_keywords = keyword_rule_.size();
  matcher_->for_each_match(text, [&](std::uint32_t keyword, std::size_t end) {
    ++hits;
    const std::size_t begin = end - matcher_->keyword_length(keyword);
    if (keyword >= rule_keywords) {
      const std::string& secret = known_[keyword - rule_keywords];
      if (text.compare(begin, secret.size(), secret) == 0)
        findings.push_back(Finding{std::string(kKnownSecretRule), begin, end, begin, end, 0, 0});
      return;
    }
    const std::size_t rule = keyword_rule_[keyword];
    auto& w = windows[rule];
    const Rule& r = rules_[rule];
    if (!w.empty() && (r.multiline || r.gate_only)) return;  // already runs to the end
    if (!w.empty() && begin >= w.back().begin && end <= w.back().end && r.extra_lines == 0) return;
    Window add{r.gate_only ? 0 : line_start(text, begin),
               r.multiline || r.gate_only ? text.size()
                                          : extend_lines(text, line_end(text, end), r.extra_lines, r.continuation)};
    if (!w.empty() && add.begin >= w.back().begin && add.end <= w.back().end) return;
    if (!w.empty() && add.begin <= w.back().end && add.begin >= w.back().begin) {
      w.back().end = std::max(w.back().end, add.end);
    } else {
      w.push_back(add);
    }
  });
  ScanStats local;
  local.keyword_hits = hits;
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    auto& w = windows[i];
    if (rules_[i].keywords.empty()) w.assign(1, Window{0, text.size()});
    if (w.empty()) continue;
    // Hits arrive in order of their end; merge the rare windows that came out of order.
    std::sort(w.begin(), w.end(), [](const Window& a, const Window& b) { return a.begin < b.begin; });
    std::vector<Window> merged;
    for (const auto& x : w) {
      if (!merged.empty() && x.begin <= merged.back().end) {
        merged.back().end = std::max(merged.back().end, x.end);
      } else {
        merged.push_back(x);
      }
    }
    for (const auto& x : merged) {
      local.regex_bytes += x.end - x.begin;
      ++local.regex_windows;
      run_rule(i, text, x, findings);
    }
  }
  if (stats != nullptr) *stats = local;
  finish(text, findings);
  return findings;
}

std::vector<Finding> Scanner::scan_exhaustive(std::string_view text) const {
  std::vector<Finding> findings;
  for (const auto& secret : known_)
    for (std::size_t at = text.find(secret); at != std::string_view::npos; at = text.find(secret, at + 1))
      findings.push_back(Finding{std::string(kKnownSecretRule), at, at + secret.size(), at, at + secret.size(), 0, 0});
  for (std::size_t i = 0; i < rules_.size(); ++i) run_rule(i, text, Window{0, text.size()}, findings);
  finish(text, findings);
  return findings;
}

void Scanner::finish(std::string_view text, std::vector<Finding>& findings) const {
  std::vector<std::pair<std::size_t, Finding>> ranked;
  ranked.reserve(findings.size());
  for (auto& f : findings) ranked.emplace_back(rank(rules_, f), std::move(f));
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return std::tie(a.second.secret_begin, a.second.secret_end, a.first, a.second.match_begin) <
           std::tie(b.second.secret_begin, b.second.secret_end, b.first, b.second.match_begin);
  });
  findings.clear();
  std::size_t line = 1, counted = 0, last_newline = std::string_view::npos;
  for (auto& [r, f] : ranked) {
    if (!findings.empty() && findings.back().secret_begin == f.secret_begin &&
        findings.back().secret_end == f.secret_end)
      continue;
    for (; counted < f.secret_begin; ++counted)
      if (text[counted] == '\n') {
        ++line;
        last_newline = counted;
      }
    f.line = line;
    f.column = last_newline == std::string_view::npos ? f.secret_begin + 1 : f.secret_begin - last_newline;
    findings.push_back(std::move(f));
  }
}

}  // namespace droid::runner::shield
