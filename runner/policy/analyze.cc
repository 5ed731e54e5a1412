#include "policy/analyze.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "policy/ast.h"
#include "policy/classify.h"
#include "policy/parser.h"
#include "policy/paths.h"
#include "policy/program_table.h"
#include "policy/static_output.h"
#include "policy/word_expansion.h"
#include "text/invisible.h"

namespace droid::runner::policy {
namespace {

constexpr int kMaxNesting = 12;  // bash -c inside eval inside ...
constexpr std::size_t kMaxParts = 2000;

std::string join(const std::vector<Arg>& argv) {
  std::string s;
  for (const auto& a : argv) {
    if (!s.empty()) s += ' ';
    s += a.text;
  }
  return s;
}

// Text that does not show what it does: the invisible characters of
// text/invisible.h (controls, zero-width and bidi characters, tags, fillers;
// bytes that are not UTF-8), and in a command line also a carriage return, which
// hides on a terminal what comes before it.
std::string hidden_characters(std::string_view s) {
  const auto invisible = text::find_invisible(s);
  const std::size_t cr = s.find('\r');
  if (cr != std::string_view::npos && (!invisible || cr < invisible->offset)) return "a control character";
  return invisible ? std::string(invisible->what) : std::string();
}

class Analyzer {
 public:
  explicit Analyzer(std::string_view workspace) : workspace_(workspace) {}

  Analysis run(std::string_view command) {
    std::string hidden = hidden_characters(command);
    if (!hidden.empty()) doubt_part(std::string(command), "the command contains " + hidden);
    ParseResult parsed = parse(command);
    if (!parsed.ok()) {
      result_.parse_error = parsed.error;
      doubt_part(std::string(command), "the command cannot be parsed: " + parsed.error);
      return std::move(result_);
    }
    script(*parsed.script, 0);
    return std::move(result_);
  }

 private:
  std::string_view workspace_;
  Analysis result_;
  std::vector<std::string> written_;
  std::map<std::string, std::string> contents_;     // files this command line writes, with what it writes
  std::map<std::string, std::string> values_;       // variables assigned a literal value so far (x='...')
  std::map<std::string, std::string> copies_;       // programs copied or linked by this line: DEST -> SOURCE
  std::map<std::string, std::string> hashed_;       // BASH_CMDS[NAME]=PATH: NAME -> PATH
  std::optional<std::string> cwd_ = ".";            // where commands run now (change_directory)
  std::map<std::string, std::string> descriptors_;  // N -> the text a here-string or here-doc put on fd N
  std::vector<std::optional<std::string>> dirs_;    // pushd's stack
  std::map<std::string, std::string> links_;        // ln -s TARGET LINK, mount --bind: LINK -> TARGET

  // cp /bin/rm ./ls, ln -s /usr/bin/curl c: a program copied or linked under another name by
  // this command line (SOURCE DEST, every word literal).
  void remember_copy(const Invocation& inv) {
    if (inv.argv.size() < 3) return;
    std::string name = inv.argv[0].text.substr(inv.argv[0].text.rfind('/') + 1);
    if (name != "cp" && name != "ln" && name != "install" && name != "mv") return;
    std::vector<std::string> operands;
    for (std::size_t i = 1; i < inv.argv.size(); ++i) {
      if (!inv.argv[i].known || inv.argv[i].glob) return;
      if (inv.argv[i].text.rfind('-', 0) != 0) operands.push_back(inv.argv[i].text);
    }
    if (operands.size() != 2) return;
    // ln -s / x: x/... names /... from now on (rm -rf x/* is rm -rf /*).
    if (name == "ln" && !here(operands[1]).empty()) links_[canonical(here(operands[1]))] = normalize_path(operands[0]);
    copies_[canonical(operands[1])] = operands[0];
    std::string into = canonical(operands[1]) + "/" + operands[0].substr(operands[0].rfind('/') + 1);
    copies_[into] = operands[0];  // DEST may be a directory
  }

  // mount --bind SRC DST (or -o bind, --rbind): DST names SRC from now on, as a link would.
  void remember_mount(const Invocation& inv) {
    if (inv.argv.empty() || !inv.argv[0].known) return;
    if (inv.argv[0].text.substr(inv.argv[0].text.rfind('/') + 1) != "mount") return;
    bool bind = false;
    std::vector<std::string> operands;
    for (std::size_t i = 1; i < inv.argv.size(); ++i) {
      const Arg& a = inv.argv[i];
      if (!a.known) return;
      if (a.text == "--bind" || a.text == "--rbind" || a.text == "-B" || a.text == "-R") {
        bind = true;
      } else if (a.text == "-o" && i + 1 < inv.argv.size()) {
        bind = bind || inv.argv[i + 1].text.find("bind") != std::string::npos;
        ++i;
      } else if (a.text.rfind('-', 0) != 0) {
        operands.push_back(a.text);
      }
    }
    if (bind && operands.size() == 2 && !here(operands[1]).empty())
      links_[canonical(here(operands[1]))] = normalize_path(operands[0]);
  }

  // A path as named from the directory commands run in now ("" when that is not known).
  std::string here(const std::string& path) const {
    if (path.empty() || path[0] == '/' || path[0] == '~') return path;
    if (!cwd_) return {};
    return *cwd_ + "/" + path;
  }

