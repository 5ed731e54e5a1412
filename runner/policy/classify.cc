#include "policy/classify.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <optional>
#include <utility>

#include "policy/handlers.h"
#include "policy/paths.h"
#include "policy/program_table.h"

namespace droid::runner::policy {

void Assessment::raise(Risk r, std::string reason, bool from_doubt) {
  if (r > risk) risk = r;
  if (from_doubt) doubt = true;
  if (std::find(reasons.begin(), reasons.end(), reason) == reasons.end()) reasons.push_back(std::move(reason));
}

namespace {

bool non_ascii(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

std::string basename_of(const std::string& path) {
  std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The host of a URL-like word ("https://user@h:8080/x" is "h"; "h/x" is "h").
std::string host_of(std::string_view w) {
  std::size_t scheme = w.find("://");
  if (scheme != std::string_view::npos) w.remove_prefix(scheme + 3);
  w = w.substr(0, w.find_first_of("/?#"));
  std::size_t at = w.rfind('@');
  if (at != std::string_view::npos) w.remove_prefix(at + 1);
  if (!w.empty() && w.front() == '[') return std::string(w.substr(1, w.find(']') - 1));
  return std::string(w.substr(0, w.find(':')));
}

// The cloud metadata services (169.254.169.254 in any spelling inet_aton takes,
// the rest of link-local 169.254/16, Alibaba's 100.100.100.200, the names GCP and
// AWS give them, AWS's IPv6 address): they hand out the node's credentials.
bool is_metadata_host(std::string_view word) {
  std::string host = host_of(word);
  std::transform(host.begin(), host.end(), host.begin(), [](char ch) { return static_cast<char>(std::tolower(ch)); });
  while (!host.empty() && host.back() == '.') host.pop_back();
  if (host.empty()) return false;
  // Names that resolve to it through wildcard DNS (169.254.169.254.nip.io, 169-254-169-254.sslip.io).
  if (host.find("169.254.169.254") != std::string::npos || host.find("169-254-169-254") != std::string::npos ||
      host.find("a9fea9fe") != std::string::npos)
    return true;
  if (host == "metadata.google.internal" || host == "metadata" || host == "instance-data" ||
      host == "instance-data.ec2.internal" || host == "metadata.azure.com" || host == "fd00:ec2::254")
    return true;
  in6_addr addr6{};
  if (inet_pton(AF_INET6, host.c_str(), &addr6) == 1) {
    static const unsigned char kAws[16] = {0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54};
    if (std::equal(addr6.s6_addr, addr6.s6_addr + 16, kAws)) return true;
    bool mapped = std::all_of(addr6.s6_addr, addr6.s6_addr + 10, [](unsigned char b) { return b == 0; }) &&
                  ((addr6.s6_addr[10] == 0xff && addr6.s6_addr[11] == 0xff) ||
                   (addr6.s6_addr[10] == 0 && addr6.s6_addr[11] == 0));
    if (!mapped) return false;
    return addr6.s6_addr[12] == 169 && addr6.s6_addr[13] == 254;
  }
  in_addr addr{};
  if (inet_aton(host.c_str(), &addr) == 0) return false;
  std::uint32_t ip = ntohl(addr.s_addr);
  return (ip >> 16) == ((169u << 8) | 254u) || ip == ((100u << 24) | (100u << 16) | (100u << 8) | 200u);
}

bool is_device(std::string_view text) { return text.rfind("/dev/", 0) == 0 && !text.empty(); }

// How the arguments of a command line up against its entry: options (with their
// values), the subcommand and nested subcommands, operands.
class Reader {
 public:
  Reader(const Invocation& inv, const Program& spec, const std::string& name, std::string_view workspace, Assessment& a)
      : inv_(inv), spec_(spec), name_(name), workspace_(workspace), a_(a) {}

  void run() {
    canonical_.push_back(Arg{name_});
    std::size_t i = 1;
    const Subcommand* sub = nullptr;
    const std::vector<Subcommand>* subs = spec_.subs.empty() ? nullptr : &spec_.subs;
    Risk sub_risk = Risk::Low;
    std::string sub_why;
    bool sub_set = false;
    std::vector<Arg> operands;
    std::vector<std::size_t> operand_index;
    bool options_done = false;
    std::size_t args_begin = 1;
    std::vector<const Option*> options = list(spec_.options);
    // args(), not inv_.argv: an alias's expansion replaces the words from where it stands.
    while (i < args().size()) {
      const auto& argv = args();
      const Arg& a = argv[i];
      if (!a.known && !options_done && subs != nullptr) {
        base();
        a_.raise(Risk::High, name_ + ": a subcommand or option not known statically", true);
        canonical_.insert(canonical_.end(), argv.begin() + static_cast<std::ptrdiff_t>(i), argv.end());
        finish(operands, operand_index, nullptr, args_begin);
        return;
      }
      if (a.known && !options_done && a.text == "--") {
        operand_word(a.text, options);
        options_done = true;
        ++i;
        continue;
      }
      if (a.known && !options_done && is_option(a.text)) {
        i = option(i, options);
        if (run_rest_from_) {  // cmake -E CMD ARGS: the rest is the command
          rest_ = args_from(args(), i);
          break;
        }
        continue;
      }
      // An operand: the subcommand, when one is expected here.
      if (subs != nullptr && a.known) {
        std::vector<std::string> words = resolve(a.text, subs);
        const Subcommand* found = find_sub(words.empty() ? a.text : words[0], *subs);
        if (found == nullptr && sub == nullptr) {
          a_.raise(spec_.unknown_sub, name_ + ": unknown subcommand '" + a.text + "' (it could be an alias)", true);
          a_.unknown_subcommand = true;
        } else if (found == nullptr) {
          a_.raise(sub->unknown, name_ + " " + std::string(sub->name) + ": unknown subcommand '" + a.text + "'",
                   sub->unknown == Risk::High);
        }
        if (found != nullptr) {
          sub = found;
          sub_risk = sub->risk;
          sub_why = sub->why.empty() ? name_ + " " + std::string(sub->name) : std::string(sub->why);
          sub_set = true;
          canonical_.push_back(Arg{std::string(sub->name)});
          // An alias's extra words ("p = push --force") are part of the command.
          std::vector<Arg> extra;
          for (std::size_t k = 1; k < words.size(); ++k) extra.push_back(Arg{words[k]});
          bool first_level = subs == &spec_.subs;
          if (first_level && !spec_.options_anywhere) options.clear();  // git's global options end here
          for (const auto& o : sub->options) options.push_back(&o);
          if (!extra.empty()) {  // read on through the expansion, like the words written out
            a_.raise(Risk::Low, name_ + " alias '" + a.text + "' is '" + join(words) + "'");
            std::vector<Arg> argv2 = argv;
            argv2.insert(argv2.begin() + static_cast<std::ptrdiff_t>(i) + 1, extra.begin(), extra.end());
            expanded_ = std::move(argv2);  // `a` and `argv` are not used after this
          }
          subs = sub->subs.empty() ? nullptr : &sub->subs;
          args_begin = i + 1;
          ++i;
          continue;
        }
        subs = nullptr;  // an unknown subcommand: the rest are its arguments
        canonical_.push_back(a);
        args_begin = i + 1;
        ++i;
        continue;
      }
      if (subs != nullptr) subs = nullptr;
      if (a.known) operand_word(a.text, options);
      operands.push_back(a);
      operand_index.push_back(i);
      canonical_.push_back(a);
      ++i;
      // An interpreter's or shell's options end at its first operand (the script, the module
      // after -m, the code after -c): what follows is the script's, so `python3 x.py -c` and
      // `python3 -m pdb -c CMD` do not have python's -c.
      if ((spec_.handler == Handler::Interpreter || spec_.handler == Handler::Shell) && !options_done) {
        options_done = true;
        if (i < args().size()) canonical_.push_back(Arg{"--"});  // normalize() reads the rest as operands
      }
      // A wrapper's command starts at its first operand after `wrapper_skip` ones.
      if (spec_.handler == Handler::Wrapper && sub == nullptr &&
          operands.size() > static_cast<std::size_t>(spec_.wrapper_skip))
        break;
    }
    if (sub_set) {
      if (sets_) sub_risk = *sets_;
      a_.raise(sub_risk, sub_why);
    } else if (!only_asks_for_information()) {
      base();
    }
    finish(operands, operand_index, sub, args_begin);
  }

  std::vector<Arg> canonical() { return std::move(canonical_); }

  // `cargo --version`, `make --help`: nothing but a question about the program.
  bool only_asks_for_information() const {
    const auto& argv = inv_.argv;
    if (argv.size() < 2) return false;
    for (std::size_t i = 1; i < argv.size(); ++i) {
      const std::string& t = argv[i].text;
      if (!argv[i].known || (t != "--version" && t != "-V" && t != "--help" && t != "-h" && t != "-v")) return false;
    }
    return true;
  }

  // The program's own risk, when no subcommand says otherwise.
  void base() { a_.raise(spec_.risk, spec_.why.empty() ? name_ + " runs" : std::string(spec_.why)); }

 private:
  const Invocation& inv_;
  const Program& spec_;
  const std::string& name_;
  std::string_view workspace_;
  Assessment& a_;
  std::vector<Arg> canonical_;
  std::vector<Arg> expanded_;
  std::map<std::string, std::string> cli_aliases_;  // git -c alias.NAME=VALUE
  std::optional<Risk> sets_;
  bool lookup_only_ = false;
  std::optional<Arg> run_rest_from_;  // RunsRest: the command's first word
  std::vector<Arg> rest_;             // RunsRest: the words after it

  static std::vector<const Option*> list(const std::vector<Option>& options) {
    std::vector<const Option*> out;
    out.reserve(options.size());
    for (const auto& o : options) out.push_back(&o);
    return out;
  }

  static std::string join(const std::vector<std::string>& words) {
    std::string s;
    for (const auto& w : words) s += (s.empty() ? "" : " ") + w;
    return s;
  }

  static bool is_option(std::string_view t) { return t.size() > 1 && (t[0] == '-' || t[0] == '+'); }

  const std::vector<Arg>& args() const { return expanded_.empty() ? inv_.argv : expanded_; }

  // The words a subcommand name stands for: a command-line alias, a built-in
  // alias, or itself.
  std::vector<std::string> resolve(const std::string& word, const std::vector<Subcommand>* subs) {
    auto it = cli_aliases_.find(word);
    if (it != cli_aliases_.end() && find_sub(word, *subs) == nullptr) {
      std::vector<std::string> words;
      const std::string& v = it->second;
      for (std::size_t i = 0; i < v.size();) {
        std::size_t j = v.find_first_of(" \t", i);
        if (j == std::string::npos) j = v.size();
        if (j > i) words.push_back(v.substr(i, j - i));
        i = j + 1;
      }
      return words;
    }
    if (subs == &spec_.subs)
      for (const auto& [alias, target] : spec_.aliases)
        if (alias == word) return {std::string(target)};
    return {};
  }

  // The subcommand named `word`, or the one it abbreviates when the program
  // accepts abbreviations (the strictest of the candidates when ambiguous).
  const Subcommand* find_sub(const std::string& word, const std::vector<Subcommand>& subs) const {
    for (const auto& s : subs)
      if (s.name == word) return &s;
    if (!spec_.abbreviations || word.size() < 2) return nullptr;
    const Subcommand* best = nullptr;
    for (const auto& s : subs)
      if (s.name.size() > word.size() && s.name.substr(0, word.size()) == word)
        if (best == nullptr || s.risk > best->risk) best = &s;
    return best;
  }

  // An operand word the entry gives an effect ("." for git checkout).
  void operand_word(const std::string& word, const std::vector<const Option*>& options) {
    for (const Option* o : options)
      if (o->name.size() == 2 && o->name[1] == '*' && o->name[0] != '-' && word.size() > 1 && word[0] == o->name[0]) {
        // "+*": an operand that starts with "+" (git push origin +main forces the update)
        a_.raise(o->risk, o->why.empty() ? name_ + " " + word : std::string(o->why));
        if (!o->canonical.empty()) canonical_.push_back(Arg{std::string(o->canonical)});
        return;
      }
    for (const Option* o : options)
      if (o->name == word && (o->name == "--" || (o->name[0] != '-' && o->name[0] != '+'))) {
        a_.raise(o->risk, o->why.empty() ? name_ + " " + word : std::string(o->why));
        return;
      }
  }

  // The option at argv[i] (with its value); returns the index after it.
  std::size_t option(std::size_t i, const std::vector<const Option*>& options) {
    const auto& argv = args();
    const std::string& t = argv[i].text;
    auto value_at = [&](std::size_t k) -> Arg { return k < argv.size() ? argv[k] : Arg{"", true}; };
    if (t[0] == '+') {  // vim +cmd, less +cmd
      if (std::none_of(options.begin(), options.end(), [](const Option* o) { return o->name == "+"; })) {
        operand_word(t, options);  // git push origin +main: an operand that starts with "+"
      }
      for (const Option* o : options)
        if (o->name == "+") {
          // less +G, vim +42, vim +/pattern are harmless; +!cmd and +|cmd reach a shell, and
          // vim's other +commands are editor code.
          bool harmless = t.find_first_not_of("0123456789", 1) == std::string::npos || t[1] == '/' || t[1] == '?' ||
                          o->effect != Effect::RunsCode;
          if (t.find_first_of("!|") != std::string::npos || !harmless) apply(*o, Arg{t.substr(1)});
          return i + 1;
        }
      canonical_.push_back(argv[i]);
      return i + 1;
    }
    if (t[1] == '-') {  // --long, --long=value, and unique prefixes of long options (GNU, git)
      std::size_t eq = t.find('=');
      std::string name = t.substr(0, eq);
      const Option* match = nullptr;
      for (const Option* o : options)
        if (o->name == name) match = o;
      if (match == nullptr && name.size() >= 4)
        for (const Option* o : options)
          if (o->name.size() > name.size() && o->name.substr(0, name.size()) == name &&
              (match == nullptr || o->effect != Effect::None))
            match = o;
      if (match == nullptr) {
        canonical_.push_back(argv[i]);
        return i + 1;
      }
      if (!match->value) {
        apply(*match, Arg{});
        return i + 1;
      }
      if (eq != std::string::npos) {
        apply(*match, Arg{t.substr(eq + 1), argv[i].known, argv[i].glob});
        return i + 1;
      }
      apply(*match, value_at(i + 1));
      return i + 2;
    }
    // -abc: single letters, up to the first that takes a value (-Cdir, -xzf FILE).
    std::size_t next = i + 1;
    std::string unknown = "-";
    for (std::size_t k = 1; k < t.size(); ++k) {
      std::string name = std::string("-") + t[k];
      const Option* match = nullptr;
      for (const Option* o : options)
        if (o->name == name || (k == 1 && o->name == t)) match = o;
      if (match != nullptr && match->name == t) {  // a multi-letter short option (-rf in some table)
        apply(*match, match->value ? value_at(i + 1) : Arg{});
        return match->value ? i + 2 : i + 1;
      }
      if (match == nullptr) {
        unknown += t[k];
        continue;
      }
      if (!match->value) {
        apply(*match, Arg{});
        continue;
      }
      if (k + 1 < t.size()) {
        apply(*match, Arg{t.substr(k + 1), argv[i].known, argv[i].glob});
      } else {
        apply(*match, value_at(i + 1));
        next = i + 2;
      }
      break;
    }
    if (unknown.size() > 1) canonical_.push_back(Arg{unknown});
    return next;
  }

  void apply(const Option& o, const Arg& value) {
    std::string why = o.why.empty() ? name_ + " " + std::string(o.name) : std::string(o.why);
    bool global = std::any_of(spec_.options.begin(), spec_.options.end(), [&](const Option& g) { return &g == &o; }) &&
                  !spec_.subs.empty();
    // Global options and their values are not part of the command the lists see.
    std::string_view flag = o.canonical.empty() ? o.name : o.canonical;
    if (!global)
      canonical_.push_back(
          Arg{o.value ? std::string(flag) + "=" + value.text : std::string(flag), value.known || !o.value, value.glob});
    switch (o.effect) {
      case Effect::None: return;
      case Effect::Raise: a_.raise(o.risk, why); return;
      case Effect::Reads: {
        PathKind kind = classify_path(value.text, value.known && !value.glob, workspace_);
        bool inside = kind == PathKind::Workspace || !o.value;
        a_.raise(inside ? o.risk : Risk::High, inside ? why : why + " (" + value.text + ", outside the workspace)",
                 true);
        return;
      }
      case Effect::Project:
        if (classify_path(value.text, value.known && !value.glob, workspace_) != PathKind::Workspace)
          a_.raise(Risk::High, why + " (" + value.text + ", outside the workspace)", true);
        return;
      case Effect::RunsCode:
        a_.raise(std::max(o.risk, Risk::High), why, true);
        a_.code.push_back(value.text);
        return;
      case Effect::RunsShell:
      case Effect::RunsProgram:
        a_.raise(std::max(o.risk, o.effect == Effect::RunsProgram ? Risk::High : Risk::Medium), why,
                 o.effect == Effect::RunsProgram);
        if (!value.known) {
          a_.raise(Risk::High, why + " (a command not known statically)", true);
          return;
        }
        // "exec=CMD" (tar --checkpoint-action), "!CMD" (vim +!, less +!), ":!CMD" (vim -c)
        {
          std::string v = value.text;
          if (v.rfind("exec=", 0) == 0) v = v.substr(5);
          while (!v.empty() && (v[0] == ':' || v[0] == '!')) v.erase(0, 1);
          if (!v.empty()) a_.scripts.push_back(v);
        }
        return;
      case Effect::Writes: assess_write(a_, value, name_ + " " + std::string(o.name), workspace_); return;
      case Effect::GitConfig: git_config(value); return;
      case Effect::Sets: sets_ = o.risk; return;
      case Effect::Lookup: lookup_only_ = true; return;
      case Effect::Connects:
        a_.raise(o.risk, why);
        for (auto& d : destinations_in(value)) canonical_.push_back(std::move(d));
        return;
      case Effect::ConnectsFrom: {
        PathKind kind = classify_path(value.text, value.known && !value.glob, workspace_);
        a_.raise(kind == PathKind::Workspace ? std::max(o.risk, Risk::Medium) : Risk::High,
                 why + " (what it names is not analysed)", true);
        canonical_.push_back(Arg{value.text, false, false});
        return;
      }
      case Effect::RunsRest: {
        a_.raise(std::max(o.risk, Risk::Medium), why);
        if (!value.known) {
          a_.raise(Risk::High, why + " (a command not known statically)", true);
          return;
        }
        run_rest_from_ = value;
        return;
      }
    }
  }

  // The destinations an option value names: itself ("http://proxy:3128"), what follows a
  // '=' (wget -e http_proxy=HOST), each of a list (ssh -J a,b) and each field of curl's
  // --connect-to HOST1:PORT1:HOST2:PORT2.
  static std::vector<Arg> destinations_in(const Arg& value) {
    std::vector<Arg> out = {value};
    if (!value.known) return out;
    std::string v = value.text.substr(value.text.find('=') == std::string::npos ? 0 : value.text.find('=') + 1);
    std::size_t from = 0;
    while (from <= v.size()) {
      std::size_t end = v.find_first_of(",:", from);
      if (end == std::string::npos) end = v.size();
      if (end > from) out.push_back(Arg{v.substr(from, end - from), true, value.glob});
      if (end < v.size() && v.compare(end, 3, "://") == 0) {  // a URL: whole, not cut at its scheme
        out.push_back(Arg{v.substr(from), true, value.glob});
        break;
      }
      from = end + 1;
    }
    return out;
  }

  void git_config(const Arg& kv) {
    if (!kv.known) {
      a_.raise(Risk::High, name_ + " -c with a value not known statically", true);
      return;
    }
    std::size_t eq = kv.text.find('=');
    std::string key = kv.text.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : kv.text.substr(eq + 1);
    std::string lower = key;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](char ch) { return static_cast<char>(std::tolower(ch)); });
    if (lower.rfind("alias.", 0) == 0) {
      std::string alias = key.substr(6);
      if (!value.empty() && value[0] == '!') {
        a_.raise(Risk::High, name_ + " alias " + alias + " runs a shell command", true);
        a_.scripts.push_back(value.substr(1));
      } else {
        cli_aliases_[alias] = value;
      }
      return;
    }
    if (safe_git_config_key(key)) return;
    a_.raise(Risk::High, name_ + " -c " + key + " can make git run other programs or send data elsewhere", true);
    if (!value.empty()) a_.scripts.push_back(value[0] == '!' ? value.substr(1) : value);
  }

  void finish(const std::vector<Arg>& operands, const std::vector<std::size_t>& index, const Subcommand* sub,
              std::size_t args_begin) {
    Operands rule = sub != nullptr && sub->operands != Operands::Any ? sub->operands : spec_.operands;
    std::string who = sub != nullptr ? name_ + " " + std::string(sub->name) : name_;
    if (sub != nullptr && !operands.empty() && sub->operand_risk > Risk::Low && !sets_)
      a_.raise(sub->operand_risk, who + " " + operands[0].text + " changes the repository");
    for (auto f : spec_.runs_files) a_.executes.emplace_back(f);
    if (sub != nullptr)
      for (auto f : sub->runs_files) a_.executes.emplace_back(f);
    for (std::size_t k = 0; k < operands.size(); ++k) {
      const Arg& op = operands[k];
      switch (rule) {
        case Operands::Any: break;
        case Operands::Paths: {
          PathKind kind = operand_kind(op, workspace_);
          if (kind == PathKind::Workspace && op.glob && op.text.find('/') == std::string::npos) break;
          if (kind != PathKind::Workspace && kind != PathKind::Temp && kind != PathKind::Null)
            a_.raise(Risk::High, who + " acts on '" + op.text + "' (outside the workspace or not known statically)",
                     kind == PathKind::Unknown);
          break;
        }
        case Operands::Writes: assess_write(a_, op, who, workspace_); break;
        case Operands::WritesLast:
          if (k + 1 == operands.size() && operands.size() > 1) {
            assess_write(a_, op, who, workspace_);
          } else {
            PathKind kind = classify_path(op.text, op.known && !op.glob, workspace_);
            // ~ is the home directory: outside. An expansion ($f, {} of xargs) is only read by cp.
            if (kind == PathKind::WorkspaceConfig || kind == PathKind::Outside || kind == PathKind::Device ||
                (kind == PathKind::Unknown && op.known))
              a_.raise(Risk::High, who + " " + op.text + ": a sensitive file, or one outside the workspace");
          }
          break;
        case Operands::Devices:
          if (!op.known || is_device(normalize_path(op.text)))
            a_.raise(Risk::High, who + " acts on the device " + op.text, !op.known);
          break;
        case Operands::Transfer: {
          std::size_t colon = op.text.find(':');
          if (!op.known || (colon != std::string::npos && colon > 0 && op.text.find('/') > colon))
            a_.raise(Risk::High, who + " to or from a remote host ('" + op.text + "')", !op.known);
          if (k + 1 == operands.size() && operands.size() > 1) assess_write(a_, op, who, workspace_);
          break;
        }
        case Operands::Assignments: {
          std::size_t eq = op.text.find('=');
          if (eq != std::string::npos && eq > 0) {
            std::string var = op.text.substr(0, eq);
            if (is_sensitive_variable(var) || var == "SHELL" || var == ".SHELLFLAGS" || var == "MAKESHELL" ||
                var == "MAKEFLAGS" || var == "MAKEFILES")
              a_.raise(Risk::High, who + " " + var.append("= changes the programs it runs"), true);
          }
          break;
        }
        case Operands::System: a_.raise(Risk::High, who + " " + op.text + " changes the system"); break;
        case Operands::Urls:
          if (!op.known || op.text.find("://") != std::string::npos || starts_with(op.text, "git+") ||
              starts_with(op.text, "git@"))
            a_.raise(Risk::High, who + " takes '" + op.text + "' from an arbitrary URL or an unknown source",
                     !op.known);
          break;
      }
    }
    (void)index;
    if (run_rest_from_) {  // cmake -E rm -rf x: the value and the operands after it
      std::vector<Arg> run = {*run_rest_from_};
      run.insert(run.end(), rest_.begin(), rest_.end());
      a_.runs.push_back(std::move(run));
    }
    Handler h = sub != nullptr && sub->handler != Handler::None ? sub->handler : spec_.handler;
    if (h == Handler::Wrapper) {
      wrap(operands, index);
      return;
    }
    if (h != Handler::None) {
      HandlerContext c{inv_, args(), name_, args_begin, workspace_, a_};
      run_handler(h, c);
    }
  }

  // A wrapper runs the command that starts after its options and `wrapper_skip` operands.
  void wrap(const std::vector<Arg>& operands, const std::vector<std::size_t>& index) {
    if (lookup_only_) return;
    std::size_t skip = static_cast<std::size_t>(spec_.wrapper_skip);
    if (operands.size() <= skip) {
      // No command: sudo -s, sudo -i, doas -s start a shell that reads the input.
      if (inv_.input == Stdin::HereDoc || inv_.input == Stdin::HereString) {
        if (inv_.input_known)
          a_.scripts.push_back(inv_.input_text);
        else
          a_.raise(Risk::High, name_ + " runs a shell on input not known statically", true);
      }
      return;
    }
    std::size_t from = index[skip];
    const auto& argv = args();
    if (!argv[from].known) {
      a_.raise(Risk::High, name_ + " runs a program not known statically", true);
      return;
    }
    a_.runs.push_back(args_from(argv, from));
  }
};

}  // namespace

bool is_sensitive_variable(std::string_view name) {
  static constexpr std::array<std::string_view, 44> kNames = {"PATH",
                                                              "LD_PRELOAD",
                                                              "LD_LIBRARY_PATH",
                                                              "LD_AUDIT",
                                                              "BASH_ENV",
                                                              "ENV",
                                                              "PROMPT_COMMAND",
                                                              "IFS",
                                                              "SHELLOPTS",
                                                              "BASHOPTS",
                                                              "PS4",
                                                              "GIT_SSH",
                                                              "GIT_SSH_COMMAND",
                                                              "GIT_EXTERNAL_DIFF",
                                                              "GIT_PAGER",
                                                              "GIT_EDITOR",
                                                              "GIT_ASKPASS",
                                                              "GIT_EXEC_PATH",
                                                              "GIT_DIR",
                                                              "GIT_WORK_TREE",
                                                              "GIT_PROXY_COMMAND",
                                                              "GIT_TEMPLATE_DIR",
                                                              "PAGER",
                                                              "EDITOR",
                                                              "VISUAL",
                                                              "MANPAGER",
                                                              "LESSOPEN",
                                                              "LESSCLOSE",
                                                              "PYTHONPATH",
                                                              "PYTHONSTARTUP",
                                                              "PYTHONHOME",
                                                              "NODE_OPTIONS",
                                                              "NODE_PATH",
                                                              "PERL5OPT",
                                                              "PERL5LIB",
                                                              "RUBYOPT",
                                                              "RUBYLIB",
                                                              "JAVA_TOOL_OPTIONS",
                                                              "_JAVA_OPTIONS",
                                                              "HOME",
                                                              "SSH_AUTH_SOCK",
                                                              "SUDO_ASKPASS",
                                                              "BROWSER",
                                                              "HISTFILE"};
  if (std::find(kNames.begin(), kNames.end(), name) != kNames.end() || is_command_variable(name)) return true;
  static constexpr std::array<std::string_view, 10> kPrefixes = {
      "GIT_CONFIG", "DYLD_", "npm_config_", "NPM_CONFIG_", "BASH_FUNC_",
      "http_proxy", "HTTP",  "ALL_PROXY",   "LESS",        "RUSTC_WRAPPER"};
  for (auto p : kPrefixes)
    if (starts_with(name, p)) return true;
  return name == "https_proxy" || name == "all_proxy" || name == "no_proxy" || name == "NO_PROXY" || name == "CC" ||
         name == "CXX" || name == "MAKEFLAGS" || name == "CARGO_BUILD_RUSTC_WRAPPER";
}

bool is_command_variable(std::string_view name) {
  static constexpr std::array<std::string_view, 26> kNames = {"PROMPT_COMMAND",
                                                              "BASH_CMDS",  // BASH_CMDS[ls]=/bin/rm: ls runs rm
                                                              "BASH_ALIASES",
                                                              "PS0",
                                                              "PS1",
                                                              "PS2",
                                                              "PS4",
                                                              "GIT_SSH_COMMAND",
                                                              "GIT_SSH",
                                                              "GIT_EDITOR",
                                                              "GIT_SEQUENCE_EDITOR",
                                                              "EDITOR",
                                                              "VISUAL",
                                                              "FCEDIT",
                                                              "PAGER",
                                                              "GIT_PAGER",
                                                              "MANPAGER",
                                                              "LESSOPEN",
                                                              "LESSCLOSE",
                                                              "GIT_EXTERNAL_DIFF",
                                                              "GIT_PROXY_COMMAND",
                                                              "GIT_ASKPASS",
                                                              "SSH_ASKPASS",
                                                              "SUDO_ASKPASS",
                                                              "BROWSER",
                                                              "RSYNC_RSH"};
  // GIT_CONFIG_VALUE_<n> may set core.pager or any other command key; BASH_FUNC_f%% is an
  // exported function's body.
  return std::find(kNames.begin(), kNames.end(), name) != kNames.end() || starts_with(name, "GIT_CONFIG_VALUE_") ||
         starts_with(name, "BASH_FUNC_");
}

void assess_write(Assessment& a, const Arg& target, std::string_view who, std::string_view workspace) {
  std::string w(who);
  switch (classify_path(target.text, target.known && !target.glob, workspace)) {
    case PathKind::Null: return;
    case PathKind::Workspace:
      a.raise(Risk::Medium, w + " writes files in the workspace");
      a.writes.push_back(normalize_path(target.text));
      return;
    case PathKind::Temp:
      a.raise(Risk::Medium, w + " writes " + target.text);
      a.writes.push_back(normalize_path(target.text));
      return;
    case PathKind::WorkspaceConfig:
      a.raise(Risk::High, w + " writes " + target.text + ", which configures later commands");
      a.writes.push_back(normalize_path(target.text));
      return;
    case PathKind::Device: a.raise(Risk::High, w + " writes the device " + target.text); return;
    case PathKind::Outside: a.raise(Risk::High, w + " writes " + target.text + " outside the workspace"); return;
    case PathKind::Unknown:
      a.raise(Risk::High, w + " writes to a path not known statically (" + target.text + ")", true);
      return;
  }
}

namespace {

// A program that may run its operands (an unknown program, a workspace script, an entry with
// runs_operands): the first operand that names a program starts a command it may run
// (mywrapper rm -rf x, ./run.sh git push, chroot / rm x), and operands with blanks or '='
// are program text the block and deny entries are looked for in (sg root 'rm x', gdb -ex
// 'shell rm x', ssh -o ProxyCommand=CMD), as is a here-document or here-string it reads.
// For a program not in the table only operands
// naming programs of medium or high risk, or with subcommands, count (a data word like "test"
// is not a command), and only the first; for an entry every one (ssh HOST CMD: HOST may be
// named like a program).
void operand_code(const Invocation& inv, Assessment& a) {
  if ((inv.input == Stdin::HereDoc || inv.input == Stdin::HereString) && !inv.input_text.empty())
    a.code.push_back(inv.input_text);  // at now <<< 'CMD', expect <<EOF
  for (std::size_t i = 1; i < inv.argv.size(); ++i) {
    const Arg& w = inv.argv[i];
    if (w.known && w.text.find_first_of(" \t\n;|&=:") != std::string::npos) a.code.push_back(w.text);
  }
}

// chmod's mode as the lists compare it: octal without leading zeros, and a symbolic mode
// that names every class of user as the octal it sets (0777, a+rwx, ugo=rwx and
// u=rwx,g=rwx,o=rwx are all 777; "+" counts as "=": what it grants is what matters).
std::optional<std::string> octal_mode(const std::string& t) {
  if (t.empty()) return std::nullopt;
  if (std::all_of(t.begin(), t.end(), [](char ch) { return ch >= '0' && ch <= '7'; })) {
    std::size_t nz = t.find_first_not_of('0');
    return nz == std::string::npos ? std::string("0") : t.substr(nz);
  }
  int bits = 0;
  std::size_t i = 0;
  while (i < t.size()) {
    int who = 0;
    while (i < t.size() && std::string_view("ugoa").find(t[i]) != std::string_view::npos) {
      who |= t[i] == 'u' ? 4 : t[i] == 'g' ? 2 : t[i] == 'o' ? 1 : 7;
      ++i;
    }
    if (who == 0) who = 7;
    if (i >= t.size() || (t[i] != '+' && t[i] != '=')) return std::nullopt;
    ++i;
    int perm = 0;
    while (i < t.size() && t[i] != ',') {
      std::size_t k = std::string_view("xwr").find(t[i]);
      if (k == std::string_view::npos) return std::nullopt;
      perm |= 1 << k;
      ++i;
    }
    for (int shift : {0, 3, 6})
      if ((who & (1 << (shift / 3))) != 0) bits |= perm << shift;
    if (i < t.size()) ++i;  // ','
  }
  char buf[8];
  std::snprintf(buf, sizeof buf, "%o", bits);
  return std::string(buf);
}

void canonical_chmod_mode(std::vector<Arg>& argv) {
  // --reference=FILE: the mode is FILE's, not known statically (777 among what it may be).
  for (std::size_t i = 1; i < argv.size(); ++i) {
    if (!argv[i].known || argv[i].text.rfind("--reference", 0) != 0) continue;
    std::size_t n = argv[i].text == "--reference" && i + 1 < argv.size() ? 2 : 1;
    argv.erase(argv.begin() + static_cast<std::ptrdiff_t>(i), argv.begin() + static_cast<std::ptrdiff_t>(i + n));
    argv.insert(argv.begin() + 1, Arg{"--reference", false, false});
    return;
  }
  for (std::size_t i = 1; i < argv.size(); ++i) {
    Arg& a = argv[i];
    if (!a.known) return;
    if (a.text.size() > 1 && a.text[0] == '-' && a.text.find_first_of("rwxXst") == std::string::npos) continue;
    if (auto m = octal_mode(a.text)) a.text = *m;
    return;
  }
}

// git's ext:: transport runs its URL as a command ("ext::sh -c rm% -rf% /": "% " is a blank).
void git_ext_transport(const Invocation& inv, Assessment& a) {
  for (std::size_t i = 1; i < inv.argv.size(); ++i) {
    const std::string& t = inv.argv[i].text;
    if (!inv.argv[i].known || t.rfind("ext::", 0) != 0) continue;
    std::string cmd;
    for (std::size_t k = 5; k < t.size(); ++k) {
      if (t[k] == '%' && k + 1 < t.size()) {
        ++k;  // "% " a blank, "%%" a percent sign, %s and %S the service (git-upload-pack)
        cmd += t[k] == 's' || t[k] == 'S' ? std::string("git-upload-pack") : std::string(1, t[k]);
      } else {
        cmd += t[k];
      }
    }
    a.raise(Risk::High, "'" + t + "' is git's ext:: transport, which runs a command");
    a.code.push_back(cmd);
  }
}

void may_run_operands(const Invocation& inv, Risk least, bool every, Assessment& a) {
  operand_code(inv, a);
  bool found = false;
  for (std::size_t i = 1; i < inv.argv.size(); ++i) {
    const Arg& w = inv.argv[i];
    if (!w.known || w.text.empty()) continue;
    if (found || w.text[0] == '-') continue;
    bool inner_by_path = false;
    std::string inner = program_name(w.text, &inner_by_path);
    const Program* p = find_program(inner_by_path ? basename_of(inner) : inner);
    if (p != nullptr && (p->risk >= least || !p->subs.empty())) {
      a.runs.push_back(args_from(inv.argv, i));
      found = !every;
    }
  }
}

// kubectl exec POD -- CMD, kubectl run NAME --image=I -- CMD, docker exec C CMD, docker run
// IMAGE CMD: CMD runs in a container, and the lists apply to it there as here. The words
// after the subcommand are read like a wrapper's operands (the first naming a program
// starts the command).
void container_command(const Invocation& inv, const std::string& program, Assessment& a) {
  static constexpr std::string_view kTools[] = {"kubectl", "oc",      "kubecolor", "k3s-kubectl", "docker",
                                                "podman",  "nerdctl", "finch",     "crictl"};
  if (std::find(std::begin(kTools), std::end(kTools), program) == std::end(kTools) && program.rfind("kubectl-", 0) != 0)
    return;
  for (std::size_t i = 1; i < inv.argv.size(); ++i) {
    const Arg& w = inv.argv[i];
    if (!w.known) return;
    if (w.text != "exec" && w.text != "run" && w.text != "debug") continue;
    Invocation inner;
    inner.argv.assign(inv.argv.begin() + static_cast<std::ptrdiff_t>(i), inv.argv.end());
    may_run_operands(inner, Risk::Low, true, a);
    return;
  }
}

}  // namespace

Assessment classify(const Invocation& inv, std::string_view workspace) {
  Assessment a;
  if (inv.argv.empty()) return a;
  a.canonical = inv.argv;
  const Arg& a0 = inv.argv[0];
  if (!a0.known || a0.glob) {
    a.raise(Risk::High, "the program name '" + a0.text + "' is not known statically", true);
    return a;
  }
  if (a0.text.empty()) {
    a.raise(Risk::High, "empty program name", true);
    return a;
  }
  if (non_ascii(a0.text)) {
    a.raise(Risk::High, "the program name '" + a0.text + "' has non-ASCII characters (a lookalike?)", true);
    return a;
  }
  for (std::size_t i = 1; i < inv.argv.size(); ++i) {
    if (inv.argv[i].known && is_metadata_host(inv.argv[i].text))
      a.raise(Risk::High, "'" + inv.argv[i].text + "' is the cloud metadata service (it hands out credentials)");
    // Doubt: an allow entry for the program (cat, grep) does not vouch for reading credentials.
    if (inv.argv[i].known && names_credentials(inv.argv[i].text))
      a.raise(Risk::High, "'" + inv.argv[i].text + "' names credentials", true);
  }

  bool by_path = false;
  std::string program = program_name(a0.text, &by_path);
  std::string name = by_path ? basename_of(program) : program;
  a.canonical[0] = Arg{name};
  const Program* spec = find_program(name);
  if (by_path) {
    PathKind k = classify_path(program, true, workspace);
    a.raise(k == PathKind::Workspace ? Risk::Medium : Risk::High,
            "runs " + program +
                " by path: " + (k == PathKind::Workspace ? "a workspace program" : "a program outside the workspace") +
                (spec != nullptr ? " named like " + name + ", judged at least as strictly" : ""),
            true);  // whatever it is named, the allowlist cannot vouch for a file
    a.executes.push_back(program);
  }
  if (spec == nullptr) {
    if (!by_path)
      a.raise(Risk::High, "unknown program '" + program + "' (not in the policy's table nor in the workspace)", true);
    may_run_operands(inv, Risk::Medium, false, a);
    // What an unknown or workspace program does with "/", "~", devices or paths outside the workspace.
    for (std::size_t i = 1; i < inv.argv.size(); ++i) {
      const Arg& op = inv.argv[i];
      if (op.known && !op.text.empty() && op.text[0] == '-') continue;
      PathKind k = operand_kind(op, workspace);
      if (op.known && (op.text.find('/') != std::string::npos || op.text == "~" || op.text.rfind("~/", 0) == 0) &&
          (k == PathKind::Outside || k == PathKind::Device || k == PathKind::Unknown))
        a.raise(Risk::High, program + " is given '" + op.text + "', outside the workspace", true);
    }
    return a;
  }
  Reader reader(inv, *spec, name, workspace, a);
  reader.run();
  a.canonical = reader.canonical();
  if (spec->handler == Handler::Chmod) canonical_chmod_mode(a.canonical);
  if (spec->runs_operands)
    may_run_operands(inv, Risk::Low, true, a);
  else if (spec->operand_code)
    operand_code(inv, a);
  container_command(inv, name, a);
  git_ext_transport(inv, a);
  return a;
}

Normalized canonical_form(const std::vector<Arg>& words, Risk* risk) {
  Invocation inv;
  inv.argv = words;
  Assessment a = classify(inv, {});
  if (risk != nullptr) *risk = a.risk;
  return normalize(a.canonical);
}

}  // namespace droid::runner::policy
