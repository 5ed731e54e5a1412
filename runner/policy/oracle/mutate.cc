#include "policy/oracle/mutate.h"

#include <algorithm>
#include <cstdio>
#include <set>

namespace droid::runner::policy::oracle {
namespace {

bool plain_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("_./=:@%+,-~").find(c) != std::string_view::npos;
}

// The words of a seed made only of plain words separated by single spaces.
std::vector<std::string> plain_words(const std::string& s) {
  std::vector<std::string> words;
  std::string w;
  for (char c : s) {
    if (c == ' ') {
      if (w.empty()) return {};
      words.push_back(w);
      w.clear();
    } else if (plain_char(c)) {
      w += c;
    } else {
      return {};
    }
  }
  if (w.empty()) return {};
  words.push_back(w);
  return words;
}

std::string single_quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string base64(const std::string& in) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    out += {k[(v >> 18) & 63], k[(v >> 12) & 63], k[(v >> 6) & 63], k[v & 63]};
  }
  if (i + 1 == in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    out += {k[(v >> 18) & 63], k[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += {k[(v >> 18) & 63], k[(v >> 12) & 63], k[(v >> 6) & 63], '='};
  }
  return out;
}

std::string join(const std::vector<std::string>& w, const std::string& sep = " ") {
  std::string s;
  for (std::size_t i = 0; i < w.size(); ++i) s += (i ? sep : "") + w[i];
  return s;
}

// The program name spelled another way bash reads the same.
std::string respell(const std::string& w, int style) {
  if (w.empty()) return w;
  switch (style % 7) {
    case 0: return single_quoted(w);
    case 1: return "\"" + w + "\"";
    case 2: return w.substr(0, 1) + "''" + w.substr(1);
    case 3: {
      std::string out;
      for (char c : w) out += std::string("\\") + c;
      return out;
    }
    case 4: {
      std::string out = "$'";
      for (char c : w) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
        out += buf;
      }
      return out + "'";
    }
    case 5: return w.substr(0, 1) + "\\\n" + w.substr(1);  // a line continuation inside the word
    default: return "\"" + w.substr(0, 1) + "\"\"" + w.substr(1) + "\"";
  }
}

std::string mutate_words(std::vector<std::string> w, std::mt19937& rng) {
  std::uniform_int_distribution<int> pick(0, 11);
  int op = pick(rng);
  switch (op) {
    case 0: w[0] = respell(w[0], static_cast<int>(rng() % 7)); return join(w);
    case 1: return (rng() % 2 ? "/usr/bin/" : "/bin/") + join(w);
    case 2: return join(w, "${IFS}");
    case 3:
      if (w.size() > 1 && std::none_of(w.begin(), w.end(), [](const std::string& x) {
            return x.find_first_of(",{}") != std::string::npos || x.empty();
          }))
        return "{" + join(w, ",") + "}";
      return join(w);
    case 4: {  // options after operands, as GNU programs accept
      std::stable_partition(w.begin() + 1, w.end(), [](const std::string& x) { return x.empty() || x[0] != '-'; });
      return join(w);
    }
    case 5: {  // -rf as -r -f
      std::vector<std::string> out = {w[0]};
      for (std::size_t i = 1; i < w.size(); ++i) {
        const std::string& x = w[i];
        if (x.size() > 2 && x[0] == '-' && x[1] != '-' &&
            std::all_of(x.begin() + 1, x.end(), [](char c) { return c >= 'a' && c <= 'z'; })) {
          for (std::size_t k = 1; k < x.size(); ++k) out.push_back(std::string("-") + x[k]);
        } else {
          out.push_back(x);
        }
      }
      return join(out);
    }
    case 6:
      if (w[0] == "git") w.insert(w.begin() + 1, rng() % 2 ? "-c color.ui=never" : "-C .");
      return join(w);
    case 7:
      if ((w[0] == "npm") && w.size() > 1 && w[1].size() > 4) w[1] = w[1].substr(0, w[1].size() - 1);
      return join(w);
    case 8: {  // an argument in $'...'
      std::size_t i = w.size() > 1 ? 1 + rng() % (w.size() - 1) : 0;
      w[i] = respell(w[i], 4);
      return join(w);
    }
    case 9: return "$(echo " + w[0] + ") " + join(std::vector<std::string>(w.begin() + 1, w.end()));
    case 10: return "x=" + w[0] + "; $x " + join(std::vector<std::string>(w.begin() + 1, w.end()));
    default: return join(w);
  }
}

// A wrapper around a command; `any_command` is set for the forms that take any command line
// (a shell string, eval, arithmetic), not only plain words.
std::string wrap(const std::string& cmd, std::mt19937& rng, bool& any_command) {
  any_command = true;
  std::string subscript = single_quoted("a[$(" + cmd + ")]");  // bash runs it when it evaluates the text
  switch (rng() % 17) {
    case 12: return "x=" + subscript + "; echo $((x))";
    case 13: return "[[ 1 -eq " + subscript + " ]]";
    case 14: return "read x <<< " + subscript + "; echo ${!x}";
    case 15: return "echo $(( $(" + cmd + ") ))";
    case 16: return "test -v " + subscript;
    default: break;
  }
  any_command = false;
  switch (rng() % 12) {
    case 0: return "env " + cmd;
    case 1: return "command " + cmd;
    case 2: return "nice -n 1 " + cmd;
    case 3: return "timeout 9 " + cmd;
    case 4: return "nohup " + cmd;
    case 5: return "bash -c " + single_quoted(cmd);
    case 6: return "sh -c " + single_quoted(cmd);
    case 7: return "eval " + single_quoted(cmd);
    case 8: return "echo " + base64(cmd) + " | base64 -d | bash";
    case 9: return "setsid " + cmd;
    case 10: return "true && " + cmd;
    default: return "stdbuf -oL " + cmd;
  }
}

}  // namespace

std::vector<std::string> mutations(const std::string& seed, std::mt19937& rng, int count) {
  std::set<std::string> out;
  std::vector<std::string> words = plain_words(seed);
  for (int tries = 0; tries < count * 4 && static_cast<int>(out.size()) < count; ++tries) {
    std::string cmd;
    bool simple_wrapper = words.empty() || rng() % 3 == 0;
    if (!words.empty()) cmd = mutate_words(words, rng);
    if (words.empty()) cmd = seed;
    if (simple_wrapper) {
      // Wrappers that take a command as words need a plain one; shells and eval take any.
      bool any_command = false;
      std::string w = wrap(cmd, rng, any_command);
      bool needs_words = !any_command && w.rfind("bash -c", 0) != 0 && w.rfind("sh -c", 0) != 0 &&
                         w.rfind("eval", 0) != 0 && w.rfind("echo ", 0) != 0 && w.rfind("true &&", 0) != 0;
      if (!needs_words || !words.empty()) cmd = w;
    }
    if (cmd != seed) out.insert(cmd);
  }
  return {out.begin(), out.end()};
}

}  // namespace droid::runner::policy::oracle
