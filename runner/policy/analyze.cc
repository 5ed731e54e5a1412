#include "policy/analyze.h"

#include <algorithm>
#include <utility>

#include "policy/ast.h"
#include "policy/classify.h"
#include "policy/parser.h"
#include "policy/paths.h"

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

// Control characters other than tab and newline, and invisible or
// bidirectional Unicode: text that does not show what it does.
std::string hidden_characters(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F) return "a control character";
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xAD) return "a soft hyphen";
    if (c == 0xE2 && i + 2 < s.size()) {
      auto b1 = static_cast<unsigned char>(s[i + 1]), b2 = static_cast<unsigned char>(s[i + 2]);
      if (b1 == 0x80 && ((b2 >= 0x8B && b2 <= 0x8F) || (b2 >= 0xAA && b2 <= 0xAE)))
        return "an invisible or bidirectional Unicode character";
      if (b1 == 0x81 && b2 >= 0xA0 && b2 <= 0xAF) return "an invisible Unicode character";
    }
    if (c == 0xEF && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xBB &&
        static_cast<unsigned char>(s[i + 2]) == 0xBF)
      return "a zero-width no-break space";
  }
  return {};
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
    return true;
  }

  void script(const Script& s, int depth) {
    for (const auto& item : s.items)
      for (const auto& pipeline : item.pipelines)
        for (std::size_t i = 0; i < pipeline.commands.size(); ++i)
          command(pipeline.commands[i], i > 0 ? Stdin::Pipe : Stdin::None, depth);
  }

  void substitutions(const Word& w, int depth) {
    for (const auto& sub : w.substitutions) script(*sub, depth);
  }

  void redirects(const std::vector<Redirect>& rs, Invocation& inv, int depth) {
    Assessment a;
    std::string text;
    for (const auto& r : rs) {
      substitutions(r.target, depth);
      if (r.heredoc)
        for (const auto& sub : r.heredoc->substitutions) script(*sub, depth);
      if (r.writes_file()) {
        assess_write(a, Arg{r.target.text, r.target.literal() && !r.target.tilde, false},
                     "the redirection '" + r.op + " " + r.target.text + "'", workspace_);
        text += (text.empty() ? "" : " ") + r.op + " " + r.target.text;
      } else if (r.op == "<" || r.op == "<>") {
        inv.input = Stdin::File;
      }
      if (r.target.text.rfind("/dev/tcp/", 0) == 0 || r.target.text.rfind("/dev/udp/", 0) == 0) {
        a.raise(Risk::High, "the redirection '" + r.op + " " + r.target.text + "' opens a network connection");
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
      }
    }
    if (!a.reasons.empty()) {
      for (const auto& w : a.writes) written_.push_back(canonical(w));
      Part p;
      p.text = text;
      p.risk = a.risk;
      p.reasons = std::move(a.reasons);
      p.doubt = a.doubt;
      result_.parts.push_back(std::move(p));
    }
  }

  void command(const Command& cmd, Stdin input, int depth) {
    if (too_many()) return;
    for (const auto& w : cmd.assignments) substitutions(w, depth);
    for (const auto& w : cmd.words) substitutions(w, depth);
    Invocation inv;
    inv.input = input;
    redirects(cmd.redirects, inv, depth);
    if (cmd.kind != Command::Kind::Simple) {
      for (const auto& body : cmd.bodies) script(*body, depth);
      return;
    }
    for (const auto& w : cmd.assignments) {
      std::string name = w.text.substr(0, w.text.find('='));
      if (!name.empty() && name.back() == '+') name.pop_back();
      name = name.substr(0, name.find('['));
      if (is_sensitive_variable(name)) {
        Part p;
        p.text = w.text;
        p.risk = Risk::High;
        p.reasons.push_back("sets " + name + ", which changes what programs run or where data goes");
        result_.parts.push_back(std::move(p));
      }
    }
    if (cmd.words.empty()) return;
    for (const auto& w : cmd.words) inv.argv.push_back(Arg{w.text, !w.expanded && !w.brace, w.glob});
    invocation(inv, depth);
  }

  void invocation(const Invocation& inv, int depth) {
    if (too_many()) return;
    if (depth > kMaxNesting) {
      doubt_part(join(inv.argv), "commands are nested too deeply to analyse");
      return;
    }
    Assessment a = classify(inv, workspace_);
    for (const auto& e : a.executes)
      if (std::find(written_.begin(), written_.end(), canonical(e)) != written_.end())
        a.raise(Risk::High, "runs " + e + ", which this command line writes first", true);
    for (const auto& w : a.writes) written_.push_back(canonical(w));
    Part p;
    p.text = join(inv.argv);
    p.is_command = true;
    p.normalized = normalize(inv.argv);
    p.risk = a.risk;
    p.reasons = std::move(a.reasons);
    p.doubt = a.doubt;
    if (p.reasons.empty())
      p.reasons.push_back(p.normalized.program.empty() ? "no command" : p.normalized.program + " is read-only");
    result_.parts.push_back(std::move(p));
    for (auto& run : a.runs) {
      Invocation inner;
      inner.argv = std::move(run);
      inner.input = inv.input;
      inner.input_text = inv.input_text;
      inner.input_known = inv.input_known;
      invocation(inner, depth + 1);
    }
    for (const auto& text : a.scripts) {
      if (depth + 1 > kMaxNesting) {
        doubt_part(text, "commands are nested too deeply to analyse");
        continue;
      }
      ParseResult parsed = parse(text);
      if (!parsed.ok()) {
        doubt_part(text, "a command string it runs cannot be parsed: " + parsed.error);
        continue;
      }
      script(*parsed.script, depth + 1);
    }
  }
};

}  // namespace

Analysis analyze(std::string_view command, std::string_view workspace) { return Analyzer(workspace).run(command); }

}  // namespace droid::runner::policy