  // A path through a link or bind mount this line made, as what it names ("" when it is none).
  std::string through_links(const std::string& path) const {
    if (links_.empty() || here(path).empty()) return {};
    std::string p = canonical(here(path));
    for (const auto& [link, target] : links_) {
      if (p == link) return target;
      if (p.size() > link.size() && p.compare(0, link.size(), link) == 0 && p[link.size()] == '/')
        return normalize_path(target + p.substr(link.size()));
    }
    return {};
  }

  // The invocation with its words that name paths through a link resolved (dd's if=/of= too).
  Invocation resolve_links(const Invocation& inv) const {
    if (links_.empty()) return inv;
    Invocation out = inv;
    for (std::size_t i = 1; i < out.argv.size(); ++i) {
      Arg& a = out.argv[i];
      if (!a.known || a.text.empty() || a.text[0] == '-') continue;
      std::size_t eq = a.text.find('=');
      std::size_t from = eq != std::string::npos && eq < a.text.find('/') ? eq + 1 : 0;
      std::string resolved = through_links(a.text.substr(from));
      if (!resolved.empty()) a.text = a.text.substr(0, from) + resolved;
    }
    return out;
  }

  // cd DIR, pushd DIR, popd: the directory later commands run in ("." is the workspace root;
  // nullopt when not known statically). A subshell's cd is not undone: it can only make the
  // analysis stricter.
  void change_directory(const Invocation& inv) {
    if (inv.argv.empty() || !inv.argv[0].known) return;
    const std::string& name = inv.argv[0].text;
    if (name == "popd") {
      if (dirs_.empty()) {
        cwd_ = std::nullopt;
      } else {
        cwd_ = dirs_.back();
        dirs_.pop_back();
      }
      return;
    }
    if (name != "cd" && name != "pushd") return;
    std::vector<const Arg*> operands;
    for (std::size_t i = 1; i < inv.argv.size(); ++i)
      if (inv.argv[i].text.rfind('-', 0) != 0 || inv.argv[i].text == "-") operands.push_back(&inv.argv[i]);
    if (name == "pushd") dirs_.push_back(cwd_);
    if (operands.empty()) {
      cwd_ = "~";
    } else if (!operands[0]->known || operands[0]->glob || operands[0]->text == "-" || !cwd_) {
      cwd_ = std::nullopt;
    } else {
      const std::string& d = operands[0]->text;
      cwd_ = normalize_path(d[0] == '/' || d[0] == '~' ? d : *cwd_ + "/" + d);
      if (cwd_->empty()) cwd_ = ".";
      std::string linked = through_links(*cwd_);
      if (!linked.empty()) cwd_ = linked;
      // Above the workspace root: where that is depends on the workspace's path.
      if (cwd_->rfind("..", 0) == 0) {
        std::string ws = workspace_.empty() ? std::string() : normalize_path(workspace_);
        if (ws.empty() || ws[0] != '/')
          cwd_ = std::nullopt;
        else
          cwd_ = normalize_path(ws + "/" + *cwd_);
      }
    }
  }

  bool directory_outside() const {
    if (!cwd_) return true;
    if (*cwd_ == ".") return false;
    PathKind k = classify_path(*cwd_, true, workspace_);
    return k != PathKind::Workspace && k != PathKind::WorkspaceConfig && k != PathKind::Temp;
  }

  // Relative paths named as such (".", "..", "./x", "../x", globs) in a command that runs in
  // another directory, resolved there: cd / && rm -rf * is rm -rf /*.
  Invocation in_directory(const Invocation& inv) const {
    if (cwd_ && *cwd_ == ".") return inv;
    Invocation out = inv;
    for (std::size_t i = 1; i < out.argv.size(); ++i) {
      Arg& a = out.argv[i];
      const std::string& t = a.text;
      bool relative_path = t == "." || t == ".." || t.rfind("./", 0) == 0 || t.rfind("../", 0) == 0 ||
                           (a.glob && !t.empty() && t[0] != '/' && t[0] != '~' && t[0] != '-');
      if (!a.known || !relative_path) continue;
      if (!cwd_) {
        a.known = false;
      } else {
        a.text = normalize_path(*cwd_ + "/" + t);
      }
    }
    return out;
  }

  // The invocation with a copied program named by what it is a copy of (./ls is /bin/rm), and
  // a name hashed to another program (BASH_CMDS[ls]=/bin/rm) by that program.
  Invocation copied_program(const Invocation& inv, bool hashed = true) const {
    if (inv.argv.empty() || !inv.argv[0].known) return inv;
    const std::string& a0 = inv.argv[0].text;
    std::string target;
    if (a0.find('/') == std::string::npos) {
      if (!hashed) return inv;
      auto it = hashed_.find(a0);
      if (it == hashed_.end()) return inv;
      target = it->second;
    } else {
      auto it = copies_.find(canonical(a0));
      if (it == copies_.end()) return inv;
      target = it->second;
    }
    Invocation copy = inv;
    if (target.empty()) {
      copy.argv[0].known = false;
      return copy;
    }
    copy.argv[0].text = target.find('/') == std::string::npos ? "./" + target : target;
    return copy;
  }

