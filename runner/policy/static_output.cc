#include "policy/static_output.h"

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <vector>

#include "text/base64.h"

namespace droid::runner::policy {
namespace {

constexpr std::size_t kMaxOutput = std::size_t{64} * 1024;

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Backslash escapes as `echo -e` and printf's %b and format read them.
std::string unescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 >= s.size()) {
      out += s[i];
      continue;
    }
    char c = s[++i];
    switch (c) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'a': out += '\a'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'v': out += '\v'; break;
      case 'e':
      case 'E': out += '\x1b'; break;
      case '\\': out += '\\'; break;
      case 'x': {
        int v = 0, n = 0;
        while (n < 2 && i + 1 < s.size() && hex(s[i + 1]) >= 0) v = v * 16 + hex(s[++i]), ++n;
        if (n == 0)
          out += "\\x";
        else
          out += static_cast<char>(v);
        break;
      }
      case '0': {
        int v = 0, n = 0;
        while (n < 3 && i + 1 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '7') v = v * 8 + (s[++i] - '0'), ++n;
        out += static_cast<char>(v);
        break;
      }
      default:
        if (c >= '1' && c <= '7') {
          int v = c - '0', n = 1;
          while (n < 3 && i + 1 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '7') v = v * 8 + (s[++i] - '0'), ++n;
          out += static_cast<char>(v);
        } else {
          out += '\\';
          out += c;
        }
    }
  }
  return out;
}

std::optional<std::string> echo(const std::vector<std::string>& args) {
  bool newline = true, escapes = false;
  std::size_t i = 1;
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.size() < 2 || a[0] != '-' || a.find_first_not_of("neE", 1) != std::string::npos) break;
    for (char c : a.substr(1)) {
      if (c == 'n') newline = false;
      if (c == 'e') escapes = true;
      if (c == 'E') escapes = false;
    }
  }
  std::string out;
  for (std::size_t k = i; k < args.size(); ++k) {
    if (k > i) out += ' ';
    out += escapes ? unescape(args[k]) : args[k];
  }
  if (newline) out += '\n';
  return out;
}

std::optional<std::string> printf_(const std::vector<std::string>& args) {
  if (args.size() < 2) return std::nullopt;
  std::size_t first = 1;
  if (args[1] == "--") first = 2;
  if (first >= args.size() || args[first] == "-v") return std::nullopt;
  const std::string& format = args[first];
  std::size_t next = first + 1;
  std::string out;
  do {
    for (std::size_t i = 0; i < format.size(); ++i) {
      if (format[i] == '\\') {
        std::size_t j = i + 1;
        if (j < format.size() && (format[j] == 'x' || (format[j] >= '0' && format[j] <= '7'))) {
          std::size_t end = j + 1;
          while (end < format.size() && end < j + 4 && hex(format[end]) >= 0) ++end;
          out += unescape(format.substr(i, end - i));
          i = end - 1;
        } else {
          out += unescape(format.substr(i, 2));
          ++i;
        }
        continue;
      }
      if (format[i] != '%') {
        out += format[i];
        continue;
      }
      if (i + 1 >= format.size()) return std::nullopt;
      char spec = format[++i];
      if (spec == '%') {
        out += '%';
      } else if (spec == 's' || spec == 'b' || spec == 'd' || spec == 'c') {
        std::string arg = next < args.size() ? args[next++] : "";
        if (spec == 'b') arg = unescape(arg);
        if (spec == 'c') arg = arg.substr(0, 1);
        out += arg;
      } else {
        return std::nullopt;  // widths, precisions, other conversions: not worth guessing
      }
    }
  } while (next < args.size() && next > first + 1);
  return out;
}

// base32 -d (RFC 4648's upper-case alphabet); base64 is libdroid's, read leniently.
std::optional<std::string> base32_decode(std::string_view in) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : in) {
    int v = -1;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= '2' && c <= '7')
      v = c - '2' + 26;
    if (c == '=' || c == '\n' || c == ' ' || c == '\r' || c == '\t') continue;
    if (v < 0) return std::nullopt;
    buffer = (buffer << 5) | static_cast<std::uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  return out;
}

std::optional<std::string> hex_decode(std::string_view in) {
  std::string out;
  int high = -1;
  for (char c : in) {
    int v = hex(c);
    if (v < 0) continue;  // xxd -p skips what is not hex
    if (high < 0) {
      high = v;
    } else {
      out += static_cast<char>(high * 16 + v);
      high = -1;
    }
  }
  return out;
}

