#include "policy/normalize.h"

#include <fnmatch.h>

#include <algorithm>
#include <cctype>
#include <string_view>
#include <utility>

#include "policy/paths.h"
#include "policy/program_table.h"

namespace droid::runner::policy {
namespace {

struct Alias {
  std::string_view program;  // "" for every program
  std::string_view from;
  std::string_view to;
};

// Long (and upper-case) spellings of the flags that lists commonly name.
constexpr Alias kAliases[] = {
    {"rm", "--recursive", "-r"},    {"rm", "-R", "-r"},
    {"rm", "--force", "-f"},        {"rm", "--dir", "-d"},
    {"rm", "--verbose", "-v"},      {"rm", "--interactive", "-i"},
    {"cp", "--recursive", "-r"},    {"cp", "-R", "-r"},
    {"cp", "--force", "-f"},        {"cp", "--archive", "-a"},
    {"mv", "--force", "-f"},        {"ln", "--symbolic", "-s"},
    {"ln", "--force", "-f"},        {"chmod", "--recursive", "-R"},
    {"chown", "--recursive", "-R"}, {"chgrp", "--recursive", "-R"},
    {"git", "--force", "-f"},       {"git", "--delete", "-d"},
    {"git", "--all", "-a"},         {"git", "--message", "-m"},
    {"curl", "--output", "-o"},     {"curl", "--data", "-d"},
    {"curl", "--form", "-F"},       {"curl", "--upload-file", "-T"},
    {"curl", "--request", "-X"},    {"wget", "--output-document", "-O"},
    {"kill", "--signal", "-s"},     {"sed", "--in-place", "-i"},
    {"", "--verbose", "-v"},        {"", "--help", "-h"},
};

std::string canonical_flag(std::string_view program, std::string_view flag) {
  std::size_t eq = flag.find('=');
  std::string_view name = flag.substr(0, eq);
  std::string_view value = eq == std::string_view::npos ? std::string_view() : flag.substr(eq);
  for (const auto& a : kAliases)
    if ((a.program.empty() || a.program == program) && a.from == name) return std::string(a.to) + std::string(value);
  return std::string(flag);
}

bool all_letters(std::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); });
}

bool looks_like_path(std::string_view s) { return s.find('/') != std::string_view::npos || s == "." || s == ".."; }

}  // namespace

Normalized normalize(const std::vector<Arg>& argv) {
  Normalized n;
  if (argv.empty()) return n;
  if (argv[0].known && !argv[0].glob) n.program = program_name(argv[0].text, &n.by_path);
  bool operands_only = false;
  for (std::size_t i = 1; i < argv.size(); ++i) {
    const Arg& a = argv[i];
    std::string_view t = a.text;
    // "-m=$msg": an option bound to its value by the program table is a flag, whatever the value.
    bool bound_option = t.size() > 2 && t[0] == '-' && t.find('=') != std::string_view::npos && !operands_only;
    if ((!a.known && !bound_option) || operands_only || t.size() < 2 || t[0] != '-') {
      Arg op = a;
      if (op.known && !op.glob && looks_like_path(t)) {
        op.text = normalize_path(t);
        // ~/.. is above the home directory, which may be anywhere: any directory, "/" too.
        if (t[0] == '~' && op.text[0] != '~') op.known = false;
      }
      n.operands.push_back(std::move(op));
      continue;
    }
    if (t == "--") {
      operands_only = true;
      continue;
    }
    if (t[1] != '-' && all_letters(t.substr(1))) {  // -rf is -r -f
      for (char c : t.substr(1)) n.flags.push_back(canonical_flag(n.program, std::string{'-', c}));
    } else {  // --long, --long=value, -n5, and -X=VALUE (an option bound to its value by the program table)
      n.flags.push_back(canonical_flag(n.program, t));
      std::size_t eq = t.find('=');
      if (eq != std::string_view::npos && eq > 1) n.flags.push_back(canonical_flag(n.program, t.substr(0, eq)));
    }
  }
  std::sort(n.flags.begin(), n.flags.end());
  n.flags.erase(std::unique(n.flags.begin(), n.flags.end()), n.flags.end());
  return n;
}