  // echo 'rm -rf ~' > x.sh, cat > Makefile <<EOF: the file's content, when the command's output is known.
  // Files a shell, git or cron runs later by themselves: shell startup files, git hooks,
  // direnv's .envrc, ~/.ssh/rc, the system's profile and cron directories.
  static bool runs_later(const std::string& path) {
    static constexpr std::string_view kNames[] = {".bashrc", ".bash_profile", ".bash_login", ".bash_logout", ".profile",
                                                  ".zshrc",  ".zprofile",     ".zshenv",     ".zlogin",      ".kshrc",
                                                  ".mkshrc", ".envrc",        "config.fish"};
    std::string base = path.substr(path.rfind('/') + 1);
    if (std::find(std::begin(kNames), std::end(kNames), base) != std::end(kNames)) return true;
    for (std::string_view part : {".git/hooks/", "/etc/profile", "/etc/bash.bashrc", "/etc/cron", "/var/spool/cron/",
                                  ".ssh/rc", "/etc/rc.local", "/etc/environment"})
      if (path.find(part) != std::string::npos) return true;
    return false;
  }

  // echo 'rm -rf ~' >> ~/.bashrc: what a file that runs later is given, analysed now.
  void startup_content(const Command& cmd, const std::optional<std::string>& out, int depth) {
    for (const auto& r : cmd.redirects) {
      if (!r.writes_file() || !runs_later(r.target.text)) continue;
      if (!out) {
        doubt_part(r.op + " " + r.target.text,
                   "writes what is not known statically into " + r.target.text + ", which runs by itself later");
        continue;
      }
      bool cron = r.target.text.find("cron") != std::string::npos;
      run_text(cron ? scheduled_commands("crontab", *out) : *out, depth,
               "what " + r.target.text + " is given, which runs by itself later");
    }
  }

  // What a command writes into the files it redirects to, when its output is known statically
  // (its here-strings and here-documents kept as its input).
  static std::optional<std::string> written_output(const Command& cmd) {
    Command copy = cmd;
    copy.redirects.clear();
    for (const auto& r : cmd.redirects)
      if (r.op == "<<<" || r.op == "<<" || r.op == "<<-") copy.redirects.push_back(r);
    Script s;
    s.items.push_back(AndOr{{Pipeline{{copy}, false}}, false});
    return static_output(s);
  }

  void remember_content(const Command& cmd, const std::optional<std::string>& out) {
    for (const auto& r : cmd.redirects) {
      if (!r.writes_file() || !r.target.literal()) continue;
      std::string path = canonical(r.target.text);
      if (!out) {
        contents_.erase(path);
      } else if (r.op == ">>" || r.op == "&>>") {
        contents_[path] += *out;  // what the file held before is not known; what is appended is
      } else {
        contents_[path] = *out;
      }
    }
  }

  // The same file named relative to the workspace or by its absolute path.
  std::string canonical(const std::string& path) const {
    std::string p = normalize_path(path);
    std::string ws = workspace_.empty() ? std::string() : normalize_path(workspace_);
    if (!ws.empty() && ws != "/" && p.size() > ws.size() && p.compare(0, ws.size(), ws) == 0 && p[ws.size()] == '/')
      return p.substr(ws.size() + 1);
    return p;
  }

  void doubt_part(std::string text, std::string reason) {
    Part p;
    p.text = std::move(text);
    p.risk = Risk::High;
    p.doubt = true;
    p.reasons.push_back(std::move(reason));
    result_.parts.push_back(std::move(p));
  }

  bool too_many() {
    if (result_.parts.size() < kMaxParts) return false;
    if (result_.parts.back().reasons.empty() || result_.parts.back().reasons[0] != "too many commands to analyse")
      doubt_part("...", "too many commands to analyse");
    result_.incomplete = true;
    return true;
  }

  void script(const Script& s, int depth) {
    for (const auto& item : s.items)
      for (const auto& pipeline : item.pipelines) {
        for (std::size_t i = 0; i < pipeline.commands.size(); ++i)
          command(pipeline.commands[i], i > 0 ? Stdin::Pipe : Stdin::None, depth, piped_output(pipeline, i));
        piped_into_shell(pipeline, depth);
      }
  }

  // What reaches the input of the i-th command of a pipeline that is xargs, when it is known
  // statically (echo 'rm -rf /' | xargs -I{} sh -c '{}').
  static std::optional<std::string> piped_output(const Pipeline& pipeline, std::size_t i) {
    if (i == 0) return std::nullopt;
    const Command& c = pipeline.commands[i];
    if (c.kind != Command::Kind::Simple || c.words.empty() || !c.words[0].literal()) return std::nullopt;
    const std::string& w = c.words[0].text;
    if (w.substr(w.rfind('/') + 1) != "xargs") return std::nullopt;
    Pipeline producer;
    producer.commands.assign(pipeline.commands.begin(), pipeline.commands.begin() + static_cast<std::ptrdiff_t>(i));
    Script s;
    s.items.push_back(AndOr{{producer}, false});
    return static_output(s);
  }

