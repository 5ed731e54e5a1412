#include "policy/handlers.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <sstream>
#include <utility>

#include "policy/paths.h"

namespace droid::runner::policy {

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::vector<Arg> args_from(const std::vector<Arg>& argv, std::size_t from) {
  return from < argv.size() ? std::vector<Arg>(argv.begin() + static_cast<std::ptrdiff_t>(from), argv.end())
                            : std::vector<Arg>{};
}

PathKind operand_kind(const Arg& a, std::string_view workspace) {
  if (!a.known) return PathKind::Unknown;
  if (!a.glob) return classify_path(a.text, true, workspace);
  std::string prefix = a.text.substr(0, a.text.find_first_of("*?["));
  std::size_t slash = prefix.rfind('/');
  if (slash == std::string::npos) return PathKind::Workspace;
  return classify_path(slash == 0 ? "/" : prefix.substr(0, slash), true, workspace);
}

namespace {

std::string cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (auto part : parts) out.append(part);
  return out;
}

bool has(const std::vector<Arg>& argv, std::size_t from, std::initializer_list<std::string_view> words) {
  for (std::size_t i = from; i < argv.size(); ++i)
    for (auto w : words)
      if (argv[i].text == w || (w.size() > 2 && w.back() == '=' && starts_with(argv[i].text, w))) return true;
  return false;
}

// The words from `from` on as one shell string, or nullopt-like empty with a raise when one is not known.
bool join_known(HandlerContext& c, std::size_t from, std::string& out, std::string_view who) {
  for (std::size_t k = from; k < c.argv.size(); ++k) {
    if (!c.argv[k].known) {
      c.a.raise(Risk::High, std::string(who) + " runs a command not known statically", true);
      return false;
    }
    out += (k > from ? " " : "") + c.argv[k].text;
  }
  return true;
}

// A command string that is a parameter's value ("$x", "$@", ${cmd}): it may be any command,
// like a program named by one ($x -rf /), so the lists treat it as a command whose words are
// not known. (A command substitution's output, "$(ssh-agent -s)", stays high risk only.)
void parameter_command(HandlerContext& c, std::size_t from, std::size_t to) {
  to = std::min(to, c.argv.size());
  // Only words that are wholly one parameter ("$x", "${cmd}", "$1", "$@"): "echo $HOME" is
  // mostly known, "$(ssh-agent -s)" a program's output.
  auto parameter = [](const std::string& t) {
    bool braced = t.rfind("${", 0) == 0;
    if (!braced && t.rfind('$', 0) != 0) return false;
    std::size_t begin = braced ? 2 : 1;
    std::size_t end = braced ? t.size() - 1 : t.size();
    if ((braced && t.back() != '}') || end <= begin) return false;
    for (std::size_t k = begin; k < end; ++k) {
      char ch = t[k];
      if (std::isalnum(static_cast<unsigned char>(ch)) == 0 && ch != '_' && ch != '@' && ch != '*' && ch != '[' &&
          ch != ']')
        return false;
    }
    return true;
  };
  for (std::size_t k = from; k < to; ++k)
    if (!c.argv[k].known && !parameter(c.argv[k].text)) return;
  if (from < to)
    c.a.runs.emplace_back(c.argv.begin() + static_cast<std::ptrdiff_t>(from),
                          c.argv.begin() + static_cast<std::ptrdiff_t>(to));
}

void rule_shell(HandlerContext& c) {
  std::size_t i = 1;
  bool have_c = false, have_s = false;
  while (i < c.argv.size()) {
    const Arg& a = c.argv[i];
    if (!a.known) {
      c.a.raise(Risk::High, c.program + ": options not known statically", true);
      if (have_c) parameter_command(c, i, i + 1);  // bash -c "$1": the command string
      return;
    }
    if (a.text == "--rcfile" || a.text == "--init-file") {
      c.a.raise(Risk::High, c.program + " " + a.text + " runs a startup file", true);
      i += 2;
      continue;
    }
    if (a.text == "-o" || a.text == "+o" || a.text == "-O" || a.text == "+O") {
      i += 2;
      continue;
    }
    if (a.text == "--") {
      ++i;
      break;
    }
    if (a.text.size() > 1 && (a.text[0] == '-' || a.text[0] == '+')) {
      if (a.text[1] != '-' && a.text.find('c') != std::string::npos) have_c = true;
      if (a.text[1] != '-' && a.text.find('s') != std::string::npos) have_s = true;
      ++i;
      continue;
    }
    break;
  }
  if (have_c) {
    if (i >= c.argv.size()) {
      c.a.raise(Risk::High, c.program + " -c without a command string", true);
    } else if (!c.argv[i].known) {
      c.a.raise(Risk::High, c.program + " -c runs a command string not known statically", true);
      parameter_command(c, i, i + 1);
    } else {
      // sh is dash here: it reads $'...' as "$" and a quoted string, not as bash's escapes.
      bool posix = c.program == "sh" || c.program == "dash" || c.program == "ash" || c.program == "posh";
      std::string script = c.argv[i].text;
      if (posix && script.find("$'") != std::string::npos) {
        c.a.raise(Risk::High, c.program + " -c: $'...' means something else to " + c.program + " than to bash", true);
        // To dash, $'x' is "$" and the quoted 'x': bash reads \$'x' so (the script is analysed as bash).
        for (std::size_t at = script.find("$'"); at != std::string::npos; at = script.find("$'", at + 3))
          if (at == 0 || script[at - 1] != '\\') script.insert(at, 1, '\\');
      }
      c.a.scripts.push_back(std::move(script));
    }
    return;
  }
  if (i < c.argv.size() && !have_s) {
    const Arg& script = c.argv[i];
    PathKind k = classify_path(script.text, script.known && !script.glob, c.workspace);
    if (k == PathKind::Unknown || k == PathKind::Null) {
      c.a.raise(Risk::High, c.program + " runs a script not known statically (" + script.text + ")", true);
    } else {
      c.a.raise(k == PathKind::Workspace ? Risk::Medium : Risk::High,
                c.program + " runs the script " + script.text +
                    (k == PathKind::Workspace ? "" : ", which is outside the workspace"),
                k != PathKind::Workspace);
      c.a.executes.push_back(normalize_path(script.text));
    }
    return;
  }
  switch (c.inv.input) {
    case Stdin::HereDoc:
    case Stdin::HereString:
      if (c.inv.input_known) {
        c.a.scripts.push_back(c.inv.input_text);
      } else {
        c.a.raise(Risk::High, c.program + " runs commands from input that is not known statically", true);
      }
      break;
    case Stdin::Pipe:
    case Stdin::File:
      c.a.raise(Risk::High, "data is fed into " + c.program + " as commands (e.g. curl | sh)", true);
      break;
    case Stdin::None: c.a.raise(Risk::Medium, c.program + " starts an interactive shell"); break;
  }
}

// The program an interpreter reads from its input, when the line gives it (python3 - <<< 'CODE',
// perl <<EOF, echo 'CODE' | node): block and deny entries are looked for in it.
void input_code(HandlerContext& c) {
  if (!c.inv.input_text.empty()) c.a.code.push_back(c.inv.input_text);
}

void rule_interpreter(HandlerContext& c) {
  const std::string& p = c.program;
  for (std::size_t i = 1; i < c.argv.size(); ++i) {
    const Arg& a = c.argv[i];
    if (!a.known) {
      c.a.raise(Risk::High, p + ": arguments not known statically", true);
      return;
    }
    const std::string& t = a.text;
    if (t == "--version" || t == "-V" || t == "--help" || t == "-h") return;
    if (t == "-c" || t == "-e" || t == "-E" || t == "-p" || t == "-r" || t == "--eval" || t == "--print" ||
        t == "-Command" || t == "-EncodedCommand" || t == "-ne" || t == "-pe" || t == "-lne" || t == "-i" ||
        (t.size() > 2 && t[0] == '-' && t[1] != '-' && (t.back() == 'e' || t.back() == 'c'))) {
      c.a.raise(Risk::High, cat({p, " ", t, " runs inline code that cannot be analysed"}), true);
      for (std::size_t k = i + 1; k < c.argv.size(); ++k) c.a.code.push_back(c.argv[k].text);
      return;
    }
    if (t.size() > 2 && t[0] == '-' && t[1] != '-' && (t[1] == 'c' || t[1] == 'e' || t[1] == 'E') &&
        (p.rfind("python", 0) == 0 || p == "node" || p == "nodejs" || p == "ruby" || p == "perl")) {
      c.a.raise(Risk::High, cat({p, " ", t.substr(0, 2), " runs inline code that cannot be analysed"}), true);
      c.a.code.push_back(t.substr(2));
      return;
    }
    // Options whose value is a separate word: not the script.
    static constexpr std::string_view kValued[] = {
        "--require", "--import", "--loader", "--experimental-loader", "--conditions", "--env-file", "--inspect-port"};
    bool python_valued = (t == "-W" || t == "-X") && p.rfind("python", 0) == 0;
    if (python_valued || std::find(std::begin(kValued), std::end(kValued), t) != std::end(kValued)) {
      ++i;
      continue;
    }
    if (t == "-m") {
      std::string module = i + 1 < c.argv.size() ? c.argv[i + 1].text : "";
      // Modules that run code or a script from their arguments (pdb -c, timeit STMT, trace FILE).
      static constexpr std::string_view kRunsArguments[] = {"pdb",     "timeit", "trace",   "cProfile",
                                                            "profile", "runpy",  "doctest", "code"};
      if (std::find(std::begin(kRunsArguments), std::end(kRunsArguments), module) != std::end(kRunsArguments)) {
        c.a.raise(Risk::High, cat({p, " -m ", module, " runs code or a script from its arguments"}), true);
        for (std::size_t k = i + 2; k < c.argv.size(); ++k) c.a.code.push_back(c.argv[k].text);
        return;
      }
      if (module == "pip") {
        std::vector<Arg> pip = {Arg{"pip"}};
        for (std::size_t k = i + 2; k < c.argv.size(); ++k) pip.push_back(c.argv[k]);
        c.a.runs.push_back(std::move(pip));
        return;
      }
      if (module == "http.server" || module == "SimpleHTTPServer" || module == "smtpd" || module == "ftplib")
        c.a.raise(Risk::High, cat({p, " -m ", module, " opens the network"}));
      else
        c.a.raise(Risk::Medium, cat({p, " -m ", module, " runs a module"}));
      return;
    }
    if (t == "-") {
      c.a.raise(Risk::High, p + " runs code from its input, which cannot be analysed", true);
      input_code(c);
      return;
    }
    if (t.size() > 1 && t[0] == '-') continue;
    PathKind k = classify_path(t, !a.glob, c.workspace);
    c.a.raise(k == PathKind::Workspace ? Risk::Medium : Risk::High,
              cat({p, " runs ", t, k == PathKind::Workspace ? "" : ", which is outside the workspace"}),
              k != PathKind::Workspace);
    c.a.executes.push_back(normalize_path(t));
    return;
  }
  if (c.inv.input == Stdin::None) {
    c.a.raise(Risk::Medium, p + " starts an interactive interpreter");
  } else {
    c.a.raise(Risk::High, p + " runs code from its input, which cannot be analysed", true);
    input_code(c);
  }
}

void rule_run_rest(HandlerContext& c, std::size_t from, const std::string& why) {
  if (from < c.argv.size()) {
    if (!c.argv[from].known) {
      c.a.raise(Risk::High, why + " runs a program not known statically", true);
      return;
    }
    c.a.runs.push_back(args_from(c.argv, from));
  }
}

void rule_env(HandlerContext& c) {
  std::size_t i = 1;
  while (i < c.argv.size()) {
    const Arg& a = c.argv[i];
    if (!a.known) {
      c.a.raise(Risk::High, "env: arguments not known statically", true);
      return;
    }
    const std::string& t = a.text;
    if (t == "--") {
      ++i;
      break;
    }
    if (t == "-S" || t == "--split-string" || starts_with(t, "--split-string=") ||
        (starts_with(t, "-S") && t.size() > 2)) {
      std::string s;
      if (t == "-S" || t == "--split-string") {
        if (i + 1 >= c.argv.size() || !c.argv[i + 1].known) {
          c.a.raise(Risk::High, "env -S: command string not known statically", true);
          return;
        }
        s = c.argv[i + 1].text;
        i += 2;
      } else {
        s = t.substr(t[1] == '-' ? 15 : 2);
        ++i;
      }
      for (std::size_t k = i; k < c.argv.size(); ++k) s += " '" + c.argv[k].text + "'";
      c.a.raise(Risk::Medium, "env -S splits a string into a command", false);
      c.a.scripts.push_back(s);
      return;
    }
    if ((t == "-C" || t == "--chdir") && i + 1 < c.argv.size()) {
      c.a.run_directory = c.argv[i + 1].known ? c.argv[i + 1].text : "?";  // env -C / rm -rf *
      i += 2;
      continue;
    }
    if (starts_with(t, "--chdir=")) {
      c.a.run_directory = t.substr(8);
      ++i;
      continue;
    }
    if (t == "-u" || t == "--unset") {
      i += 2;
      continue;
    }
    if (t.size() > 1 && t[0] == '-') {
      ++i;
      continue;
    }
    std::size_t eq = t.find('=');
    if (eq != std::string::npos && eq > 0) {
      if (is_sensitive_variable(t.substr(0, eq)))
        c.a.raise(Risk::High, "env sets " + t.substr(0, eq) + ", which changes what programs run or where data goes");
      if (is_command_variable(t.substr(0, eq)))  // BASH_FUNC_f%%='() { ... }' is a function body
        c.a.scripts.push_back(starts_with(t.substr(eq + 1), "()") ? t.substr(eq + 3) : t.substr(eq + 1));
      ++i;
      continue;
    }
    break;
  }
  rule_run_rest(c, i, "env");
}

void rule_xargs(HandlerContext& c) {
  std::size_t i = 1;
  std::string replace;  // the -I string: words containing it are replaced by input
  while (i < c.argv.size()) {
    const Arg& a = c.argv[i];
    if (!a.known) {
      c.a.raise(Risk::High, "xargs: arguments not known statically", true);
      return;
    }
    const std::string& t = a.text;
    if (t == "--") {
      ++i;
      break;
    }
    if (t.size() < 2 || t[0] != '-') break;
    if (t == "-I" || t == "-n" || t == "-L" || t == "-P" || t == "-s" || t == "-d" || t == "-E" || t == "-a") {
      if (t == "-I" && i + 1 < c.argv.size()) replace = c.argv[i + 1].text;
      i += 2;
      continue;
    }
    if (starts_with(t, "-I")) replace = t.substr(2);
    if (t == "-i" || t == "--replace") replace = "{}";
    if (starts_with(t, "-i") && t.size() > 2) replace = t.substr(2);
    if (starts_with(t, "--replace=")) replace = t.substr(10);
    ++i;
  }
  if (i >= c.argv.size()) return;  // xargs echo
  std::vector<Arg> cmd = args_from(c.argv, i);
  // Input known statically (a here-string, here-doc or static output piped in) with -I: the
  // commands it makes, one per line (xargs -I{} sh -c '{}' <<< 'CMD').
  if (!replace.empty() && !c.inv.input_text.empty() && c.inv.input_known && cmd[0].known) {
    std::size_t from = 0;
    for (int lines = 0; from < c.inv.input_text.size() && lines < 64; ++lines) {
      std::size_t end = c.inv.input_text.find('\n', from);
      if (end == std::string::npos) end = c.inv.input_text.size();
      std::string line = c.inv.input_text.substr(from, end - from);
      from = end + 1;
      if (line.empty()) continue;
      std::vector<Arg> one = cmd;
      for (auto& w : one) {
        if (!w.known) continue;
        for (std::size_t at = w.text.find(replace); at != std::string::npos;
             at = w.text.find(replace, at + line.size()))
          w.text.replace(at, replace.size(), line);
      }
      c.a.runs.push_back(std::move(one));
    }
    return;
  }
  if (!replace.empty()) {
    for (auto& w : cmd)
      if (w.text.find(replace) != std::string::npos) w.known = false;
  } else {
    cmd.push_back(Arg{"{input}", false, false});
  }
  if (!cmd[0].known) {
    c.a.raise(Risk::High, "xargs runs a program not known statically", true);
    return;
  }
  c.a.runs.push_back(std::move(cmd));
}

void rule_find(HandlerContext& c) {
  // {} stands for a path under the start directories (the operands before the expression).
  std::vector<const Arg*> starts;
  for (std::size_t i = 1; i < c.argv.size(); ++i) {
    const Arg& a = c.argv[i];
    if (a.known && (a.text.empty() || a.text[0] == '-' || a.text == "(" || a.text == "!")) break;
    starts.push_back(&a);
  }
  Arg found{"./*", true, true};
  if (starts.size() > 1 || (starts.size() == 1 && (!starts[0]->known || starts[0]->glob))) {
    found = Arg{"{}", false, false};
  } else if (starts.size() == 1) {
    std::string dir = normalize_path(starts[0]->text);
    found.text = (dir == "/" ? "" : dir) + "/*";
  }
  for (std::size_t i = 1; i < c.argv.size(); ++i) {
    const Arg& a = c.argv[i];
    const std::string& t = a.text;
    if (!a.known) continue;
    if (t == "-exec" || t == "-execdir" || t == "-ok" || t == "-okdir") {
      std::vector<Arg> cmd;
      bool each_file = false;
      std::size_t k = i + 1;
      for (; k < c.argv.size() && !(c.argv[k].known && (c.argv[k].text == ";" || c.argv[k].text == "+")); ++k) {
        Arg w = c.argv[k];
        // -execdir names the file from its own directory (./name): the same file.
        if (w.text == "{}") {
          w = found;
          each_file = true;
        } else if (w.text.find("{}") != std::string::npos) {
          w.known = false;
        }
        cmd.push_back(std::move(w));
      }
      // Run on every file under the start directories, rm and chmod act like rm -r and
      // chmod -R on them: the lists see that form (find / -exec chmod 777 {} + is chmod -R 777 /).
      if (each_file && !cmd.empty() && cmd[0].known) {
        std::string run = cmd[0].text.substr(cmd[0].text.rfind('/') + 1);
        if (run == "rm" || run == "unlink") {  // unlink is rm (equivalents.h), with the flags it is given here
          cmd.insert(cmd.begin() + 1, {Arg{"-r"}, Arg{"-f"}});
        } else if (run == "chmod" || run == "chown" || run == "chgrp" || run == "setfacl") {
          cmd.insert(cmd.begin() + 1, Arg{"-R"});
        }
      }
      if (cmd.empty() || !cmd[0].known) {
        c.a.raise(Risk::High, "find " + t + " runs a program not known statically", true);
      } else {
        const std::string& run = cmd[0].text;
        if (run == "rm" || run == "shred" || run == "unlink" || run == "mv" || run == "truncate")
          c.a.raise(Risk::High, cat({"find ", t, " ", run, " changes every file it matches, like -delete"}));
        c.a.runs.push_back(std::move(cmd));
      }
      i = k;
    } else if (t == "-delete") {
      c.a.raise(Risk::High, "find -delete deletes every file it matches (recursively, like rm -r)");
    } else if (t == "-fprint" || t == "-fprint0" || t == "-fprintf" || t == "-fls") {
      if (i + 1 < c.argv.size()) assess_write(c.a, c.argv[i + 1], "find " + t, c.workspace);
    }
  }
}

void rule_curl(HandlerContext& c) {
  const auto& argv = c.argv;
  bool wget = c.program == "wget";
  c.a.raise(Risk::Medium, c.program + " accesses the network");
  for (std::size_t i = 1; i < argv.size(); ++i) {
    const Arg& a = argv[i];
    const std::string& t = a.text;
    if (!a.known) {
      c.a.raise(Risk::High, c.program + ": a URL or option built from expansions may carry data out", true);
      continue;
    }
    bool sends = false;
    if (!wget) {
      sends =
          t == "-d" || starts_with(t, "--data") || t == "-F" || t == "--form" || starts_with(t, "--form-") ||
          t == "-T" || t == "--upload-file" || t == "--json" || t == "-K" || t == "--config" ||
          (t.size() > 2 && t[0] == '-' && t[1] != '-' &&
           (t.find('d') != std::string::npos || t.find('F') != std::string::npos || t.find('T') != std::string::npos));
      if ((t == "-X" || t == "--request") && i + 1 < argv.size() && argv[i + 1].text != "GET" &&
          argv[i + 1].text != "HEAD")
        sends = true;
      if (t == "-o" || t == "--output") {
        if (i + 1 < argv.size()) assess_write(c.a, argv[i + 1], c.program, c.workspace);
        ++i;
        continue;
      }
      if (t == "-O" || t == "--remote-name" || t == "--remote-name-all")
        c.a.raise(Risk::Medium, c.program + " writes the download into the workspace");
    } else {
      sends = starts_with(t, "--post-") || starts_with(t, "--body-") || starts_with(t, "--method") ||
              t == "--execute" || t == "-e" || starts_with(t, "--use-askpass");
      if (t == "-O" || t == "--output-document") {
        if (i + 1 < argv.size() && argv[i + 1].text != "-") assess_write(c.a, argv[i + 1], c.program, c.workspace);
        ++i;
        continue;
      }
      if (starts_with(t, "-O") && t.size() > 2) assess_write(c.a, Arg{t.substr(2)}, c.program, c.workspace);
      if (t == "-P" || t == "--directory-prefix") {
        if (i + 1 < argv.size()) assess_write(c.a, argv[i + 1], c.program, c.workspace);
        ++i;
        continue;
      }
    }
    if (sends) c.a.raise(Risk::High, c.program + " " + t + " sends data to the network (possible exfiltration)");
  }
}

void rule_chmod(HandlerContext& c) {
  bool mode_seen = false;
  c.a.raise(Risk::Medium, "chmod changes file permissions");
  for (std::size_t i = 1; i < c.argv.size(); ++i) {
    const Arg& a = c.argv[i];
    const std::string& t = a.text;
    if (a.known && !mode_seen && t.size() > 1 && t[0] == '-' && t.find_first_of("rwxXst") == std::string::npos)
      continue;
    if (!mode_seen) {
      mode_seen = true;
      bool numeric = !t.empty() && std::all_of(t.begin(), t.end(), [](char ch) { return ch >= '0' && ch <= '7'; });
      if (!a.known || t.find('s') != std::string::npos || t.find('t') != std::string::npos ||
          (numeric && t.size() >= 4 && t[t.size() - 4] != '0'))
        c.a.raise(Risk::High, "chmod " + t + " sets setuid/setgid/sticky bits or an unknown mode", !a.known);
      if ((numeric && (t.back() == '7' || t.back() == '6' || t.back() == '2' || t.back() == '3')) ||
          t.find("o+w") != std::string::npos || t.find("a+w") != std::string::npos ||
          t.find("+rwx") != std::string::npos || t == "+w")
        c.a.raise(Risk::High, "chmod " + t + " makes files writable by everyone");
      continue;
    }
    PathKind k = operand_kind(a, c.workspace);
    if (k != PathKind::Workspace && k != PathKind::Temp)
      c.a.raise(Risk::High, "chmod changes permissions of '" + t + "' outside the workspace", k == PathKind::Unknown);
  }
}

// The s commands of a sed script, whatever their delimiter (s/a/b/e, s|a|b|e, s#a#b#w f):
// the replacement, with "\DELIM" as DELIM, and the flags.
struct SedSubstitution {
  std::string replacement;
  std::string flags;
};

std::vector<SedSubstitution> sed_substitutions(const std::string& script) {
  std::vector<SedSubstitution> out;
  for (std::size_t i = 0; i + 1 < script.size(); ++i) {
    if (script[i] != 's' || (i > 0 && std::isalpha(static_cast<unsigned char>(script[i - 1])) != 0)) continue;
    const char delim = script[i + 1];
    if (delim == '\\' || delim == '\n' || delim == ' ' || std::isalnum(static_cast<unsigned char>(delim)) != 0)
      continue;
    std::size_t j = i + 2;
    auto field = [&](std::string* text) {
      for (; j < script.size() && script[j] != delim; ++j) {
        if (script[j] == '\\' && j + 1 < script.size()) {
          ++j;
          if (text != nullptr && script[j] != delim) *text += '\\';
        }
        if (text != nullptr) *text += script[j];
      }
      return j < script.size();
    };
    SedSubstitution sub;
    if (!field(nullptr)) break;
    ++j;
    if (!field(&sub.replacement)) break;
    for (++j; j < script.size() && script[j] != ';' && script[j] != '\n' && script[j] != '}'; ++j)
      sub.flags += script[j];
    out.push_back(std::move(sub));
    i = j;
  }
  return out;
}

void rule_sed(HandlerContext& c) {
  bool in_place = false, script_from_option = false;
  std::vector<std::string> scripts;
  std::vector<std::size_t> files;
  for (std::size_t i = 1; i < c.argv.size(); ++i) {
    const Arg& a = c.argv[i];
    const std::string& t = a.text;
    if (a.known && (t == "-i" || starts_with(t, "-i") || starts_with(t, "--in-place") ||
                    (t.size() > 2 && t[0] == '-' && t[1] != '-' && t.find('i') != std::string::npos &&
                     t.find('e') == std::string::npos))) {
      in_place = true;
      continue;
    }
    if (a.known && (t == "-e" || t == "--expression" || t == "-f" || t == "--file")) {
      script_from_option = true;
      if (i + 1 < c.argv.size()) {
        if (t == "-f" || t == "--file")
          c.a.raise(Risk::Medium, "sed runs a script file that is not analysed", true);
        else
          scripts.push_back(c.argv[i + 1].known ? c.argv[i + 1].text : "e");
      }
      ++i;
      continue;
    }
    if (a.known && t.size() > 1 && t[0] == '-') continue;
    if (!script_from_option && scripts.empty()) {
      scripts.push_back(a.known ? t : "e");
      continue;
    }
    files.push_back(i);
  }
  // The e (execute) and w/W (write) commands and flags: a letter after an address, a
  // separator or the end of s///, followed by a blank, a separator or the end.
  auto risky = [](const std::string& s) {
    for (std::size_t i = 0; i < s.size(); ++i) {
      char ch = s[i];
      if (ch != 'e' && ch != 'w' && ch != 'W') continue;
      char before = i == 0 ? ';' : s[i - 1];
      char after = i + 1 < s.size() ? s[i + 1] : ';';
      bool starts = before == ';' || before == '\n' || before == '}' || before == '{' || before == '/' ||
                    before == ' ' || before == '!' || before == '$' || (before >= '0' && before <= '9') ||
                    before == 'g' || before == 'p' || before == 'I' || before == 'i';
      bool ends = after == ' ' || after == ';' || after == '\n' || after == '}' || after == '\t' ||
                  ((ch == 'e' || ch == 'w') && (after == 'g' || after == 'p' || after == 'I' || after == 'i'));
      if (starts && ends) return true;
    }
    for (const auto& sub : sed_substitutions(s))
      if (sub.flags.find_first_of("ewW") != std::string::npos) return true;
    return s.empty();
  };
  for (const auto& s : scripts)
    if (risky(s)) {
      c.a.raise(Risk::High, "sed script may run commands or write files", true);
      c.a.code.push_back(s);
      // s/X/CMD/e runs the pattern space after the substitution: CMD, with the escaped
      // delimiters (s/^/rm -rf \//e) as the command sees them.
      for (auto& sub : sed_substitutions(s)) c.a.code.push_back(std::move(sub.replacement));
    }
  if (in_place)
    for (std::size_t i : files) assess_write(c.a, c.argv[i], "sed -i", c.workspace);
}

void rule_awk(HandlerContext& c) {
  for (std::size_t i = 1; i < c.argv.size(); ++i) {
    const Arg& a = c.argv[i];
    const std::string& t = a.text;
    if (a.known && (t == "-F" || t == "-v" || t == "--assign" || t == "--field-separator")) {
      ++i;
      continue;
    }
    if (a.known && (t == "-f" || t == "--file" || t == "-E")) {
      c.a.raise(Risk::Medium, c.program + " runs a program file that is not analysed", true);
      return;
    }
    if (a.known && t.size() > 1 && t[0] == '-') continue;
    if (!a.known) {
      c.a.raise(Risk::High, c.program + " program not known statically", true);
      return;
    }
    if (t.find("system") != std::string::npos || t.find('|') != std::string::npos ||
        t.find("getline") != std::string::npos || t.find("> \"") != std::string::npos ||
        t.find(">\"") != std::string::npos || t.find(">>") != std::string::npos ||
        t.find("@load") != std::string::npos) {
      c.a.raise(Risk::High, c.program + " program runs commands or writes files", true);
      c.a.code.push_back(t);
    }
    return;
  }
}

void rule_declare(HandlerContext& c) {
  for (std::size_t i = 1; i < c.argv.size(); ++i) {
    const std::string& t = c.argv[i].text;
    std::size_t eq = t.find('=');
    std::string name = t.substr(0, eq);
    if (!name.empty() && name[0] == '-') continue;
    if (is_sensitive_variable(name))
      c.a.raise(Risk::High, c.program + " " + name + " changes what later programs run or where data goes");
    if (is_command_variable(name) && eq != std::string::npos && c.argv[i].known) {
      std::string v = t.substr(eq + 1);
      c.a.scripts.push_back(v.size() > 1 && v[0] == '!' ? v.substr(1) : v);
    }
  }
}

void rule_eval(HandlerContext& c) {
  std::string s;
  if (join_known(c, c.args_begin, s, "eval"))
    c.a.scripts.push_back(s);
  else
    parameter_command(c, c.args_begin, c.argv.size());
}

void rule_source(HandlerContext& c) {
  std::size_t i = c.args_begin;
  if (i >= c.argv.size()) return;
  const Arg& file = c.argv[i];
  // source /dev/stdin <<< 'CMD': the script is the here-string or here-doc.
  if (file.known && (file.text == "/dev/stdin" || file.text == "/dev/fd/0" || file.text == "/proc/self/fd/0") &&
      (c.inv.input == Stdin::HereDoc || c.inv.input == Stdin::HereString)) {
    if (c.inv.input_known)
      c.a.scripts.push_back(c.inv.input_text);
    else
      c.a.raise(Risk::High, c.program + " runs its input, which is not known statically", true);
    return;
  }
  PathKind k = classify_path(file.text, file.known && !file.glob, c.workspace);
  c.a.raise(k == PathKind::Workspace ? Risk::Medium : Risk::High,
            c.program + " runs the script " + file.text +
                (k == PathKind::Workspace ? "" : " (outside the workspace or not known statically)"),
            k != PathKind::Workspace);
  c.a.executes.push_back(normalize_path(file.text));
}

void rule_trap(HandlerContext& c) {
  const auto& argv = c.argv;
  if (argv.size() >= 3 && argv[1].text != "-" && argv[1].text != "-p" && argv[1].text != "-l") {
    if (argv[1].known)
      c.a.scripts.push_back(argv[1].text);
    else
      c.a.raise(Risk::High, "trap with a handler not known statically", true);
  }
}

void rule_shell_words(HandlerContext& c) {
  std::size_t i = c.args_begin;
  while (i < c.argv.size() && c.argv[i].known && starts_with(c.argv[i].text, "-")) {
    // watch -n SECONDS, git submodule foreach --recursive
    bool takes = c.argv[i].text == "-n" || c.argv[i].text == "--interval" || c.argv[i].text == "-d";
    i += takes ? 2 : 1;
  }
  std::string s;
  if (i < c.argv.size() && join_known(c, i, s, c.program)) c.a.scripts.push_back(s);
}

void rule_alias(HandlerContext& c) {
  for (std::size_t i = c.args_begin; i < c.argv.size(); ++i) {
    std::size_t eq = c.argv[i].text.find('=');
    if (eq == std::string::npos) continue;
    c.a.raise(Risk::High, "alias " + c.argv[i].text.substr(0, eq) + " changes what later commands mean", true);
    if (c.argv[i].known) c.a.scripts.push_back(c.argv[i].text.substr(eq + 1));
  }
}

void rule_hash(HandlerContext& c) {
  for (std::size_t i = c.args_begin; i < c.argv.size(); ++i) {
    const std::string& t = c.argv[i].text;
    if (t == "-p" || (starts_with(t, "-") && t.find('p') != std::string::npos && !starts_with(t, "--"))) {
      std::string path = i + 1 < c.argv.size() ? c.argv[i + 1].text : "";
      c.a.raise(Risk::High, "hash -p makes a command name run " + path + " (what later commands run changes)", true);
      if (!path.empty()) c.a.executes.push_back(normalize_path(path));
      return;
    }
  }
}

// SQL (and psql/mysql meta-commands) that change or destroy data, grant rights or run programs.
bool destructive_sql(std::string sql) {
  std::transform(sql.begin(), sql.end(), sql.begin(), [](char ch) { return static_cast<char>(std::toupper(ch)); });
  static constexpr std::string_view kWords[] = {"DROP",   "TRUNCATE", "DELETE",   "ALTER",  "GRANT",   "REVOKE",
                                                "UPDATE", "INSERT",   "CREATE",   "RENAME", "COPY",    "LOAD",
                                                "ATTACH", "REPLACE",  "MERGE",    "CALL",   "EXECUTE", "DO",
                                                "SET",    "VACUUM",   "SHUTDOWN", "KILL",   "PRAGMA",  "LOCK"};
  auto word_char = [](char ch) { return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_'; };
  // sqlite3's .shell and .system, and .output/.once that write files.
  for (auto dot : {".SHELL", ".SYSTEM", ".OUTPUT", ".ONCE", ".SAVE", ".BACKUP", ".LOAD", ".IMPORT"})
    if (sql.find(dot) != std::string::npos) return true;
  for (std::size_t i = 0; i < sql.size();) {
    if (!word_char(sql[i])) {
      if (sql[i] == '\\' && i + 1 < sql.size() && (sql[i + 1] == '!' || sql[i + 1] == 'O' || sql[i + 1] == 'W'))
        return true;  // \! runs a shell command, \o and \w write files
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < sql.size() && word_char(sql[j])) ++j;
    std::string_view w(sql.data() + i, j - i);
    for (auto k : kWords)
      if (w == k) return true;
    if (w == "SYSTEM" || w == "PROGRAM" || w == "OUTFILE" || w == "DUMPFILE") return true;
    i = j;
  }
  return false;
}

void rule_database(HandlerContext& c) {
  const std::string& p = c.program;
  c.a.raise(Risk::Medium, p + " connects to a database");
  std::vector<std::string> statements;
  bool unseen = false;
  bool redis = p == "redis-cli" || p == "valkey-cli" || p == "keydb-cli";
  std::vector<std::string> operands;
  for (std::size_t i = c.args_begin; i < c.argv.size(); ++i) {
    const Arg& a = c.argv[i];
    const std::string& t = a.text;
    if (!a.known) {
      c.a.raise(Risk::High, p + ": a statement or option not known statically", true);
      return;
    }
    auto value = [&](std::string_view opt) -> std::optional<std::string> {
      if (t == opt) return i + 1 < c.argv.size() ? std::optional<std::string>(c.argv[++i].text) : std::nullopt;
      if (opt.size() > 2 && starts_with(t, std::string(opt) + "=")) return t.substr(opt.size() + 1);
      if (opt.size() == 2 && t.size() > 2 && starts_with(t, opt)) return t.substr(2);
      return std::nullopt;
    };
    if (auto v = value("-c"); v && !redis)
      statements.push_back(*v);
    else if (auto v2 = value("--command"))
      statements.push_back(*v2);
    else if (auto v3 = value("-e"); v3 && !redis)
      statements.push_back(*v3);
    else if (auto v4 = value("--execute"))
      statements.push_back(*v4);
    else if (auto v5 = value("--eval")) {
      c.a.raise(Risk::High, p + " --eval runs code that cannot be analysed", true);
      c.a.code.push_back(*v5);
    } else if (t == "-f" || t == "--file" || starts_with(t, "--file=") || t == "--init-command" || t == "-i") {
      unseen = t != "-i" || redis;
      if (!starts_with(t, "--file=") && i + 1 < c.argv.size()) ++i;
    } else if (redis && (t == "-h" || t == "-p" || t == "-a" || t == "-n" || t == "-u" || t == "-r" || t == "-i" ||
                         t == "--user" || t == "--pass" || t == "-x" || t == "-d" || t == "-s")) {
      ++i;
    } else if (!starts_with(t, "-")) {
      operands.push_back(t);
    }
  }
  if (redis && !operands.empty()) {
    std::string cmd = operands[0];
    std::transform(cmd.begin(), cmd.end(), cmd.begin(), [](char ch) { return static_cast<char>(std::toupper(ch)); });
    static constexpr std::string_view kRedis[] = {
        "FLUSHALL", "FLUSHDB", "DEL",     "UNLINK",       "CONFIG",    "SHUTDOWN", "DEBUG",   "EVAL",
        "EVALSHA",  "SCRIPT",  "MODULE",  "SLAVEOF",      "REPLICAOF", "MIGRATE",  "RESTORE", "FUNCTION",
        "FCALL",    "ACL",     "CLUSTER", "BGREWRITEAOF", "SAVE",      "BGSAVE",   "SWAPDB",  "MOVE"};
    for (auto k : kRedis)
      if (cmd == k) c.a.raise(Risk::High, "redis-cli " + operands[0] + " destroys data or reconfigures the server");
    return;
  }
  if (p == "sqlite3" && operands.size() > 1)
    for (std::size_t k = 1; k < operands.size(); ++k) statements.push_back(operands[k]);
  if (unseen) c.a.raise(Risk::High, p + " runs statements from a file the policy cannot see", true);
  if (statements.empty() && c.inv.input != Stdin::None) {
    if ((c.inv.input == Stdin::HereDoc || c.inv.input == Stdin::HereString) && c.inv.input_known)
      statements.push_back(c.inv.input_text);
    else
      c.a.raise(Risk::High, p + " runs statements from its input, which the policy cannot see", true);
  }
  for (const auto& s : statements)
    if (destructive_sql(s)) {
      c.a.raise(Risk::High, p + " runs a statement that changes or destroys data, or runs programs");
      c.a.code.push_back(s);
    }
}

// npx PKG ARGS, npm exec PKG, pnpm dlx PKG: downloads a package and runs its program.
void rule_package_run(HandlerContext& c) {
  c.a.raise(Risk::High, c.program + " downloads and runs a package", true);
  std::size_t i = c.args_begin;
  for (; i < c.argv.size(); ++i) {
    const Arg& a = c.argv[i];
    if (!a.known) return;
    const std::string& t = a.text;
    if (t == "--") {
      ++i;
      break;
    }
    if (t == "-c" || t == "--call") {
      if (i + 1 < c.argv.size() && c.argv[i + 1].known) c.a.scripts.push_back(c.argv[i + 1].text);
      return;
    }
    if (starts_with(t, "--call=")) {
      c.a.scripts.push_back(t.substr(7));
      return;
    }
    if (t == "-p" || t == "--package") {
      ++i;
      continue;
    }
    if (!starts_with(t, "-")) break;
  }
  if (i >= c.argv.size()) return;
  std::vector<Arg> run = args_from(c.argv, i);
  // "pkg@1.2.3" and "@scope/pkg" run the package's program, named like the package.
  std::string name = run[0].text;
  std::size_t at = name.find('@', 1);
  if (at != std::string::npos) name = name.substr(0, at);
  std::size_t slash = name.rfind('/');
  if (!name.empty() && name[0] == '@' && slash != std::string::npos) name = name.substr(slash + 1);
  run[0].text = name;
  c.a.runs.push_back(std::move(run));
}

void rule_git_config(HandlerContext& c) {
  const auto& argv = c.argv;
  std::size_t a0 = c.args_begin;
  if (has(argv, a0, {"--global", "--system", "--file", "-f", "--file=", "--blob"})) {
    c.a.raise(Risk::High, "git config writes configuration outside the repository", true);
    return;
  }
  if (has(argv, a0,
          {"--get", "--get-all", "--get-regexp", "--list", "-l", "--get-urlmatch", "--show-origin", "--get-color",
           "--get-colorbool", "get", "list"}))
    return;
  std::vector<const Arg*> operands;
  for (std::size_t k = a0; k < argv.size(); ++k)
    if (!argv[k].known || argv[k].text.empty() || argv[k].text[0] != '-') operands.push_back(&argv[k]);
  if (!operands.empty() && operands[0]->known && operands[0]->text == "set") operands.erase(operands.begin());
  if (operands.size() <= 1) return;  // reads a key
  if (!operands[0]->known) {
    c.a.raise(Risk::High, "git config with a key not known statically", true);
    return;
  }
  const std::string& key = operands[0]->text;
  if (safe_git_config_key(key)) {
    c.a.raise(Risk::Medium, "git config changes the repository configuration");
    return;
  }
  c.a.raise(Risk::High, "git config " + key + " can make git run other programs or send data elsewhere", true);
  std::string lower = key;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](char ch) { return static_cast<char>(std::tolower(ch)); });
  if (lower.rfind("alias.", 0) == 0 && operands[1]->known && operands[1]->text.rfind('!', 0) != 0) {
    // An alias to a git command: the lists see "git VALUE" (git config alias.p push is git push).
    std::vector<Arg> run = {Arg{"git"}};
    std::istringstream words(operands[1]->text);
    for (std::string w; words >> w;) run.push_back(Arg{w});
    c.a.runs.push_back(std::move(run));
    return;
  }
  if (operands[1]->known) {
    std::string v = operands[1]->text;
    if (!v.empty() && v[0] == '!') v.erase(0, 1);
    c.a.scripts.push_back(v);
  }
}

}  // namespace

