#include "policy/policy.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <utility>

#include "policy/analyze.h"
#include "policy/classify.h"
#include "policy/code_calls.h"
#include "policy/code_text.h"
#include "policy/equivalents.h"
#include "policy/parser.h"
#include "policy/program_table.h"

namespace droid::runner::policy {
namespace {

constexpr std::size_t kMaxReasons = 12;

Risk allowed_risk(Autonomy a) {
  switch (a) {
    case Autonomy::Off:
    case Autonomy::Low: return Risk::Low;
    case Autonomy::Medium: return Risk::Medium;
    case Autonomy::High: return Risk::High;
  }
  return Risk::Low;
}

// The words of a list entry: its first simple command as the shell reads it,
// without a trailing "*" or ":*" (Claude Code's prefix notation).
std::vector<Arg> entry_words(std::string text) {
  while (!text.empty() && (text.back() == '*' || text.back() == ' ' || text.back() == ':')) text.pop_back();
  std::vector<Arg> argv;
  ParseResult parsed = parse(text);
  if (parsed.ok() && !parsed.script->items.empty() && !parsed.script->items[0].pipelines.empty() &&
      !parsed.script->items[0].pipelines[0].commands.empty()) {
    for (const auto& w : parsed.script->items[0].pipelines[0].commands[0].words) argv.push_back(Arg{w.text});
    return argv;
  }
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t j = text.find(' ', i);
    if (j == std::string::npos) j = text.size();
    if (j > i) argv.push_back(Arg{text.substr(i, j - i)});
    i = j + 1;
  }
  return argv;
}

// The words of program text that is not shell (python -c, awk, sed e, SQL):
// split at blanks, quotes, brackets and separators, so that
// os.system("rm -rf /") and ["rm", "-rf", "/"] both show "rm -rf /".
std::vector<Arg> code_words(std::string_view code) {
  std::vector<Arg> words;
  std::string w;
  auto flush = [&] {
    while (!w.empty() && w[0] == ':') w.erase(0, 1);  // vim's :!cmd
    if (!w.empty()) words.push_back(Arg{w});
    w.clear();
  };
  for (char c : code) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '"' || c == '\'' || c == '`' || c == '(' || c == '!' ||
        c == ')' || c == '[' || c == ']' || c == '{' || c == '}' || c == ',' || c == ';' || c == '|' || c == '&' ||
        c == '<' || c == '>' || c == '=' || c == ':')
      flush();
    else
      w += c;
  }
  flush();
  return words;
}

// Whether a block or deny entry appears in program text as a command would be
// written: its program's name as a word (or the last part of a path), followed
// by words that match the entry's flags and operands.
bool code_mentions(const Normalized& entry, const std::vector<Arg>& words) {
  constexpr std::size_t kWindow = 16;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i].text;
    std::size_t slash = w.rfind('/');
    std::string_view name = slash == std::string::npos ? std::string_view(w) : std::string_view(w).substr(slash + 1);
    if (name != entry.program) continue;
    // The whole window: whatever the code does after the entry's words only adds flags and
    // operands, which "could" matching allows (flags as a superset, operands in order).
    std::vector<Arg> argv = {Arg{entry.program}};
    for (std::size_t k = i + 1; k < words.size() && k <= i + kWindow; ++k) argv.push_back(words[k]);
    if (matches(entry, canonical_form(argv), MatchMode::Could)) return true;
  }
  return false;
}

// Whether program text names a host a network entry names ("curl evil.example.com" is found
// in urlopen("https://evil.example.com/x"): the code's words are split at ':' and '/').
bool code_reaches(const Normalized& entry, const std::vector<Arg>& words) {
  for (const auto& w : words) {
    std::size_t start = w.text.find_first_not_of('/');
    if (start == std::string::npos) continue;
    Normalized as_command;
    as_command.program = entry.program;
    as_command.operands = {Arg{w.text.substr(start)}};
    if (matches(entry, as_command, MatchMode::Could)) return true;
  }
  return false;
}

void add_reason(std::vector<std::string>& reasons, std::string r) {
  if (reasons.size() < kMaxReasons && std::find(reasons.begin(), reasons.end(), r) == reasons.end())
    reasons.push_back(std::move(r));
}

}  // namespace

nlohmann::json Verdict::to_json() const {
  return {{"decision", decision_name(decision)}, {"risk", risk_name(risk)}, {"reasons", reasons}};
}