  // echo cm0gLXJmIC8= | base64 -d | sh: when what reaches a shell's input is
  // known statically, the shell's commands are analysed like any others.
  void piped_into_shell(const Pipeline& pipeline, int depth) {
    for (std::size_t i = 1; i < pipeline.commands.size(); ++i) {
      const Command& c = pipeline.commands[i];
      if (c.kind != Command::Kind::Simple || c.words.empty() || !c.words[0].literal()) continue;
      bool by_path = false;
      std::string name = program_name(c.words[0].text, &by_path);
      name = name.substr(name.rfind('/') == std::string::npos ? 0 : name.rfind('/') + 1);
      const Program* p = find_program(name);
      bool later = runs_input_later(name);
      if (!later && (p == nullptr || (p->handler != Handler::Shell && p->handler != Handler::Interpreter))) continue;
      Pipeline producer;
      producer.commands.assign(pipeline.commands.begin(), pipeline.commands.begin() + static_cast<std::ptrdiff_t>(i));
      Script s;
      s.items.push_back(AndOr{{producer}, false});
      auto out = static_output(s);
      if (!out) {
        // What reaches the shell is not known (gzip | gzip -d, a sed script): the literal words
        // that feed it are searched like program text, so an entry written there is found.
        Part part;
        part.text = name + " < (" + std::to_string(i) + " commands)";
        part.risk = Risk::High;
        part.doubt = true;
        part.reasons.push_back("commands piped into " + name + " are not known statically");
        for (std::size_t k = 0; k < i; ++k) {
          const Command& producer_command = pipeline.commands[k];
          std::string words;
          for (const auto& w : producer_command.words) words += w.text + " ";
          for (const auto& r : producer_command.redirects)
            words += r.heredoc ? r.heredoc->body + " " : r.target.text + " ";
          part.code.push_back(words);
        }
        result_.parts.push_back(std::move(part));
      }
      if (out) {
        if (later) {
          run_text(scheduled_commands(name, *out), depth, "the commands piped into " + name);
        } else if (p->handler == Handler::Shell) {
          run_text(*out, depth, "the commands piped into " + name);
        } else {
          Part part;
          part.text = name + " < " + *out;
          part.risk = Risk::High;
          part.doubt = true;
          part.code.push_back(*out);
          part.reasons.push_back("code piped into " + name + " cannot be analysed");
          result_.parts.push_back(std::move(part));
        }
      }
    }
  }

  void substitutions(const Word& w, int depth) {
    for (const auto& sub : w.substitutions) script(*sub, depth);
    if (w.evaluated)
      doubt_part(w.text,
                 "the output of a command substitution inside arithmetic is evaluated as an expression "
                 "(an array subscript in it runs commands)");
    latent_substitutions(w.text, depth, true);
    // ${x@P}: the value of x is expanded as a prompt string, command substitutions included.
    for (const auto& name : w.prompt_expansions) {
      auto it = values_.find(name);
      if (it != values_.end())
        latent_substitutions(it->second, depth, false);
      else
        doubt_part("${" + name + "@P}", "${" + name +
                                            "@P} runs the command substitutions in a value not known "
                                            "statically");
    }
  }

  // Text that looks like an array subscript holding a command substitution, even quoted
  // ('a[$(id)]'), is code: bash expands a subscript again whenever it evaluates the text as
  // an arithmetic expression or a variable name ($((x)), [[ x -eq 1 ]], test -v, printf -v,
  // read, declare, ${!x}, a nameref), and the value may travel in a variable to where it is.
  // Without `in_subscript`, every command substitution in the text counts (a prompt string).
  void latent_substitutions(const std::string& text, int depth, bool in_subscript) {
    std::size_t bracket = in_subscript ? text.find('[') : 0;
    if (bracket == std::string::npos) return;
    for (std::size_t k = in_subscript ? bracket + 1 : 0; k < text.size(); ++k) {
      TextSubstitution t;
      if (!substitution_at(text, k, t)) continue;
      std::size_t from = t.begin;
      std::size_t end = t.end;
      if (end == std::string::npos) return;  // unterminated: bash runs nothing ('[$(]' in a regex)
      std::string code = text.substr(from, end - from);
      k = end;
      if (code.find_first_not_of(" \t\n") == std::string::npos) continue;  // '[$(){}]': nothing to run
      run_text(code, depth, "a command substitution bash runs when it evaluates the text");
      // bash may have removed the backslashes first (it does in a subscript: $'\x69' reaches
      // the command substitution as $'x69'): that reading too.
      if (code.find('\\') != std::string::npos) {
        std::string unescaped;
        for (std::size_t i = 0; i < code.size(); ++i)
          if (code[i] != '\\' || i + 1 == code.size())
            unescaped += code[i];
          else
            unescaped += code[++i];
        run_text(unescaped, depth, "a command substitution bash runs when it evaluates the text");
      }
      // bash expands it like double-quoted text, which the analysis above only approximates.
      doubt_part(code,
                 "a command substitution in text bash evaluates again (an array subscript or a prompt "
                 "string) runs commands");
    }
  }