bool safe_git_config_key(std::string key) {
  std::transform(key.begin(), key.end(), key.begin(), [](char ch) { return static_cast<char>(std::tolower(ch)); });
  static constexpr std::string_view kSafe[] = {"color.",
                                               "user.name",
                                               "user.email",
                                               "advice.",
                                               "log.",
                                               "init.defaultbranch",
                                               "column.",
                                               "i18n.",
                                               "pull.rebase",
                                               "fetch.prune",
                                               "merge.conflictstyle",
                                               "rerere.enabled",
                                               "commit.verbose",
                                               "status.",
                                               "branch.autosetupmerge",
                                               "push.autosetupremote",
                                               "core.autocrlf",
                                               "core.quotepath",
                                               "diff.renames",
                                               "rebase.autostash"};
  for (auto p : kSafe)
    if (key == p || (p.back() == '.' && starts_with(key, p))) return true;
  return false;
}

void run_handler(Handler handler, HandlerContext& c) {
  switch (handler) {
    case Handler::None:
    case Handler::Wrapper: return;  // the engine runs wrappers: it knows where their options end
    case Handler::Shell: return rule_shell(c);
    case Handler::Interpreter: return rule_interpreter(c);
    case Handler::Env: return rule_env(c);
    case Handler::Xargs: return rule_xargs(c);
    case Handler::Find: return rule_find(c);
    case Handler::Sed: return rule_sed(c);
    case Handler::Awk: return rule_awk(c);
    case Handler::Curl:
    case Handler::Wget: return rule_curl(c);
    case Handler::Chmod: return rule_chmod(c);
    case Handler::Eval: return rule_eval(c);
    case Handler::Source: return rule_source(c);
    case Handler::Trap: return rule_trap(c);
    case Handler::Watch:
    case Handler::ShellWords: return rule_shell_words(c);
    case Handler::Alias: return rule_alias(c);
    case Handler::Declare: return rule_declare(c);
    case Handler::Hash: return rule_hash(c);
    case Handler::Database: return rule_database(c);
    case Handler::PackageRun: return rule_package_run(c);
    case Handler::GitConfig: return rule_git_config(c);
  }
}

}  // namespace droid::runner::policy
