#include "policy/parser.h"

#include <array>
#include <cstdint>
#include <stdexcept>
#include <utility>
#include <vector>

#include "text/utf8.h"

namespace droid::runner::policy {

bool Redirect::writes_file() const {
  if (op == ">" || op == ">>" || op == ">|" || op == "<>" || op == "&>" || op == "&>>") return true;
  if (op == ">&") {  // >&2 and >&- duplicate a descriptor; >&file writes the file
    if (!target.literal()) return true;
    if (target.text == "-") return false;
    for (char c : target.text)
      if (c < '0' || c > '9') return true;
    return target.text.empty();
  }
  return false;
}

namespace {

struct ParseError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

constexpr int kMaxDepth = 64;

bool is_meta(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '&' || c == '|' || c == '<' || c == '>' || c == '(' ||
         c == ')';
}
bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Words that close a compound command: a list stops in front of them.
bool is_closer(std::string_view w) {
  return w == "then" || w == "elif" || w == "else" || w == "fi" || w == "do" || w == "done" || w == "esac" || w == "}";
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class Parser {
 public:
  Parser(std::string_view text, int depth) : s_(text), depth_(depth) {}

  std::shared_ptr<Script> parse_all() {
    auto script = parse_list();
    skip_blanks();
    if (!eof()) fail(std::string("unexpected '") + unexpected_token() + "'");
    return script;
  }

  // The text of an unquoted here-doc body, read like the inside of "...": collects its substitutions.
  std::vector<std::shared_ptr<Script>> heredoc_substitutions() {
    Word w;
    while (!eof()) {
      char c = peek();
      if (c == '\\' && (peek(1) == '$' || peek(1) == '`' || peek(1) == '\\' || peek(1) == '\n')) {
        i_ += 2;
      } else if (c == '$') {
        dollar(w, true);
      } else if (c == '`') {
        backtick(w, true);
      } else {
        ++i_;
      }
    }
    return std::move(w.substitutions);
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
  int depth_;
  std::vector<std::shared_ptr<HereDoc>> pending_;

  struct DepthGuard {
    explicit DepthGuard(Parser& p) : p_(p) {
      if (++p_.depth_ > kMaxDepth) p_.fail("commands are nested too deeply");
    }
    ~DepthGuard() { --p_.depth_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;
    Parser& p_;
  };

  [[noreturn]] void fail(const std::string& message) const {
    throw ParseError(message + " at offset " + std::to_string(i_));
  }
  bool eof() const { return i_ >= s_.size(); }
  char peek(std::size_t k = 0) const { return i_ + k < s_.size() ? s_[i_ + k] : '\0'; }
  bool looking_at(std::string_view t) const { return s_.substr(i_, t.size()) == t; }
  std::string unexpected_token() const {
    if (eof()) return "end of input";
    std::string t(1, peek());
    if ((peek() == ';' || peek() == '&' || peek() == '|') && peek(1) == peek()) t += peek();
    return t;
  }

  // Spaces, tabs, line continuations and comments.
  void skip_blanks() {
    while (!eof()) {
      char c = peek();
      if (c == ' ' || c == '\t') {
        ++i_;
      } else if (c == '\\' && peek(1) == '\n') {
        i_ += 2;
      } else if (c == '#') {
        while (!eof() && peek() != '\n') ++i_;
      } else {
        break;
      }
    }
  }

  void newline() {
    ++i_;
    for (auto& doc : pending_) read_heredoc(*doc);
    pending_.clear();
  }

  void skip_linebreaks() {
    for (;;) {
      skip_blanks();
      if (peek() != '\n') return;
      newline();
    }
  }

  void read_heredoc(HereDoc& doc) {
    bool strip_tabs = doc.delimiter.size() > 1 && doc.delimiter[0] == '\t';  // marker set by redirect()
    std::string delimiter = strip_tabs ? doc.delimiter.substr(1) : doc.delimiter;
    doc.delimiter = delimiter;
    while (!eof()) {
      std::size_t end = s_.find('\n', i_);
      if (end == std::string_view::npos) end = s_.size();
      std::string_view line = s_.substr(i_, end - i_);
      if (strip_tabs)
        while (!line.empty() && line.front() == '\t') line.remove_prefix(1);
      i_ = end < s_.size() ? end + 1 : end;
      if (line == delimiter) break;
      doc.body.append(line);
      doc.body += '\n';
    }
    if (doc.expands) {
      Parser sub(doc.body, depth_ + 1);
      doc.substitutions = sub.heredoc_substitutions();
    }
  }

  // A reserved-word candidate at the cursor: a bare word followed by a delimiter.
  std::string_view peek_word() const {
    std::size_t j = i_;
    while (j < s_.size() && !is_meta(s_[j]) && s_[j] != '\'' && s_[j] != '"' && s_[j] != '\\' && s_[j] != '$' &&
           s_[j] != '`')
      ++j;
    if (j < s_.size() && (s_[j] == '\'' || s_[j] == '"' || s_[j] == '\\' || s_[j] == '$' || s_[j] == '`')) return {};
    return s_.substr(i_, j - i_);
  }

  void expect_word(std::string_view w) {
    skip_linebreaks();
    if (peek_word() != w) fail("expected '" + std::string(w) + "'");
    i_ += w.size();
  }

  bool at_list_end() {
    if (eof() || peek() == ')') return true;
    if (peek() == ';' && (peek(1) == ';' || peek(1) == '&')) return true;
    return is_closer(peek_word());
  }

  std::shared_ptr<Script> parse_list() {
    DepthGuard guard(*this);
    auto script = std::make_shared<Script>();
    for (;;) {
      skip_linebreaks();
      if (at_list_end()) return script;
      AndOr item = parse_and_or();
      skip_blanks();
      char c = peek();
      if (c == ';' && peek(1) != ';' && peek(1) != '&') {
        ++i_;
      } else if (c == '&') {
        item.background = true;
        ++i_;
      } else if (c != '\n' && !at_list_end()) {
        fail(std::string("unexpected '") + unexpected_token() + "'");
      }
      script->items.push_back(std::move(item));
    }
  }

  AndOr parse_and_or() {
    AndOr item;
    item.pipelines.push_back(parse_pipeline());
    for (;;) {
      skip_blanks();
      if (!looking_at("&&") && !looking_at("||")) return item;
      i_ += 2;
      skip_linebreaks();
      item.pipelines.push_back(parse_pipeline());
    }
  }

  Pipeline parse_pipeline() {
    Pipeline p;
    skip_blanks();
    while (peek_word() == "!") {
      p.negated = !p.negated;
      ++i_;
      skip_blanks();
    }
    p.commands.push_back(parse_command());
    for (;;) {
      skip_blanks();
      if (peek() != '|' || peek(1) == '|') return p;
      ++i_;
      if (peek() == '&') ++i_;
      skip_linebreaks();
      p.commands.push_back(parse_command());
    }
  }

  Command parse_command() {
    DepthGuard guard(*this);
    skip_blanks();
    std::string_view w = peek_word();
    Command cmd;
    if (w == "if") {
      parse_if(cmd);
    } else if (w == "while" || w == "until") {
      i_ += w.size();
      cmd.kind = Command::Kind::While;
      cmd.bodies.push_back(parse_list());
      expect_word("do");
      cmd.bodies.push_back(parse_list());
      expect_word("done");
    } else if (w == "for" || w == "select") {
      i_ += w.size();
      parse_for(cmd);
    } else if (w == "case") {
      i_ += w.size();
      parse_case(cmd);
    } else if (w == "{") {
      ++i_;
      cmd.kind = Command::Kind::Group;
      cmd.bodies.push_back(parse_list());
      if (cmd.bodies.back()->items.empty()) fail("empty group");
      expect_word("}");
    } else if (w == "function") {
      i_ += w.size();
      skip_blanks();
      cmd.kind = Command::Kind::Function;
      cmd.words.push_back(read_word());
      skip_blanks();
      if (peek() == '(') {
        ++i_;
        skip_blanks();
        if (peek() != ')') fail("expected ')' in function definition");
        ++i_;
      }
      function_body(cmd);
      return cmd;
    } else if (w == "[[") {
      i_ += 2;
      parse_conditional(cmd);
    } else if (looking_at("((")) {
      cmd.kind = Command::Kind::Arithmetic;
      cmd.words.push_back(arithmetic());
    } else if (peek() == '(') {
      ++i_;
      cmd.kind = Command::Kind::Subshell;
      cmd.bodies.push_back(parse_list());
      if (cmd.bodies.back()->items.empty()) fail("empty subshell");
      if (peek() != ')') fail("expected ')'");
      ++i_;
    } else if (is_closer(w) || w == "in" || w == "]]") {
      fail("unexpected '" + std::string(w) + "'");
    } else {
      parse_simple(cmd);
      return cmd;
    }
    for (;;) {  // redirections after a compound command
      skip_blanks();
      if (!at_redirect()) break;
      redirect(cmd.redirects);
    }
    return cmd;
  }

  void function_body(Command& cmd) {
    skip_linebreaks();
    auto body = std::make_shared<Script>();
    AndOr item;
    Pipeline p;
    p.commands.push_back(parse_command());
    if (p.commands.back().kind == Command::Kind::Simple) fail("a function body must be a compound command");
    item.pipelines.push_back(std::move(p));
    body->items.push_back(std::move(item));
    cmd.bodies.push_back(std::move(body));
  }

  void parse_if(Command& cmd) {
    cmd.kind = Command::Kind::If;
    i_ += 2;
    cmd.bodies.push_back(parse_list());
    expect_word("then");
    cmd.bodies.push_back(parse_list());
    for (;;) {
      skip_linebreaks();
      std::string_view w = peek_word();
      if (w == "elif") {
        i_ += w.size();
        cmd.bodies.push_back(parse_list());
        expect_word("then");
        cmd.bodies.push_back(parse_list());
      } else if (w == "else") {
        i_ += w.size();
        cmd.bodies.push_back(parse_list());
        expect_word("fi");
        return;
      } else if (w == "fi") {
        i_ += w.size();
        return;
      } else {
        fail("expected 'fi'");
      }
    }
  }

  void parse_for(Command& cmd) {
    cmd.kind = Command::Kind::For;
    skip_blanks();
    if (looking_at("((")) {
      cmd.words.push_back(arithmetic());
    } else {
      Word name = read_word();
      if (!name.literal() || name.text.empty()) fail("bad loop variable");
      skip_linebreaks();
      if (peek_word() == "in") {
        i_ += 2;
        for (;;) {
          skip_blanks();
          if (eof() || peek() == ';' || peek() == '\n') break;
          if (is_meta(peek())) fail(std::string("unexpected '") + unexpected_token() + "' in for list");
          cmd.words.push_back(read_word());
        }
      }
    }
    skip_blanks();
    if (peek() == ';') ++i_;
    skip_linebreaks();
    if (peek_word() == "{") {
      ++i_;
      cmd.bodies.push_back(parse_list());
      expect_word("}");
      return;
    }
    expect_word("do");
    cmd.bodies.push_back(parse_list());
    expect_word("done");
  }

  void parse_case(Command& cmd) {
    cmd.kind = Command::Kind::Case;
    skip_blanks();
    cmd.words.push_back(read_word());
    expect_word("in");
    for (;;) {
      skip_linebreaks();
      if (eof()) fail("expected 'esac'");
      if (peek_word() == "esac") {
        i_ += 4;
        return;
      }
      if (peek() == '(') ++i_;
      for (;;) {
        skip_blanks();
        if (is_meta(peek()) || eof()) fail("expected a case pattern");
        cmd.words.push_back(read_word());
        skip_blanks();
        if (peek() != '|') break;
        ++i_;
      }
      if (peek() != ')') fail("expected ')' after a case pattern");
      ++i_;
      cmd.bodies.push_back(parse_list());
      skip_blanks();
      if (looking_at(";;&")) {
        i_ += 3;
      } else if (looking_at(";;") || looking_at(";&")) {
        i_ += 2;
      } else if (peek_word() != "esac") {
        fail("expected ';;' or 'esac'");
      }
    }
  }

  void parse_conditional(Command& cmd) {
    cmd.kind = Command::Kind::Conditional;
    for (;;) {
      skip_linebreaks();
      if (eof()) fail("expected ']]'");
      if (peek_word() == "]]") {
        i_ += 2;
        return;
      }
      char c = peek();
      if (c == '(' || c == ')' || c == '!' || c == '<' || c == '>' || c == '&' || c == '|') {
        ++i_;
      } else if (c == ';') {
        fail("unexpected ';' in [[ ]]");
      } else {
        cmd.words.push_back(read_word());
      }
    }
  }

  // At "(" of "((" or "$((", or "[" of "$[" (the old form of $((...))): the text up to the
  // matching close of the outer pair. Inside arithmetic, quotes do not stop expansion
  // ($(( '$(id)' )) runs id), and an array subscript is expanded again when evaluated.
  Word arithmetic(char open = '(', char close = ')') {
    std::size_t start = i_;
    int depth = 0;
    while (!eof()) {
      char c = peek();
      // A command substitution inside is parsed as commands: its quoted parentheses are text.
      if (depth > 0 && ((c == '$' && i_ + 2 < s_.size() && s_[i_ + 1] == '(' && s_[i_ + 2] != '(') || c == '`')) {
        TextSubstitution t;
        if (substitution_at(s_, i_, t)) {
          if (t.end == std::string_view::npos) fail("unterminated command substitution inside arithmetic");
          i_ = t.end + 1;
          continue;
        }
      }
      if (c == open) {
        ++depth;
      } else if (c == close) {
        if (--depth == 0) {
          ++i_;
          Word w;
          w.text = std::string(s_.substr(start, i_ - start));
          w.expanded = true;
          std::string rest = arithmetic_substitutions(w.text.substr(1, w.text.size() - 2), w);
          if (rest.find('[') != std::string::npos && rest.find('$') != std::string::npos)
            fail("array subscripts with expansions inside arithmetic are not analysed");
          return w;
        }
      }
      ++i_;
    }
    fail("unterminated arithmetic expression");
  }

  // The command substitutions inside arithmetic text, quoted or not (quotes do not stop
  // expansion there), parsed into `w`; returns the text without them.
  std::string arithmetic_substitutions(const std::string& text, Word& w) {
    std::string rest;
    for (std::size_t k = 0; k < text.size(); ++k) {
      TextSubstitution t;
      if (!substitution_at(text, k, t)) {
        rest += text[k];
        continue;
      }
      if (t.end == std::string::npos) fail("unterminated command substitution inside arithmetic");
      std::size_t from = t.begin;
      std::size_t end = t.end;
      Parser sub(std::string_view(text).substr(from, end - from), depth_ + 1);
      w.substitutions.push_back(sub.parse_all());
      w.evaluated = true;
      k = end;
    }
    return rest;
  }

  bool at_redirect() const {
    std::size_t j = i_;
    if (j < s_.size() && s_[j] == '{') {  // {varname}>file
      std::size_t k = j + 1;
      while (k < s_.size() && is_name_char(s_[k])) ++k;
      if (k > j + 1 && k < s_.size() && s_[k] == '}' && k + 1 < s_.size() && (s_[k + 1] == '<' || s_[k + 1] == '>'))
        return true;
    }
    while (j < s_.size() && is_digit(s_[j])) ++j;
    if (j >= s_.size()) return false;
    char c = s_[j];
    char n = j + 1 < s_.size() ? s_[j + 1] : '\0';
    if ((c == '<' || c == '>') && n != '(') return true;
    return j == i_ && c == '&' && n == '>';
  }

  void redirect(std::vector<Redirect>& out) {
    Redirect r;
    if (peek() == '{') {
      while (peek() != '}') ++i_;
      ++i_;
      r.fd = -2;  // a descriptor chosen by bash
    } else if (is_digit(peek())) {
      int fd = 0;
      while (is_digit(peek())) {
        fd = fd * 10 + (peek() - '0');
        if (fd > 100000) fail("file descriptor out of range");
        ++i_;
      }
      r.fd = fd;
    }
    static constexpr std::array<std::string_view, 12> kOps = {"&>>", "<<<", "<<-", "&>", "<<", "<>",
                                                              "<&",  ">>",  ">|",  ">&", "<",  ">"};
    for (auto op : kOps) {
      if (looking_at(op)) {
        r.op = op;
        i_ += op.size();
        break;
      }
    }
    skip_blanks();
    if (eof() || is_meta(peek())) fail("missing target after '" + r.op + "'");
    r.target = read_word();
    if (r.op == "<<" || r.op == "<<-") {
      auto doc = std::make_shared<HereDoc>();
      doc->delimiter = (r.op == "<<-" ? "\t" : "") + r.target.text;
      doc->expands = !r.target.quoted;
      r.heredoc = doc;
      pending_.push_back(std::move(doc));
    }
    out.push_back(std::move(r));
  }

  void parse_simple(Command& cmd) {
    for (;;) {
      skip_blanks();
      char c = peek();
      if (at_redirect()) {
        redirect(cmd.redirects);
        continue;
      }
      if (eof() || c == ';' || c == '&' || c == '|' || c == '\n' || c == ')') break;
      if (c == '(') {
        if (cmd.words.size() == 1 && cmd.assignments.empty() && cmd.redirects.empty() && cmd.words[0].literal()) {
          ++i_;
          skip_blanks();
          if (peek() != ')') fail("expected ')' in function definition");
          ++i_;
          cmd.kind = Command::Kind::Function;
          function_body(cmd);
          return;
        }
        fail("unexpected '('");
      }
      bool assignment = false;
      Word w = read_word(cmd.words.empty() ? &assignment : nullptr);
      if (assignment) {
        if (!w.text.empty() && w.text.back() == '=' && peek() == '(') array_value(w);
        cmd.assignments.push_back(std::move(w));
      } else {
        cmd.words.push_back(std::move(w));
      }
    }
    if (cmd.words.empty() && cmd.assignments.empty() && cmd.redirects.empty())
      fail(std::string("expected a command before '") + unexpected_token() + "'");
  }

  void array_value(Word& w) {
    ++i_;
    w.text += '(';
    for (;;) {
      skip_linebreaks();
      if (eof()) fail("unterminated array assignment");
      if (peek() == ')') {
        ++i_;
        w.text += ')';
        return;
      }
      if (is_meta(peek())) fail(std::string("unexpected '") + unexpected_token() + "' in array assignment");
      Word e = read_word();
      w.text += ' ';
      w.text += e.text;
      w.expanded = w.expanded || e.expanded;
      for (auto& s : e.substitutions) w.substitutions.push_back(std::move(s));
    }
  }

  // One word, up to an unquoted metacharacter. When `assignment` is given, it is
  // set if the word is NAME=value (or NAME[...]=, NAME+=) with an unquoted name.
  Word read_word(bool* assignment = nullptr) {
    Word w;
    std::size_t start = i_;
    if ((peek() == '<' || peek() == '>') && peek(1) == '(') {
      i_ += 2;
      w.substitutions.push_back(parse_list());
      if (peek() != ')') fail("unterminated process substitution");
      ++i_;
      w.expanded = true;
      w.text = std::string(s_.substr(start, i_ - start));
      return w;
    }
    bool name_ok = true;  // so far a valid unquoted assignment name
    while (!eof()) {
      char c = peek();
      if (is_meta(c)) break;
      if (c == '\\' && peek(1) == '\n') {  // a line continuation is removed before anything else
        i_ += 2;
        continue;
      }
      if (assignment && name_ok && c == '=' && !w.text.empty()) {
        *assignment = true;
        name_ok = false;
      } else if (name_ok && !(is_name_char(c) && !(w.text.empty() && is_digit(c))) && !(c == '+' && peek(1) == '=') &&
                 c != '[' && c != ']') {
        name_ok = false;
      }
      switch (c) {
        case '\\':
          if (peek(1) == '\n') {
            i_ += 2;
          } else if (i_ + 1 >= s_.size()) {
            w.text += '\\';
            ++i_;
          } else {
            w.text += peek(1);
            w.quoted = true;
            name_ok = false;
            i_ += 2;
          }
          break;
        case '\'': {
          std::size_t end = s_.find('\'', i_ + 1);
          if (end == std::string_view::npos) fail("unterminated single quote");
          w.text.append(s_.substr(i_ + 1, end - i_ - 1));
          w.quoted = true;
          name_ok = false;
          i_ = end + 1;
          break;
        }
        case '"':
          ++i_;
          double_quoted(w);
          w.quoted = true;
          name_ok = false;
          break;
        case '$':
          if (peek(1) == '\'') {
            i_ += 2;
            ansi_c(w);
            w.quoted = true;
            name_ok = false;
          } else if (peek(1) == '"') {
            i_ += 2;
            double_quoted(w);
            w.quoted = true;
            name_ok = false;
          } else {
            dollar(w, false);
          }
          break;
        case '`': backtick(w, false); break;
        case '*':
        case '?':
        case '[':
          if (!(c == '[' && name_ok)) w.glob = true;
          w.text += c;
          ++i_;
          break;
        case '{':
          if (brace_expansion_ahead()) w.brace = true;
          w.text += c;
          ++i_;
          break;
        case '~':
          if (i_ == start) w.tilde = true;
          w.text += c;
          ++i_;
          break;
        default: w.text += c; ++i_;
      }
    }
    if (i_ == start) fail(std::string("unexpected '") + unexpected_token() + "'");
    if (assignment && *assignment && w.text.find('=') == std::string::npos) *assignment = false;
    return w;
  }

  // At "{": whether a "}" follows in the same word with a "," or ".." between.
  bool brace_expansion_ahead() const {
    int depth = 0;
    bool sep = false;
    for (std::size_t j = i_; j < s_.size(); ++j) {
      char c = s_[j];
      if (is_meta(c) || c == '\'' || c == '"') return false;
      if (c == '\\') {
        ++j;
      } else if (c == '{') {
        ++depth;
      } else if (c == '}') {
        if (--depth == 0) return sep;
      } else if (c == ',' || (c == '.' && j + 1 < s_.size() && s_[j + 1] == '.')) {
        sep = true;
      }
    }
    return false;
  }

  // After the opening quote of "...".
  void double_quoted(Word& w) {
    for (;;) {
      if (eof()) fail("unterminated double quote");
      char c = peek();
      if (c == '"') {
        ++i_;
        return;
      }
      if (c == '\\') {
        char n = peek(1);
        if (n == '\n') {
          i_ += 2;
        } else if (n == '$' || n == '`' || n == '"' || n == '\\') {
          w.text += n;
          i_ += 2;
        } else {
          w.text += c;
          ++i_;
        }
      } else if (c == '$') {
        dollar(w, true);
      } else if (c == '`') {
        backtick(w, true);
      } else {
        w.text += c;
        ++i_;
      }
    }
  }

  // After $': the ANSI-C escapes of bash.
  void ansi_c(Word& w) {
    for (;;) {
      if (eof()) fail("unterminated $'...' quote");
      char c = peek();
      ++i_;
      if (c == '\'') return;
      if (c != '\\') {
        w.text += c;
        continue;
      }
      if (eof()) fail("unterminated $'...' quote");
      char e = peek();
      ++i_;
      switch (e) {
        case 'a': w.text += '\a'; break;
        case 'b': w.text += '\b'; break;
        case 'e':
        case 'E': w.text += '\x1b'; break;
        case 'f': w.text += '\f'; break;
        case 'n': w.text += '\n'; break;
        case 'r': w.text += '\r'; break;
        case 't': w.text += '\t'; break;
        case 'v': w.text += '\v'; break;
        case 'c':
          if (eof()) fail("unterminated $'...' quote");
          w.text += static_cast<char>(peek() & 0x1F);
          ++i_;
          break;
        case 'x':
        case 'u':
        case 'U': {
          std::size_t max = e == 'x' ? 2 : (e == 'u' ? 4 : 8);
          std::uint32_t v = 0;
          std::size_t n = 0;
          while (n < max && hex_value(peek()) >= 0) {
            v = v * 16 + static_cast<std::uint32_t>(hex_value(peek()));
            ++i_;
            ++n;
          }
          if (n == 0) {
            w.text += '\\';
            w.text += e;
          } else if (e == 'x') {
            w.text += static_cast<char>(v);
          } else {
            text::append_utf8(w.text, v);
          }
          break;
        }
        default:
          if (e >= '0' && e <= '7') {
            int v = e - '0';
            for (int n = 1; n < 3 && peek() >= '0' && peek() <= '7'; ++n, ++i_) v = v * 8 + (peek() - '0');
            w.text += static_cast<char>(v & 0xFF);
          } else if (e == '\\' || e == '\'' || e == '"' || e == '?') {
            w.text += e;
          } else {
            w.text += '\\';
            w.text += e;
          }
      }
    }
  }

  // At "$" (outside single quotes).
  void dollar(Word& w, bool in_double_quotes) {
    std::size_t start = i_;
    char n = peek(1);
    if (n == '(' && peek(2) == '(') {
      ++i_;
      Word a = arithmetic();
      for (auto& sub : a.substitutions) w.substitutions.push_back(std::move(sub));
      w.evaluated = w.evaluated || a.evaluated;
      w.expanded = true;
    } else if (n == '[') {  // $[ expr ]: arithmetic, as $(( expr ))
      ++i_;
      Word a = arithmetic('[', ']');
      for (auto& sub : a.substitutions) w.substitutions.push_back(std::move(sub));
      w.evaluated = w.evaluated || a.evaluated;
      w.expanded = true;
    } else if (n == '(') {
      i_ += 2;
      w.substitutions.push_back(parse_list());
      if (peek() != ')') fail("unterminated $(");
      ++i_;
      w.expanded = true;
    } else if (n == '{') {
      i_ += 2;
      parameter(w);
      w.expanded = true;
    } else if (is_name_start(n)) {
      ++i_;
      while (is_name_char(peek())) ++i_;
      w.expanded = true;
    } else if (is_digit(n) || n == '@' || n == '*' || n == '#' || n == '?' || n == '$' || n == '!' || n == '-') {
      i_ += 2;
      w.expanded = true;
    } else {
      ++i_;
      w.text += '$';
      return;
    }
    (void)in_double_quotes;
    w.text.append(s_.substr(start, i_ - start));
  }

  // After "${": up to the matching "}", collecting substitutions inside.
  void parameter(Word& w) {
    int depth = 1;
    std::size_t name_start = i_;
    for (;;) {
      if (eof()) fail("unterminated ${");
      char c = peek();
      if (c == '\\') {
        i_ += 2;
      } else if (c == '\'') {
        std::size_t end = s_.find('\'', i_ + 1);
        if (end == std::string_view::npos) fail("unterminated single quote");
        i_ = end + 1;
      } else if (c == '"') {
        ++i_;
        Word inner;
        double_quoted(inner);
        for (auto& s : inner.substitutions) w.substitutions.push_back(std::move(s));
        for (auto& n : inner.prompt_expansions) w.prompt_expansions.push_back(std::move(n));
        w.evaluated = w.evaluated || inner.evaluated;
      } else if (c == '$') {
        Word inner;
        dollar(inner, true);
        for (auto& s : inner.substitutions) w.substitutions.push_back(std::move(s));
        for (auto& n : inner.prompt_expansions) w.prompt_expansions.push_back(std::move(n));
        w.evaluated = w.evaluated || inner.evaluated;
      } else if (c == '`') {
        Word inner;
        backtick(inner, true);
        for (auto& s : inner.substitutions) w.substitutions.push_back(std::move(s));
      } else if (c == '{') {
        ++depth;
        ++i_;
      } else if (c == '}') {
        ++i_;
        if (--depth == 0) return;
      } else if (c == '@' && depth == 1 && peek(1) == 'P' && peek(2) == '}') {
        std::string name(s_.substr(name_start, i_ - name_start));
        w.prompt_expansions.push_back(name);
        i_ += 2;
      } else {
        ++i_;
      }
    }
  }

  // At "`": the old-style command substitution, parsed after its own unescaping.
  void backtick(Word& w, bool in_double_quotes) {
    std::size_t start = i_;
    ++i_;
    std::string inner;
    for (;;) {
      if (eof()) fail("unterminated backquote");
      char c = peek();
      if (c == '`') {
        ++i_;
        break;
      }
      if (c == '\\') {
        char n = peek(1);
        if (n == '$' || n == '`' || n == '\\' || (in_double_quotes && n == '"')) {
          inner += n;
          i_ += 2;
          continue;
        }
      }
      inner += c;
      ++i_;
    }
    Parser sub(inner, depth_ + 1);
    w.substitutions.push_back(sub.parse_all());
    w.expanded = true;
    w.text.append(s_.substr(start, i_ - start));
  }
};

}  // namespace

bool substitution_at(std::string_view text, std::size_t at, TextSubstitution& out) {
  if (text[at] == '`') {
    out.begin = at + 1;
    out.end = text.find('`', out.begin);
    return true;
  }
  if (text[at] != '$' || at + 1 >= text.size() || text[at + 1] != '(') return false;
  out.begin = at + 2;
  out.end = std::string_view::npos;
  int open = 1;
  for (std::size_t j = out.begin; j < text.size(); ++j) {
    // bash parses the substitution as commands: a parenthesis quoted or escaped is a character.
    if (text[j] == '\\') {
      ++j;
      continue;
    }
    if (text[j] == '\'' || text[j] == '"') {
      char q = text[j];
      for (++j; j < text.size() && text[j] != q; ++j)
        if (q == '"' && text[j] == '\\') ++j;
      continue;
    }
    if (text[j] == '(') ++open;
    if (text[j] == ')' && --open == 0) {
      out.end = j;
      break;
    }
  }
  return true;
}

ParseResult parse(std::string_view text) {
  ParseResult result;
  try {
    Parser p(text, 0);
    result.script = p.parse_all();
  } catch (const ParseError& e) {
    result.error = e.what();
    result.script.reset();
  }
  return result;
}

}  // namespace droid::runner::policy