  void redirects(const std::vector<Redirect>& rs, Invocation& inv, int depth) {
    Assessment a;
    std::string text;
    for (const auto& r : rs) {
      substitutions(r.target, depth);
      if (r.heredoc) {
        for (const auto& sub : r.heredoc->substitutions) script(*sub, depth);
        latent_substitutions(r.heredoc->body, depth, true);
      }
      if (r.writes_file()) {
        assess_write(a, Arg{r.target.text, r.target.literal() && !r.target.tilde, false},
                     "the redirection '" + r.op + " " + r.target.text + "'", workspace_);
        text += (text.empty() ? "" : " ") + r.op + " " + r.target.text;
      } else if (r.op == "<" || r.op == "<>") {
        inv.input = Stdin::File;
        inv.input_file = Arg{r.target.text, r.target.literal() && !r.target.tilde, r.target.glob};
        if (names_credentials(r.target.text)) {
          a.raise(Risk::High, "the redirection '" + r.op + " " + r.target.text + "' reads credentials", true);
          text += (text.empty() ? "" : " ") + r.op + " " + r.target.text;
        }
      } else if (r.op == "<&" && r.target.text != "-") {
        // Another descriptor: what a here-string or here-doc put there (exec 3<<<CMD; bash <&3), else unknown.
        auto it = descriptors_.find(r.target.text);
        inv.input = it != descriptors_.end() ? Stdin::HereString : Stdin::Pipe;
        inv.input_text = it != descriptors_.end() ? it->second : std::string();
        inv.input_known = it != descriptors_.end();
      }
      if (r.fd > 0 && (r.op == "<<<" || r.op == "<<" || r.op == "<<-")) {
        bool known =
            r.op == "<<<" ? r.target.literal() : r.heredoc && (!r.heredoc->expands || r.heredoc->substitutions.empty());
        if (known)
          descriptors_[std::to_string(r.fd)] = r.op == "<<<" ? r.target.text : r.heredoc->body;
        else
          descriptors_.erase(std::to_string(r.fd));
      }
      if (r.target.text.rfind("/dev/tcp/", 0) == 0 || r.target.text.rfind("/dev/udp/", 0) == 0) {
        a.raise(Risk::High, "the redirection '" + r.op + " " + r.target.text + "' opens a network connection");
        // /dev/tcp/HOST/PORT reaches HOST like curl HOST:PORT: entries naming HOST find it.
        std::string rest = r.target.text.substr(9);
        std::size_t slash = rest.find('/');
        a.code.push_back(slash == std::string::npos ? rest : rest.substr(0, slash) + ":" + rest.substr(slash + 1));
        text += (text.empty() ? "" : " ") + r.op + " " + r.target.text;
      }
      if (r.writes_file() || r.op == "<" || r.op == "<>") {
      } else if (r.op == "<<" || r.op == "<<-") {
        inv.input = Stdin::HereDoc;
        inv.input_text = r.heredoc ? r.heredoc->body : std::string();
        inv.input_known = r.heredoc && (!r.heredoc->expands || (r.heredoc->body.find("$(") == std::string::npos &&
                                                                r.heredoc->body.find('`') == std::string::npos));
      } else if (r.op == "<<<") {
        inv.input = Stdin::HereString;
        inv.input_text = r.target.text;
        inv.input_known = r.target.literal();
        // sh <<< "$(base64 -d <<< ...)": a here-string that is one substitution with a known output.
        std::vector<Arg> value;
        if (!inv.input_known && r.target.quoted) word_args(r.target, value);
        if (value.size() == 1 && value[0].known) {
          inv.input_text = value[0].text;
          inv.input_known = true;
        }
      }
    }
    if (!a.reasons.empty()) {
      for (const auto& w : a.writes) written_.push_back(canonical(w));
      Part p;
      p.text = text;
      p.code = std::move(a.code);
      p.risk = a.risk;
      p.reasons = std::move(a.reasons);
      p.doubt = a.doubt;
      result_.parts.push_back(std::move(p));
    }
  }

  void command(const Command& cmd, Stdin input, int depth, const std::optional<std::string>& piped = std::nullopt) {
    if (too_many()) return;
    for (const auto& w : cmd.assignments) substitutions(w, depth);
    for (const auto& w : cmd.words) substitutions(w, depth);
    Invocation inv;
    // The words first: bash expands them before this command's own assignments take effect.
    std::vector<Arg> words;
    if (cmd.kind == Command::Kind::Simple)
      for (const auto& w : cmd.words)
        if (!variable_args(w, words)) word_args(w, words);
    inv.input = input;
    if (piped) {
      inv.input_text = *piped;
      inv.input_known = true;
    }
    if (cmd.kind == Command::Kind::Simple &&
        std::any_of(cmd.redirects.begin(), cmd.redirects.end(), [](const Redirect& r) { return r.writes_file(); })) {
      std::optional<std::string> out = written_output(cmd);  // once, for both
      remember_content(cmd, out);
      startup_content(cmd, out, depth);
    }
    redirects(cmd.redirects, inv, depth);
    if (cmd.kind == Command::Kind::Function) function_definition(cmd);
    if (cmd.kind != Command::Kind::Simple) {
      if (cmd.kind == Command::Kind::For) values_.clear();  // the loop variable takes other values
      for (const auto& body : cmd.bodies) script(*body, depth);
      return;
    }
    for (const auto& w : cmd.assignments) {
      std::string name = w.text.substr(0, w.text.find('='));
      if (!name.empty() && name.back() == '+') name.pop_back();
      name = name.substr(0, name.find('['));
      if (w.literal() && w.text.find('=') != std::string::npos)
        values_[name] = w.text.substr(w.text.find('=') + 1);
      else
        values_.erase(name);
      // BASH_CMDS[ls]=/bin/rm: bash's command hash table, so ls runs /bin/rm from now on.
      std::size_t open = w.text.find('[');
      std::size_t close = w.text.find("]=");
      if (name == "BASH_CMDS" && w.literal() && open != std::string::npos && close != std::string::npos && open < close)
        hashed_[w.text.substr(open + 1, close - open - 1)] = w.text.substr(close + 2);
      if (is_command_variable(name) && w.literal())
        run_text(command_value(w.text.substr(w.text.find('=') + 1)), depth, "the command in " + name);
      if (is_sensitive_variable(name)) {
        Part p;
        p.text = w.text;
        p.risk = Risk::High;
        p.reasons.push_back("sets " + name + ", which changes what programs run or where data goes");
        // http_proxy=http://H:3128: the value is searched like program text (an entry naming H finds it).
        if (w.literal()) p.code.push_back(w.text.substr(w.text.find('=') + 1));
        result_.parts.push_back(std::move(p));
      }
    }
    if (cmd.words.empty()) return;
    inv.argv = std::move(words);
    forget_variables_set_by(inv.argv);
    remember_hash(inv.argv);
    substituted_script(cmd, inv, depth);
    invocation(inv, depth);
  }