// tr's SET as the characters it lists: ranges (a-z), classes ([:upper:]), escapes (\n).
std::optional<std::string> tr_set(std::string_view set) {
  static const std::pair<std::string_view, std::string_view> kClasses[] = {{"[:upper:]", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"},
                                                                           {"[:lower:]", "abcdefghijklmnopqrstuvwxyz"},
                                                                           {"[:digit:]", "0123456789"},
                                                                           {"[:space:]", " \t\n\r\v\f"},
                                                                           {"[:blank:]", " \t"}};
  std::string out;
  for (std::size_t i = 0; i < set.size();) {
    bool matched = false;
    for (const auto& [name, chars] : kClasses)
      if (set.substr(i, name.size()) == name) {
        out += chars;
        i += name.size();
        matched = true;
        break;
      }
    if (matched) continue;
    if (set[i] == '[') return std::nullopt;  // other classes and [c*n]: not modelled
    char c = set[i];
    std::size_t used = 1;
    if (c == '\\' && i + 1 < set.size()) {
      char e = set[i + 1];
      c = e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e;
      used = 2;
    }
    if (i + used + 1 < set.size() && set[i + used] == '-') {
      char last = set[i + used + 1];
      if (static_cast<unsigned char>(last) < static_cast<unsigned char>(c)) return std::nullopt;
      for (int k = static_cast<unsigned char>(c); k <= static_cast<unsigned char>(last); ++k)
        out += static_cast<char>(k);
      i += used + 2;
      continue;
    }
    out += c;
    i += used;
  }
  return out;
}

// tr SET1 SET2 and tr -d SET.
std::optional<std::string> tr(const std::vector<std::string>& args, const std::string& in) {
  if (args.size() == 3 && args[1] == "-d") {
    auto del = tr_set(args[2]);
    if (!del) return std::nullopt;
    std::string out;
    for (char c : in)
      if (del->find(c) == std::string::npos) out += c;
    return out;
  }
  if (args.size() != 3 || args[1].rfind('-', 0) == 0) return std::nullopt;
  auto from = tr_set(args[1]);
  auto to = tr_set(args[2]);
  if (!from || !to || to->empty()) return std::nullopt;
  std::string out = in;
  for (char& c : out) {
    std::size_t k = from->rfind(c);
    if (k != std::string::npos) c = (*to)[std::min(k, to->size() - 1)];
  }
  return out;
}

// sed 's/A/B/' and 's/A/B/g' with A a literal (no regular-expression characters).
std::optional<std::string> sed_literal(const std::vector<std::string>& args, const std::string& in) {
  std::string script = args.size() == 2 ? args[1] : args.size() == 3 && args[1] == "-e" ? args[2] : "";
  if (script.size() < 4 || script[0] != 's') return std::nullopt;
  char d = script[1];
  std::size_t mid = script.find(d, 2);
  std::size_t end = mid == std::string::npos ? mid : script.find(d, mid + 1);
  if (end == std::string::npos) return std::nullopt;
  std::string from = script.substr(2, mid - 2);
  std::string to = script.substr(mid + 1, end - mid - 1);
  std::string flags = script.substr(end + 1);
  if (from.empty() || from.find_first_of("\\.*[]^$+?(){}|") != std::string::npos ||
      to.find_first_of("\\&") != std::string::npos || (!flags.empty() && flags != "g"))
    return std::nullopt;
  std::string out;
  std::size_t line_start = 0;
  while (line_start <= in.size()) {
    std::size_t nl = in.find('\n', line_start);
    std::string line = in.substr(line_start, nl == std::string::npos ? std::string::npos : nl - line_start);
    for (std::size_t at = line.find(from); at != std::string::npos; at = line.find(from, at + to.size())) {
      line.replace(at, from.size(), to);
      if (flags != "g") break;
    }
    out += line;
    if (nl == std::string::npos) break;
    out += '\n';
    line_start = nl + 1;
  }
  return out;
}

// One stage of the pipeline applied to `in`; nullopt when its effect is not known.
std::optional<std::string> filter(const std::vector<std::string>& args, const std::string& in) {
  const std::string& p = args[0];
  auto has = [&](std::initializer_list<std::string_view> flags) {
    return std::any_of(args.begin() + 1, args.end(),
                       [&](const std::string& a) { return std::find(flags.begin(), flags.end(), a) != flags.end(); });
  };
  if (p == "cat" && (args.size() == 1 || (args.size() == 2 && args[1] == "-"))) return in;
  // tee F passes its input on; head and tail pass a part of it (all of it: a superset, so
  // what the shell runs is among what is analysed).
  if (p == "tee" || p == "head" || p == "tail") return in;
  // awk's identity programs.
  if (p == "awk" && args.size() == 2 && (args[1] == "{print}" || args[1] == "{print $0}" || args[1] == "1")) return in;
  if (p == "tr") return tr(args, in);
  if (p == "sed") return sed_literal(args, in);
  bool decode = has({"-d", "--decode", "-D", "-di", "-id", "--ignore-garbage"}) && !has({"-w"});
  if ((p == "base64" || p == "base32") && decode && args.size() <= 3)
    return p == "base32" ? base32_decode(in) : text::base64_decode(in, text::Base64::Lenient);
  // openssl base64 -d, openssl enc -d -base64 (or -a, -A).
  if (p == "openssl" && args.size() >= 3 &&
      (args[1] == "base64" || (args[1] == "enc" && has({"-base64", "-a", "-A"}))) && has({"-d"}) && args.size() <= 5)
    return text::base64_decode(in, text::Base64::Lenient);
  if (p == "xxd" && has({"-r"}) && has({"-p", "-ps", "-plain"})) return hex_decode(in);
  if (p == "rev" && args.size() == 1) {
    std::string out;
    std::size_t i = 0;
    while (i < in.size()) {
      std::size_t j = in.find('\n', i);
      if (j == std::string::npos) j = in.size();
      std::string line = in.substr(i, j - i);
      std::reverse(line.begin(), line.end());
      out += line;
      if (j < in.size()) out += '\n';
      i = j + 1;
    }
    return out;
  }
  return std::nullopt;
}

// The words of a simple command when all are literal; `input` receives a literal
// here-string or here-doc it reads (other redirections: nullopt).
std::optional<std::vector<std::string>> literal_words(const Command& c, std::optional<std::string>* input = nullptr) {
  if (c.kind != Command::Kind::Simple || !c.assignments.empty() || c.words.empty()) return std::nullopt;
  if (!c.redirects.empty()) {
    if (input == nullptr || c.redirects.size() != 1) return std::nullopt;
    const Redirect& r = c.redirects[0];
    if (r.op == "<<<" && r.target.literal()) {
      *input = r.target.text + "\n";
    } else if ((r.op == "<<" || r.op == "<<-") && r.heredoc &&
               (!r.heredoc->expands || r.heredoc->substitutions.empty()) &&
               (!r.heredoc->expands || r.heredoc->body.find('$') == std::string::npos)) {
      *input = r.heredoc->body;
    } else {
      return std::nullopt;
    }
  }
  std::vector<std::string> words;
  for (const auto& w : c.words) {
    if (!w.literal()) return std::nullopt;
    words.push_back(w.text);
  }
  std::size_t slash = words[0].rfind('/');
  if (slash != std::string::npos) words[0] = words[0].substr(slash + 1);
  return words;
}

}  // namespace

std::optional<std::string> static_output(const Script& script) {
  if (script.items.size() != 1 || script.items[0].pipelines.size() != 1) return std::nullopt;
  const Pipeline& pipeline = script.items[0].pipelines[0];
  if (pipeline.commands.empty()) return std::nullopt;
  std::optional<std::string> input;
  auto first = literal_words(pipeline.commands[0], &input);
  if (!first) return std::nullopt;
  std::optional<std::string> out;
  if (input)
    out = filter(*first, *input);  // base64 -d <<< cm0g...
  else if ((*first)[0] == "echo")
    out = echo(*first);
  else if ((*first)[0] == "printf")
    out = printf_(*first);
  if (!out) return std::nullopt;
  for (std::size_t i = 1; i < pipeline.commands.size() && out; ++i) {
    auto words = literal_words(pipeline.commands[i]);
    if (!words) return std::nullopt;
    out = filter(*words, *out);
  }
  if (out && out->size() > kMaxOutput) return std::nullopt;
  return out;
}

}  // namespace droid::runner::policy