namespace {

// Whether one of the command's long flags may be an abbreviation of `flag` (GNU
// getopt and git accept unique prefixes of long options: --forc for --force).
bool abbreviates(std::string_view program, const std::vector<std::string>& flags, std::string_view flag) {
  std::vector<std::string_view> longs;
  if (flag.substr(0, 2) == "--") longs.push_back(flag);
  for (const auto& a : kAliases)
    if ((a.program.empty() || a.program == program) && a.to == flag && a.from.substr(0, 2) == "--")
      longs.push_back(a.from);
  for (const auto& f : flags) {
    if (f.size() < 4 || f.compare(0, 2, "--") != 0 || f.find('=') != std::string::npos) continue;
    for (auto l : longs)
      if (l.size() > f.size() && l.substr(0, f.size()) == f) return true;
  }
  return false;
}

// Where a URL or host word leads, as curl reads it: "https://user@Evil.Example.com.:8080/p?q"
// is host "evil.example.com" and rest ":8080/p?q". The scheme and credentials do not change
// the destination; the authority ends at the first '/', '?' or '#' (so "https://evil#@ok" is
// evil); host names are compared percent-decoded, in lower case, without the root's trailing
// dot. Operands are normalised like paths, so the scheme's "//" may have become "/"; a
// scheme has no dot, so "host.example.com:/path" (scp) is a host.
struct Destination {
  std::string host;
  std::string rest;
};

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Destination destination(std::string_view w) {
  std::size_t colon = w.find(":/");
  bool scheme = colon != std::string_view::npos && colon > 0 &&
                std::all_of(w.begin(), w.begin() + static_cast<std::ptrdiff_t>(colon), [](char c) {
                  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '+' || c == '-';
                });
  if (scheme) {
    w.remove_prefix(colon + 1);
    while (!w.empty() && w.front() == '/') w.remove_prefix(1);
  }
  std::size_t end = w.find_first_of("/?#");
  std::string_view authority = w.substr(0, end);
  std::string_view rest = end == std::string_view::npos ? std::string_view() : w.substr(end);
  std::size_t at = authority.rfind('@');
  if (at != std::string_view::npos) authority.remove_prefix(at + 1);
  if (authority.empty()) return {};
  std::size_t host_end = authority.front() == '[' ? authority.find(']') : authority.find(':');
  if (authority.front() == '[' && host_end != std::string_view::npos) ++host_end;
  Destination d;
  std::string_view host = authority.substr(0, host_end);
  for (std::size_t i = 0; i < host.size(); ++i) {
    char c = host[i];
    if (c == '%' && i + 2 < host.size() && hex_digit(host[i + 1]) >= 0 && hex_digit(host[i + 2]) >= 0) {
      c = static_cast<char>(hex_digit(host[i + 1]) * 16 + hex_digit(host[i + 2]));
      i += 2;
    }
    d.host += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (d.host.size() > 1 && d.host.back() == '.') d.host.pop_back();
  if (host_end != std::string_view::npos) d.rest = std::string(authority.substr(host_end));
  d.rest += std::string(rest);
  return d;
}

// Whether a command word leads where an entry naming a host (and maybe a port or path) does.
bool same_destination(std::string_view entry, std::string_view command) {
  if (entry.empty()) return false;
  Destination e = destination(entry);
  if (e.host.find('.') == std::string::npos) return false;  // a host entry names a domain
  Destination d = destination(command);
  // A subdomain is the domain's too (and a channel out of it: SECRET.evil.example.com).
  if (d.host != e.host && !(d.host.size() > e.host.size() + 1 &&
                            d.host.compare(d.host.size() - e.host.size(), e.host.size(), e.host) == 0 &&
                            d.host[d.host.size() - e.host.size() - 1] == '.'))
    return false;
  if (e.rest.empty() || d.rest == e.rest) return true;
  return d.rest.size() > e.rest.size() && d.rest.compare(0, e.rest.size(), e.rest) == 0 &&
         (e.rest.back() == '/' || std::string_view("/:?#").find(d.rest[e.rest.size()]) != std::string_view::npos);
}

bool word_matches(const Arg& entry, const Arg& cmd, MatchMode mode) {
  if (cmd.known && !cmd.glob && entry.text == cmd.text) return true;
  // A glob that matches no file is passed as written (https://evil.example.com?x).
  if (cmd.known && mode == MatchMode::Could && same_destination(entry.text, cmd.text)) return true;
  if (cmd.known && !cmd.glob) return false;
  if (mode == MatchMode::Sure) return false;
  if (!cmd.known) return true;
  if (entry.text == cmd.text) return true;
  // A glob names files; it never expands to "~" or "$HOME" as the shell means them.
  if (!entry.text.empty() && (entry.text[0] == '~' || entry.text.find('$') != std::string::npos)) return false;
  return fnmatch(cmd.text.c_str(), entry.text.c_str(), FNM_PATHNAME) == 0;
}

}  // namespace

bool matches(const Normalized& entry, const Normalized& command, MatchMode mode) {
  if (entry.program.empty()) return false;
  if (mode == MatchMode::Sure && entry.by_path != command.by_path) return false;
  if (command.program.empty()) {
    if (mode == MatchMode::Sure) return false;  // an unknown program could be the entry's
  } else if (entry.program != command.program) {
    // A program given by path may be anything; under its own name it is at least what it claims.
    if (mode == MatchMode::Sure || !command.by_path) return false;
    std::size_t slash = command.program.rfind('/');
    if (command.program.substr(slash + 1) != entry.program) return false;
  }
  bool unknown_words =
      std::any_of(command.operands.begin(), command.operands.end(), [](const Arg& a) { return !a.known; });
  for (const auto& f : entry.flags) {
    if (std::binary_search(command.flags.begin(), command.flags.end(), f)) continue;
    if (mode == MatchMode::Could && unknown_words) continue;
    if (mode == MatchMode::Could && abbreviates(entry.program, command.flags, f)) continue;
    return false;
  }
  if (entry.operands.size() > command.operands.size()) return false;
  if (mode == MatchMode::Sure) {  // the allowlist: the entry's operands start the command's
    for (std::size_t i = 0; i < entry.operands.size(); ++i)
      if (!word_matches(entry.operands[i], command.operands[i], mode)) return false;
    return true;
  }
  // The block and deny lists: the entry's operands appear in order, anywhere (dd bs=1M if=/dev/zero);
  // for a program with subcommands the first is the subcommand, in its place (git push).
  const Program* spec = find_program(entry.program);
  if (spec != nullptr && !spec->subs.empty() && !entry.operands.empty() &&
      !word_matches(entry.operands[0], command.operands[0], mode))
    return false;
  std::size_t k = 0;
  for (std::size_t i = 0; i < command.operands.size() && k < entry.operands.size(); ++i)
    if (word_matches(entry.operands[k], command.operands[i], mode)) ++k;
  return k == entry.operands.size();
}

}  // namespace droid::runner::policy