  // hash -p PATH NAME: NAME runs PATH from now on, like BASH_CMDS[NAME]=PATH.
  void remember_hash(const std::vector<Arg>& argv) {
    if (argv.empty() || !argv[0].known || argv[0].text != "hash") return;
    for (std::size_t i = 1; i + 1 < argv.size(); ++i) {
      const Arg& a = argv[i];
      if (!a.known || a.text.size() < 2 || a.text[0] != '-' || a.text.find('p') == std::string::npos) continue;
      const Arg& path = argv[i + 1];
      for (std::size_t k = i + 2; k < argv.size(); ++k)
        if (argv[k].known) hashed_[argv[k].text] = path.known ? path.text : std::string();  // "": not known
      return;
    }
  }

  // source <(echo ...), . <(printf ...), bash <(echo ...): the shell runs what the process
  // substitution prints (the script operand is the first word that is not an option).
  void substituted_script(const Command& cmd, const Invocation& inv, int depth) {
    if (inv.argv.empty() || !inv.argv[0].known || cmd.words.size() < 2) return;
    std::string name = inv.argv[0].text.substr(inv.argv[0].text.rfind('/') + 1);
    const Program* spec = find_program(name);
    bool source = name == "source" || name == ".";
    if (!source && (spec == nullptr || spec->handler != Handler::Shell)) return;
    std::size_t i = 1;
    if (!source)
      for (; i < cmd.words.size(); ++i) {
        const Word& w = cmd.words[i];
        if (!w.literal() || w.text.empty() || (w.text[0] != '-' && w.text[0] != '+')) break;
        if (w.text == "-c" || w.text == "--") return;  // a command string: analysed as one
        if (w.text == "-o" || w.text == "+o" || w.text == "-O" || w.text == "+O") ++i;
      }
    if (i >= cmd.words.size()) return;
    const Word& w = cmd.words[i];
    if (w.substitutions.size() != 1 || w.text.rfind("<(", 0) != 0) return;
    if (auto out = static_output(*w.substitutions[0])) {
      run_text(*out, depth,
               source ? "the sourced output" : "the script " + name + " reads from a process substitution");
    } else {
      doubt_part(w.text, name + " runs a script a process substitution prints, which is not known statically");
    }
  }

  // at, batch and crontab keep the commands they read and run them later.
  static bool runs_input_later(const std::string& name) { return name == "at" || name == "batch" || name == "crontab"; }

  // The commands in what `name` reads: at and batch read a script; crontab a table whose
  // lines are five time fields (or one @word) and a command.
  static std::string scheduled_commands(const std::string& name, const std::string& input) {
    if (name != "crontab") return input;
    std::string out;
    std::size_t from = 0;
    while (from < input.size()) {
      std::size_t end = input.find('\n', from);
      if (end == std::string::npos) end = input.size();
      std::string line = input.substr(from, end - from);
      from = end + 1;
      std::size_t i = line.find_first_not_of(" \t");
      if (i == std::string::npos || line[i] == '#') continue;
      std::size_t name_end = line.find_first_of("= \t", i);
      if (name_end != std::string::npos && line[name_end] == '=') continue;  // VAR=value
      int fields = line[i] == '@' ? 1 : 5;
      for (int f = 0; f < fields && i != std::string::npos; ++f) {
        i = line.find_first_of(" \t", i);
        if (i != std::string::npos) i = line.find_first_not_of(" \t", i);
      }
      if (i != std::string::npos) out += line.substr(i) + "\n";
    }
    return out;
  }

  // A command variable's value as a command line: LESSOPEN='|cmd %s' pipes through cmd;
  // BASH_FUNC_f%%='() { cmd; }' is a function body.
  static std::string command_value(std::string value) {
    while (!value.empty() && value[0] == '|') value.erase(0, 1);
    if (value.rfind("()", 0) == 0) value.erase(0, 2);
    return value;
  }

  // A file some entry runs as code (package.json for npm test, a Makefile): its content is
  // program text, not a shell script.
  static bool is_runs_file(const std::string& path) {
    static const std::set<std::string> names = [] {
      std::set<std::string> out;
      for (const auto& p : program_table()) {
        for (auto f : p.runs_files) out.emplace(f);
        for (const auto& sub : p.subs)
          for (auto f : sub.runs_files) out.emplace(f);
      }
      return out;
    }();
    return names.count(path.substr(path.rfind('/') + 1)) > 0;
  }