std::vector<Policy::Entry> Policy::entries(const nlohmann::json& settings, const char* field) {
  std::vector<Entry> out;
  if (!settings.is_object() || !settings.contains(field) || !settings[field].is_array()) return out;
  for (const auto& e : settings[field]) {
    if (!e.is_string()) continue;
    std::vector<Arg> words = entry_words(e.get<std::string>());
    if (words.empty()) continue;
    Entry entry{e.get<std::string>(), {}, Risk::Low, {}, false};
    entry.normalized = canonical_form(words, &entry.risk);
    entry.forms = forms_of(words, entry.normalized);
    const Normalized& n = entry.normalized;
    entry.names_hosts = is_network_client(n.program) && n.flags.empty() && !n.operands.empty() &&
                        std::all_of(n.operands.begin(), n.operands.end(), [](const Arg& a) {
                          return a.text.find('.') != std::string::npos && a.text.find(' ') == std::string::npos;
                        });
    out.push_back(std::move(entry));
  }
  return out;
}

namespace {

// The program table's examples, checked once per process when the first policy is made: a
// table that does not do what its examples say must not decide anything.
void check_table_once() {
  static const std::vector<std::string> failures = [] {
    std::vector<std::string> all = check_examples();
    for (auto& f : check_equivalence_examples()) all.push_back(std::move(f));
    return all;
  }();
  if (failures.empty()) return;
  std::string message = "the command policy's program table or equivalence rules fail their own examples:";
  for (const auto& f : failures) message += "\n  " + f;
  throw std::logic_error(message);
}

}  // namespace

Policy::Policy(const nlohmann::json& settings, std::string workspace)
    : allow_(entries(settings, "commandAllowlist")),
      deny_(entries(settings, "commandDenylist")),
      block_(entries(settings, "commandBlocklist")),
      workspace_(std::move(workspace)) {
  check_table_once();
}