  // Builtins that set variables from what is not known here (read x, mapfile, printf -v x,
  // declare x): those variables are no longer known.
  void forget_variables_set_by(const std::vector<Arg>& argv) {
    if (argv.empty()) return;
    const std::string& p = argv[0].text;
    // A function this line defined may set any variable, as may eval and source.
    if (p == "eval" || p == "source" || p == "." || !argv[0].known || find_program(p) == nullptr) {
      values_.clear();
      return;
    }
    static const std::set<std::string> kSetters = {"read",    "mapfile", "readarray", "printf",   "declare",
                                                   "typeset", "local",   "export",    "readonly", "unset",
                                                   "getopts", "let",     "select",    "wait"};
    if (kSetters.count(p) == 0) return;
    for (std::size_t i = 1; i < argv.size(); ++i) {
      std::string name = argv[i].text.substr(0, argv[i].text.find_first_of("=[+"));
      values_.erase(name);
    }
  }

  // $x or ${x} (the whole word) whose value this line assigned as a literal: its value, split
  // at $IFS (the line's literal IFS, or the default) unless quoted. False when not known.
  bool variable_args(const Word& w, std::vector<Arg>& out) const {
    if (!w.expanded || !w.substitutions.empty() || w.glob || w.brace || w.text.size() < 2 || w.text[0] != '$')
      return false;
    std::string name = w.text.substr(1);
    if (name.size() > 2 && name.front() == '{' && name.back() == '}') name = name.substr(1, name.size() - 2);
    if (name.empty() || !std::all_of(name.begin(), name.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
        }))
      return false;
    auto it = values_.find(name);
    if (it == values_.end() || it->second.find_first_of("*?[") != std::string::npos) return false;
    if (w.quoted) {
      out.push_back(Arg{it->second});
      return true;
    }
    auto ifs = values_.find("IFS");
    std::string separators = ifs != values_.end() ? ifs->second : std::string(" \t\n");
    std::size_t i = 0;
    const std::string& v = it->second;
    while (i < v.size()) {
      std::size_t j = separators.empty() ? v.size() : v.find_first_of(separators, i);
      if (j == std::string::npos) j = v.size();
      if (j > i) out.push_back(Arg{v.substr(i, j - i)});
      i = j + 1;
    }
    return true;
  }

  // The arguments a word becomes: a command substitution whose output is known
  // statically ($(echo rm), `printf rm`) is replaced by it, split into words
  // when unquoted.
  static void word_args(const Word& w, std::vector<Arg>& out) {
    if (w.expanded && w.substitutions.size() == 1 && !w.brace && !w.glob &&
        ((w.text.rfind("$(", 0) == 0 && w.text.back() == ')') || (w.text.front() == '`' && w.text.back() == '`'))) {
      if (auto value = static_output(*w.substitutions[0])) {
        while (!value->empty() && value->back() == '\n') value->pop_back();
        if (w.quoted) {
          out.push_back(Arg{*value});
        } else {
          std::size_t i = 0;
          while (i < value->size()) {
            std::size_t j = value->find_first_of(" \t\n", i);
            if (j == std::string::npos) j = value->size();
            if (j > i) out.push_back(Arg{value->substr(i, j - i), true, value->find_first_of("*?[", i) < j});
            i = j + 1;
          }
        }
        return;
      }
    }
    auto glob = [](const std::string& x) { return x.find_first_of("*?[") != std::string::npos; };
    if (!w.quoted && w.brace && !w.expanded && !w.tilde) {  // {rm,-rf,/}
      if (auto words = brace_expand(w.text)) {
        for (auto& x : *words) out.push_back(Arg{x, true, glob(x)});
        return;
      }
    }
    if (!w.quoted && w.expanded && w.substitutions.empty() && !w.brace) {  // rm${IFS}-rf${IFS}/
      if (auto words = split_default_ifs(w.text)) {
        for (auto& x : *words) out.push_back(Arg{x, true, glob(x)});
        return;
      }
    }
    // ~user, ~+ and ~- name directories the environment decides (~root/.. is /).
    bool other_home = w.tilde && w.text.size() > 1 && w.text[1] != '/';
    out.push_back(Arg{w.text, !w.expanded && !w.brace && !other_home, w.glob});
  }

  void run_text(const std::string& text, int depth, const std::string& what) {
    if (depth + 1 > kMaxNesting) {
      doubt_part(text, "commands are nested too deeply to analyse");
      result_.incomplete = true;
      return;
    }
    ParseResult parsed = parse(text);
    if (!parsed.ok()) {
      doubt_part(text, what + " cannot be parsed: " + parsed.error);
      return;
    }
    script(*parsed.script, depth + 1);
  }

  // A function named like a program or builtin changes what later commands
  // mean; one that calls itself may be a fork bomb (:(){ :|:& };:).
  void function_definition(const Command& cmd) {
    if (cmd.words.empty()) return;
    const std::string& name = cmd.words[0].text;
    Part p;
    p.text = name + "() {...}";
    if (find_program(name) != nullptr) {
      p.risk = Risk::High;
      p.doubt = true;
      p.reasons.push_back("defines a function named " + name + ", which replaces the program or builtin of that name");
    }
    for (const auto& body : cmd.bodies)
      if (calls(*body, name)) {
        p.risk = Risk::High;
        p.doubt = true;
        p.reasons.push_back("the function " + name + " calls itself (a fork bomb?)");
        break;
      }
    if (!p.reasons.empty()) result_.parts.push_back(std::move(p));
  }

  static bool calls(const Script& s, const std::string& name) {
    for (const auto& item : s.items)
      for (const auto& pipeline : item.pipelines)
        for (const auto& c : pipeline.commands) {
          if (c.kind == Command::Kind::Simple && !c.words.empty() && c.words[0].text == name) return true;
          for (const auto& body : c.bodies)
            if (calls(*body, name)) return true;
          for (const auto& w : c.words)
            for (const auto& sub : w.substitutions)
              if (calls(*sub, name)) return true;
        }
    return false;
  }

  void invocation(const Invocation& inv, int depth, bool hashed = true) {
    if (too_many()) return;
    if (depth > kMaxNesting) {
      doubt_part(join(inv.argv), "commands are nested too deeply to analyse");
      result_.incomplete = true;
      return;
    }
    remember_copy(inv);
    remember_mount(inv);
    change_directory(inv);
    Invocation resolved = resolve_links(in_directory(copied_program(inv, hashed)));
    // A name hashed to another program (BASH_CMDS, hash -p) is bash's: a POSIX sh runs the
    // name itself. Both are judged.
    if (hashed && !inv.argv.empty() && inv.argv[0].known && hashed_.count(inv.argv[0].text) > 0 &&
        inv.argv[0].text != "cd" && inv.argv[0].text != "pushd" && inv.argv[0].text != "popd") {
      invocation(inv, depth, false);
      if (too_many()) return;
    }
    Assessment a = classify(resolved, workspace_);
    if (a.risk >= Risk::Medium && directory_outside())
      a.raise(Risk::High,
              "runs in " + (cwd_ ? *cwd_ : std::string("a directory not known statically")) + ", outside the workspace",
              !cwd_);
    for (const auto& e : a.executes)
      if (std::find(written_.begin(), written_.end(), canonical(e)) != written_.end())
        a.raise(Risk::High, "runs " + e + ", which this command line writes first", true);
    for (const auto& w : a.writes) written_.push_back(canonical(w));
    Part p;
    p.text = join(inv.argv);
    p.is_command = true;
    p.normalized = normalize(a.canonical);
    p.argv = std::move(resolved.argv);
    if (inv.input == Stdin::File) p.input_file = inv.input_file;
    p.code = std::move(a.code);
    p.unknown_subcommand = a.unknown_subcommand;
    p.risk = a.risk;
    p.reasons = std::move(a.reasons);
    p.doubt = a.doubt;
    if (p.reasons.empty())
      p.reasons.push_back(p.normalized.program.empty() ? "no command" : p.normalized.program + " is read-only");
    // A file this command line wrote with known content, run as a script or as code.
    std::vector<std::string> scripts_written;
    for (const auto& e : a.executes) {
      auto it = contents_.find(canonical(e));
      if (it == contents_.end()) continue;
      const std::string& content = it->second;
      std::string shebang = content.rfind("#!", 0) == 0 ? content.substr(0, content.find('\n')) : "";
      const Program* spec = find_program(p.normalized.program);
      bool code = (spec != nullptr && spec->handler == Handler::Interpreter) ||
                  (!shebang.empty() && shebang.find("sh") == std::string::npos) ||
                  (spec != nullptr && !spec->runs_files.empty()) || is_runs_file(e);
      if (code) {
        p.code.push_back(content);
      } else {
        scripts_written.push_back(content);
      }
    }
    std::string program = p.normalized.program;
    result_.parts.push_back(std::move(p));
    for (const auto& text : scripts_written) run_text(text, depth, "a script this command line writes");
    // crontab <<< '* * * * * CMD', at now <<EOF: what they run later is analysed now.
    if (runs_input_later(program) && inv.input_known && !inv.input_text.empty() && inv.input != Stdin::Pipe)
      run_text(scheduled_commands(program, inv.input_text), depth, "the commands " + program + " runs later");
    std::optional<std::string> outer = cwd_;
    if (!a.run_directory.empty()) {  // env -C DIR CMD: CMD runs in DIR
      const std::string& d = a.run_directory;
      if (d == "?" || !cwd_)
        cwd_ = std::nullopt;
      else
        cwd_ = normalize_path(d[0] == '/' || d[0] == '~' ? d : *cwd_ + "/" + d);
    }
    for (auto& run : a.runs) {
      Invocation inner;
      inner.argv = std::move(run);
      inner.input = inv.input;
      inner.input_text = inv.input_text;
      inner.input_known = inv.input_known;
      inner.input_file = inv.input_file;
      invocation(inner, depth + 1);
    }
    if (!a.run_directory.empty()) cwd_ = outer;
    for (const auto& text : a.scripts) run_text(text, depth, "a command string it runs");
  }
};

}  // namespace

Analysis analyze(std::string_view command, std::string_view workspace) { return Analyzer(workspace).run(command); }

}  // namespace droid::runner::policy