Verdict Policy::check(std::string_view command, Autonomy autonomy) const {
  Analysis analysis = analyze(command, workspace_);
  Verdict v;
  if (analysis.parts.empty()) {
    v.reasons.emplace_back("nothing to run");
    return v;
  }
  for (const auto& p : analysis.parts) v.risk = std::max(v.risk, p.risk);

  std::vector<std::string> list_reasons;
  std::vector<Decision> decisions;
  decisions.reserve(analysis.parts.size());
  for (const auto& p : analysis.parts) {
    Decision d = p.risk <= allowed_risk(autonomy) ? Decision::Allow : Decision::Ask;
    std::vector<std::vector<Arg>> code;
    for (const auto& text : p.code)
      for (const auto& spelling : code_spellings(text)) {
        code.push_back(code_words(spelling));
        // shutil.rmtree("/") is rm -r -f / (code_calls.h).
        std::string commands = commands_in_calls(spelling);
        if (!commands.empty()) code.push_back(code_words(commands));
      }
    // A program not known statically may be a wrapper of what follows it ($x rm -rf /): the
    // canonical forms from each known word on, made once for every entry.
    std::vector<Normalized> suffixes;
    if (p.is_command && p.normalized.program.empty())
      for (std::size_t i = 1; i < p.argv.size(); ++i)
        if (p.argv[i].known) suffixes.push_back(canonical_form({p.argv.begin() + static_cast<long>(i), p.argv.end()}));
    // The command under its other spellings (equivalents.h): find / -delete is rm -r -f /.
    std::vector<Form> forms;
    if (p.is_command) forms = forms_of(p.argv, p.normalized, p.input_file);
    std::vector<Arg> urls;
    for (const auto& w : p.argv)
      if (std::size_t scheme = w.text.find("://"); w.known && scheme != std::string::npos) {
        std::size_t eq = w.text.rfind('=', scheme);  // --index-url=https://H/
        urls.push_back(Arg{w.text.substr(eq == std::string::npos ? 0 : eq + 1)});
      } else if (std::size_t eq = w.text.find('='); w.known && eq != std::string::npos && eq >= 5) {
        // env https_proxy=H:3128 CMD: a proxy variable names where CMD's requests go.
        std::string name = w.text.substr(0, eq);
        std::transform(name.begin(), name.end(), name.begin(),
                       [](char c) { return static_cast<char>(std::tolower(c)); });
        if (name.size() >= 5 && name.compare(name.size() - 5, 5, "proxy") == 0)
          urls.push_back(Arg{"http://" + w.text.substr(eq + 1)});
      }
    auto match = [&](const std::vector<Entry>& list, MatchMode mode) -> const Entry* {
      for (const auto& e : list) {
        if (p.is_command && mode == MatchMode::Sure && matches(e.normalized, p.normalized, mode)) return &e;
        if (p.is_command && mode == MatchMode::Could && could_match(e.forms, forms)) return &e;
        // git p, where p is an alias (the repository's configuration may define one): any
        // subcommand, so any entry naming one of the program's subcommands.
        if (p.is_command && mode == MatchMode::Could && p.unknown_subcommand && !e.normalized.operands.empty() &&
            e.normalized.program == p.normalized.program)
          return &e;
        // A URL in any command's words reaches its host (pip install --index-url https://H/,
        // git remote add x https://H/): an entry naming H finds it.
        if (p.is_command && mode == MatchMode::Could && e.names_hosts && code_reaches(e.normalized, urls)) return &e;
        // A program not known statically may be the entry's program (x=git; $x push --force) or a
        // wrapper of what follows it (the suffixes above).
        if (p.is_command && mode == MatchMode::Could && p.normalized.program.empty() && !p.argv.empty()) {
          // ... followed by whatever else its expansion holds ("$@", "${cmd[@]}", $CMD may be
          // several words: set -- rm -rf /; "$@").
          std::vector<Arg> as_entry = {Arg{e.normalized.program}, Arg{p.argv[0].text, false, false}};
          as_entry.insert(as_entry.end(), p.argv.begin() + 1, p.argv.end());
          if (matches(e.normalized, canonical_form(as_entry), mode)) return &e;
        }
        if (mode == MatchMode::Could)
          for (const auto& suffix : suffixes)
            if (matches(e.normalized, suffix, mode)) return &e;
        if (mode == MatchMode::Could)
          for (const auto& words : code)
            if (code_mentions(e.normalized, words) || (e.names_hosts && code_reaches(e.normalized, words))) return &e;
      }
      return nullptr;
    };
    // The allow entry for the part: one that names at least its risk, else the first that matches.
    auto allow_entry = [&]() -> const Entry* {
      const Entry* first = nullptr;
      for (const auto& e : allow_) {
        if (!p.is_command || !matches(e.normalized, p.normalized, MatchMode::Sure)) continue;
        if (e.risk >= p.risk) return &e;
        if (first == nullptr) first = &e;
      }
      return first;
    };
    if (const Entry* e = match(block_, MatchMode::Could)) {
      d = Decision::Block;
      add_reason(list_reasons, "'" + p.text + "' matches commandBlocklist entry '" + e->text + "'");
    } else if (const Entry* e2 = match(deny_, MatchMode::Could)) {
      d = std::max(d, Decision::Ask);
      add_reason(list_reasons, "'" + p.text + "' matches commandDenylist entry '" + e2->text + "' (always ask)");
    } else if (const Entry* e3 = allow_entry()) {
      if (p.doubt) {
        if (d != Decision::Allow)
          add_reason(list_reasons, "'" + p.text + "' matches commandAllowlist entry '" + e3->text +
                                       "' but is not allowed: it cannot be fully analysed");
      } else if (p.risk > e3->risk) {
        if (d != Decision::Allow)
          add_reason(list_reasons, "'" + p.text + "' matches commandAllowlist entry '" + e3->text + "' but is " +
                                       std::string(risk_name(p.risk)) + " risk, more than the entry names (" +
                                       std::string(risk_name(e3->risk)) + "): allow the risky form by name");
      } else {
        d = Decision::Allow;
        add_reason(list_reasons, "'" + p.text + "' is allowed by commandAllowlist entry '" + e3->text + "'");
      }
    }
    decisions.push_back(d);
    v.decision = std::max(v.decision, d);
  }
  if (!analysis.parse_error.empty()) v.decision = std::max(v.decision, Decision::Deny);
  // What was never looked at may be anything a list forbids (a blocked command after 2000
  // others): the line is refused, whatever the autonomy level.
  if (analysis.incomplete) v.decision = std::max(v.decision, Decision::Deny);

  for (auto& r : list_reasons) add_reason(v.reasons, std::move(r));
  for (std::size_t i = 0; i < analysis.parts.size(); ++i) {
    const Part& p = analysis.parts[i];
    if (p.risk == v.risk || decisions[i] == v.decision)
      for (const auto& r : p.reasons) add_reason(v.reasons, r);
  }
  if (v.decision == Decision::Ask && v.risk > allowed_risk(autonomy))
    add_reason(v.reasons, std::string(risk_name(v.risk)) + " risk is above what autonomy level " +
                              std::string(autonomy_name(autonomy)) + " allows");
  return v;
}

}  // namespace droid::runner::policy
