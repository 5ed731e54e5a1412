#include "policy/classify.h"

#include <algorithm>
#include <array>
#include <unordered_map>
#include <utility>

#include "policy/paths.h"

namespace droid::runner::policy {

void Assessment::raise(Risk r, std::string reason, bool from_doubt) {
  if (r > risk) risk = r;
  if (from_doubt) doubt = true;
  if (std::find(reasons.begin(), reasons.end(), reason) == reasons.end()) reasons.push_back(std::move(reason));
}

namespace {

enum class Kind {
  ReadOnly,     // low
  Builtin,      // shell state only: low
  Build,        // builds, tests, package scripts: medium
  Editor,       // interactive programs: medium
  Privileged,   // sudo, su, doas: high, then the command it runs
  Destructive,  // dd, mkfs, shred, kill...: high
  Network,      // ssh, nc, dig, ...: high
  Cluster,      // docker, kubectl, cloud CLIs: high
  System,       // system-wide package managers, services: high
  Special,      // handled by its own function below
};

const std::unordered_map<std::string_view, Kind>& programs() {
  static const std::unordered_map<std::string_view, Kind> table = [] {
    std::unordered_map<std::string_view, Kind> t;
    for (auto p :
         {"ls",       "cat",      "head",    "tail",    "grep",     "egrep",   "fgrep",     "rg",        "ag",
          "ack",      "wc",       "uniq",    "cut",     "tr",       "echo",    "printf",    "pwd",       "whoami",
          "id",       "groups",   "date",    "uname",   "hostname", "which",   "whereis",   "type",      "file",
          "stat",     "du",       "df",      "tree",    "diff",     "cmp",     "comm",      "basename",  "dirname",
          "realpath", "readlink", "true",    "false",   "test",     "[",       "printenv",  "jq",        "nl",
          "od",       "xxd",      "hexdump", "strings", "md5sum",   "sha1sum", "sha256sum", "sha512sum", "b2sum",
          "cksum",    "column",   "fold",    "fmt",     "paste",    "join",    "expand",    "unexpand",  "rev",
          "tac",      "seq",      "sleep",   "nproc",   "free",     "uptime",  "ps",        "pgrep",     "base64",
          "base32",   "zcat",     "bzcat",   "xzcat",   "less",     "more",    "man",       "help",      "yes",
          "tput",     "locale",   "arch",    "lscpu",   "env",      "look",    "lsof",      "cal",       "getconf",
          "numfmt",   "shuf",     "tsort",   "iconv",   "fd",       "fdfind"})
      t[p] = Kind::ReadOnly;
    for (auto p : {"cd",       "pushd", "popd",    "dirs",   "exit",     "return",  "shift",   "read",
                   "wait",     ":",     "set",     "shopt",  "unset",    "let",     "getopts", "hash",
                   "ulimit",   "umask", "unalias", "jobs",   "fg",       "bg",      "disown",  "break",
                   "continue", "times", "caller",  "enable", "complete", "compgen", "mapfile", "readarray"})
      t[p] = Kind::Builtin;
    for (auto p :
         {"mkdir",        "touch",      "cp",         "mv",         "ln",     "rmdir",    "truncate",   "patch",
          "tar",          "unzip",      "zip",        "gzip",       "gunzip", "bzip2",    "bunzip2",    "xz",
          "unxz",         "7z",         "make",       "gmake",      "cmake",  "ninja",    "meson",      "cargo",
          "go",           "javac",      "java",       "gcc",        "g++",    "cc",       "c++",        "clang",
          "clang++",      "ld",         "rustc",      "mvn",        "gradle", "pytest",   "tox",        "jest",
          "vitest",       "tsc",        "eslint",     "prettier",   "black",  "ruff",     "flake8",     "mypy",
          "clang-format", "clang-tidy", "ctest",      "dotnet",     "bundle", "gem",      "composer",   "bazel",
          "install",      "split",      "csplit",     "pre-commit", "gofmt",  "rustfmt",  "ssh-keygen", "gpg",
          "openssl",      "cpack",      "autoreconf", "configure",  "pylint", "coverage", "nox",        "poetry",
          "uv",           "pipenv",     "rake",       "sbt",        "lein",   "swift",    "deno",       "bun"})
      t[p] = Kind::Build;
    for (auto p : {"vi", "vim", "nvim", "nano", "emacs", "ed", "ex", "top", "htop"}) t[p] = Kind::Editor;
    for (auto p : {"sudo", "su", "doas", "pkexec", "runuser"}) t[p] = Kind::Privileged;
    for (auto p : {"dd",       "mkfs",     "mke2fs",    "fdisk",     "sfdisk",   "parted",   "wipefs",   "shred",
                   "wipe",     "mount",    "umount",    "losetup",   "swapon",   "swapoff",  "shutdown", "reboot",
                   "halt",     "poweroff", "init",      "telinit",   "kill",     "killall",  "pkill",    "crontab",
                   "at",       "batch",    "useradd",   "userdel",   "usermod",  "passwd",   "chpasswd", "groupadd",
                   "visudo",   "iptables", "ip6tables", "nft",       "ufw",      "ifconfig", "ip",       "modprobe",
                   "insmod",   "rmmod",    "sysctl",    "chown",     "chgrp",    "chattr",   "chroot",   "unshare",
                   "nsenter",  "setcap",   "capsh",     "strace",    "ltrace",   "gdb",      "tmux",     "screen",
                   "xdg-open", "open",     "osascript", "launchctl", "security", "expect",   "history",  "srm"})
      t[p] = Kind::Destructive;
    for (auto p : {"ssh",  "scp",     "sftp", "nc",      "ncat",        "netcat", "socat", "telnet", "ftp",  "tftp",
                   "nmap", "masscan", "ping", "dig",     "nslookup",    "host",   "whois", "gh",     "mail", "sendmail",
                   "mutt", "aria2c",  "lftp", "sshpass", "ssh-copy-id", "curlie", "http",  "https",  "xh",   "wget2"})
      t[p] = Kind::Network;
    for (auto p :
         {"docker", "podman", "buildah", "kubectl",          "helm", "minikube", "kind",   "k3s",    "terraform",
          "pulumi", "tofu",   "ansible", "ansible-playbook", "aws",  "gcloud",   "gsutil", "az",     "doctl",
          "heroku", "vercel", "netlify", "flyctl",           "oc",   "nerdctl",  "crictl", "skopeo", "vagrant"})
      t[p] = Kind::Cluster;
    for (auto p : {"apt", "apt-get", "aptitude", "dpkg", "rpm", "yum", "dnf", "apk", "pacman", "zypper", "brew", "snap",
                   "flatpak", "nix-env", "systemctl", "service", "update-alternatives", "port", "emerge"})
      t[p] = Kind::System;
    for (auto p :
         {"rm",      "bash",    "sh",       "dash",    "zsh",     "ksh",      "mksh",    "ash",        "fish",
          "busybox", "python",  "python2",  "python3", "pypy",    "pypy3",    "node",    "nodejs",     "ruby",
          "perl",    "php",     "lua",      "luajit",  "Rscript", "tclsh",    "pwsh",    "powershell", "osqueryi",
          "eval",    "source",  ".",        "exec",    "command", "builtin",  "trap",    "time",       "nohup",
          "nice",    "timeout", "stdbuf",   "ionice",  "setsid",  "unbuffer", "flock",   "xargs",      "find",
          "git",     "npm",     "npx",      "yarn",    "pnpm",    "pnpx",     "bunx",    "pip",        "pip3",
          "pipx",    "curl",    "wget",     "rsync",   "chmod",   "tee",      "sed",     "awk",        "gawk",
          "mawk",    "nawk",    "sort",     "alias",   "export",  "declare",  "typeset", "local",      "readonly",
          "coproc",  "script",  "parallel", "watch"})
      t[p] = Kind::Special;
    return t;
  }();
  return table;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::string cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (auto part : parts) out.append(part);
  return out;
}

bool is_shell(std::string_view p) {
  return p == "bash" || p == "sh" || p == "dash" || p == "zsh" || p == "ksh" || p == "mksh" || p == "ash" ||
         p == "fish";
}

bool is_interpreter(std::string_view p) {
  return p == "python" || p == "python2" || p == "python3" || p == "pypy" || p == "pypy3" || p == "node" ||
         p == "nodejs" || p == "ruby" || p == "perl" || p == "php" || p == "lua" || p == "luajit" || p == "Rscript" ||
         p == "tclsh" || p == "pwsh" || p == "powershell" || p == "osqueryi" ||
         (starts_with(p, "python3.") && p.size() <= 10);
}

std::vector<Arg> rest(const std::vector<Arg>& argv, std::size_t from) {
  return from < argv.size() ? std::vector<Arg>(argv.begin() + static_cast<std::ptrdiff_t>(from), argv.end())
                            : std::vector<Arg>{};
}

bool non_ascii(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

// Skips the options of a wrapper; `with_value` lists the ones that take a separate value.
// Returns the index of the first operand (the wrapped command).
std::size_t skip_options(const std::vector<Arg>& argv, std::size_t i,
                         std::initializer_list<std::string_view> with_value, bool* unknown = nullptr) {
  while (i < argv.size()) {
    const Arg& a = argv[i];
    if (!a.known) {
      if (unknown) *unknown = true;
      return i;
    }
    if (a.text == "--") return i + 1;
    if (a.text.size() < 2 || a.text[0] != '-') return i;
    bool takes = std::find(with_value.begin(), with_value.end(), a.text) != with_value.end();
    i += takes ? 2 : 1;
  }
  return i;
}

// ---- per-program rules -------------------------------------------------------------------------

struct Ctx {
  const Invocation& inv;
  const std::vector<Arg>& argv;
  const std::string& program;
  std::string_view workspace;
  Assessment& a;
};

void unknown_args_doubt(Ctx& c, Risk r) {
  for (std::size_t i = 1; i < c.argv.size(); ++i)
    if (!c.argv[i].known) {
      c.a.raise(r, c.program + ": arguments not known statically", true);
      return;
    }
}

// A glob's fixed directory ("build/*.o" is in "build"); other words as they are.
PathKind operand_kind(const Arg& a, std::string_view workspace) {
  if (!a.known) return PathKind::Unknown;
  if (!a.glob) return classify_path(a.text, true, workspace);
  std::string prefix = a.text.substr(0, a.text.find_first_of("*?["));
  std::size_t slash = prefix.rfind('/');
  if (slash == std::string::npos) return PathKind::Workspace;
  return classify_path(slash == 0 ? "/" : prefix.substr(0, slash), true, workspace);
}

void rule_rm(Ctx& c) {
  Normalized n = normalize(c.argv);
  bool recursive = std::binary_search(n.flags.begin(), n.flags.end(), "-r");
  c.a.raise(Risk::Medium, "rm deletes files");
  if (recursive) c.a.raise(Risk::High, "rm -r deletes directory trees irreversibly");
  for (const auto& op : n.operands) {
    PathKind k = operand_kind(op, c.workspace);
    if (k == PathKind::Workspace && op.glob && recursive && op.text.find('/') == std::string::npos)
      c.a.raise(Risk::High, "rm -r with a glob may delete more than intended", true);
    if (k != PathKind::Workspace && k != PathKind::Temp)
      c.a.raise(Risk::High, "rm deletes '" + op.text + "' (outside the workspace or not known statically)",
                k == PathKind::Unknown);
  }
}

void rule_shell(Ctx& c) {
  std::size_t i = 1;
  bool have_c = false;
  while (i < c.argv.size()) {
    const Arg& a = c.argv[i];
    if (!a.known) {
      c.a.raise(Risk::High, c.program + ": options not known statically", true);
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
    } else {
      c.a.scripts.push_back(c.argv[i].text);
    }
    return;
  }
  if (i < c.argv.size()) {
    const Arg& script = c.argv[i];
    PathKind k = classify_path(script.text, script.known && !script.glob, c.workspace);
    if (k == PathKind::Unknown || k == PathKind::Null) {
      c.a.raise(Risk::High, c.program + " runs a script not known statically (" + script.text + ")", true);
    } else {
      c.a.raise(k == PathKind::Workspace || k == PathKind::Temp ? Risk::Medium : Risk::High,
                c.program + " runs the script " + script.text, k != PathKind::Workspace);
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

void rule_interpreter(Ctx& c) {
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
      return;
    }
    if (t == "-m") {
      std::string module = i + 1 < c.argv.size() ? c.argv[i + 1].text : "";
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
      return;
    }
    if (t.size() > 1 && t[0] == '-') continue;
    PathKind k = classify_path(t, !a.glob, c.workspace);
    c.a.raise(k == PathKind::Workspace || k == PathKind::Temp ? Risk::Medium : Risk::High, cat({p, " runs ", t}),
              k != PathKind::Workspace);
    c.a.executes.push_back(normalize_path(t));
    return;
  }
  if (c.inv.input == Stdin::None) {
    c.a.raise(Risk::Medium, p + " starts an interactive interpreter");
  } else {
    c.a.raise(Risk::High, p + " runs code from its input, which cannot be analysed", true);
  }
}

void rule_run_rest(Ctx& c, std::size_t from, const std::string& why) {
  if (from < c.argv.size()) {
    if (!c.argv[from].known) {
      c.a.raise(Risk::High, why + " runs a program not known statically", true);
      return;
    }
    c.a.runs.push_back(rest(c.argv, from));
  }
}

void rule_env(Ctx& c) {
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
    if (t == "-u" || t == "-C" || t == "--unset" || t == "--chdir") {
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
      ++i;
      continue;
    }
    break;
  }
  rule_run_rest(c, i, "env");
}

void rule_xargs(Ctx& c) {
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
  std::vector<Arg> cmd = rest(c.argv, i);
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

void rule_find(Ctx& c) {
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
      std::size_t k = i + 1;
      for (; k < c.argv.size() && !(c.argv[k].known && (c.argv[k].text == ";" || c.argv[k].text == "+")); ++k) {
        Arg w = c.argv[k];
        if (w.text == "{}" && t != "-execdir" && t != "-okdir") {
          w = found;
        } else if (w.text == "{}") {
          w = Arg{"./*", true, true};
        } else if (w.text.find("{}") != std::string::npos) {
          w.known = false;
        }
        cmd.push_back(std::move(w));
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
      c.a.raise(Risk::High, "find -delete deletes every file it matches");
    } else if (t == "-fprint" || t == "-fprint0" || t == "-fprintf" || t == "-fls") {
      if (i + 1 < c.argv.size()) assess_write(c.a, c.argv[i + 1], "find " + t, c.workspace);
    }
  }
}

bool safe_git_config_key(std::string key) {
  std::transform(key.begin(), key.end(), key.begin(), [](char ch) { return static_cast<char>(std::tolower(ch)); });
  static constexpr std::array<std::string_view, 9> kSafe = {"color.",  "user.", "advice.",     "log.",       "init.",
                                                            "column.", "i18n.", "pull.rebase", "fetch.prune"};
  return std::any_of(kSafe.begin(), kSafe.end(), [&](std::string_view p) { return starts_with(key, p); });
}

bool has(const std::vector<Arg>& argv, std::size_t from, std::initializer_list<std::string_view> words) {
  for (std::size_t i = from; i < argv.size(); ++i)
    for (auto w : words)
      if (argv[i].text == w || (w.size() > 2 && w.back() == '=' && starts_with(argv[i].text, w))) return true;
  return false;
}

void rule_git(Ctx& c) {
  const auto& argv = c.argv;
  std::size_t i = 1;
  for (; i < argv.size(); ++i) {
    const Arg& a = argv[i];
    if (!a.known) {
      c.a.raise(Risk::High, "git: arguments not known statically", true);
      return;
    }
    const std::string& t = a.text;
    if (t == "-c" || (starts_with(t, "-c") && t.size() > 2 && t[2] != '-')) {
      std::string kv = t == "-c" ? (i + 1 < argv.size() ? argv[i + 1].text : "") : t.substr(2);
      if (t == "-c" && (i + 1 >= argv.size() || !argv[i + 1].known)) {
        c.a.raise(Risk::High, "git -c with a value not known statically", true);
        return;
      }
      if (!safe_git_config_key(kv.substr(0, kv.find('='))))
        c.a.raise(Risk::High, "git -c " + kv.substr(0, kv.find('=')) + " can make git run other programs", true);
      if (t == "-c") ++i;
    } else if (t == "-C" || t == "--git-dir" || t == "--work-tree" || t == "--namespace" || t == "--config-env" ||
               t == "--exec-path" || t == "--super-prefix") {
      if (t != "-C") c.a.raise(Risk::High, "git " + t + " points git at other files", true);
      ++i;
    } else if (starts_with(t, "--git-dir=") || starts_with(t, "--work-tree=") || starts_with(t, "--exec-path") ||
               starts_with(t, "--config-env=") || starts_with(t, "--namespace=")) {
      c.a.raise(Risk::High, "git " + t.substr(0, t.find('=')) + " points git at other files", true);
    } else if (t == "--version" || t == "--help" || t == "-h" || t == "--html-path" || t == "--man-path" ||
               t == "--info-path") {
      return;
    } else if (t.size() > 1 && t[0] == '-') {
      continue;
    } else {
      break;
    }
  }
  if (i >= argv.size()) return;
  const std::string sub = argv[i].text;
  const std::size_t a0 = i + 1;
  auto output_writes = [&] {
    for (std::size_t k = a0; k < argv.size(); ++k) {
      if (argv[k].text == "--output" && k + 1 < argv.size()) assess_write(c.a, argv[k + 1], "git " + sub, c.workspace);
      if (starts_with(argv[k].text, "--output="))
        assess_write(c.a, Arg{argv[k].text.substr(9), argv[k].known, argv[k].glob}, "git " + sub, c.workspace);
    }
  };
  auto operands = [&] {
    std::size_t n = 0;
    for (std::size_t k = a0; k < argv.size(); ++k)
      if (argv[k].text.empty() || argv[k].text[0] != '-') ++n;
    return n;
  };
  static constexpr std::array<std::string_view, 31> kReadOnly = {
      "status",        "diff",       "log",       "show",          "blame",       "annotate",   "shortlog",
      "describe",      "rev-parse",  "rev-list",  "ls-files",      "ls-tree",     "cat-file",   "show-ref",
      "for-each-ref",  "merge-base", "name-rev",  "count-objects", "whatchanged", "grep",       "check-ignore",
      "check-attr",    "help",       "version",   "var",           "diff-tree",   "diff-index", "diff-files",
      "verify-commit", "cherry",     "range-diff"};
  static constexpr std::array<std::string_view, 30> kMedium = {
      "add",         "commit",      "merge",           "rebase",       "cherry-pick",
      "revert",      "am",          "apply",           "mv",           "rm",
      "init",        "clone",       "fetch",           "pull",         "notes",
      "bisect",      "mergetool",   "difftool",        "format-patch", "repack",
      "pack-refs",   "maintenance", "sparse-checkout", "bundle",       "update-index",
      "hash-object", "commit-tree", "read-tree",       "switch",       "ls-remote"};
  static constexpr std::array<std::string_view, 24> kHigh = {"push",
                                                             "filter-branch",
                                                             "filter-repo",
                                                             "replace",
                                                             "update-ref",
                                                             "prune",
                                                             "fast-import",
                                                             "send-email",
                                                             "daemon",
                                                             "instaweb",
                                                             "credential",
                                                             "upload-pack",
                                                             "receive-pack",
                                                             "http-backend",
                                                             "shell",
                                                             "svn",
                                                             "p4",
                                                             "cvsimport",
                                                             "cvsserver",
                                                             "imap-send",
                                                             "fsmonitor--daemon",
                                                             "credential-store",
                                                             "credential-cache",
                                                             "upload-archive"};
  auto in = [&](auto& list) { return std::find(list.begin(), list.end(), sub) != list.end(); };

  if (in(kReadOnly)) {
    if (has(argv, a0, {"--ext-diff", "--textconv", "-O", "--open-files-in-pager"}))
      c.a.raise(Risk::Medium, "git " + sub + " may run configured external programs", true);
    output_writes();
    return;
  }
  if (sub == "push") {
    c.a.raise(Risk::High, "git push publishes commits to a remote");
    if (has(argv, a0, {"--receive-pack", "--exec", "--receive-pack="}))
      c.a.raise(Risk::High, "git push --receive-pack runs a program", true);
    return;
  }
  if (in(kHigh)) {
    c.a.raise(Risk::High, "git " + sub + " is destructive, publishes data or serves the repository");
    return;
  }
  if (sub == "branch") {
    if (has(argv, a0, {"-D", "--force", "-f", "-M", "-C"})) {
      c.a.raise(Risk::High, "git branch -D/-f deletes or overwrites a branch");
    } else if (has(argv, a0, {"-d", "--delete", "-m", "--move", "-u", "--set-upstream-to", "--unset-upstream"}) ||
               (operands() > 0 &&
                !has(argv, a0, {"--list", "-l", "--contains", "--merged", "--no-merged", "--points-at"}))) {
      c.a.raise(Risk::Medium, "git branch changes branches");
    }
    return;
  }
  if (sub == "tag") {
    if (operands() > 0 && !has(argv, a0, {"-l", "--list", "--contains", "--points-at", "--merged"}))
      c.a.raise(Risk::Medium, "git tag changes tags");
    return;
  }
  if (sub == "remote") {
    std::string verb = a0 < argv.size() ? argv[a0].text : "";
    if (verb.empty() || verb == "-v" || verb == "--verbose" || verb == "show" || verb == "get-url") return;
    c.a.raise(Risk::High, "git remote " + verb + " changes where git fetches and pushes");
    return;
  }
  if (sub == "stash") {
    std::string verb = a0 < argv.size() ? argv[a0].text : "";
    if (verb == "list" || verb == "show") return;
    if (verb == "drop" || verb == "clear") {
      c.a.raise(Risk::High, "git stash " + verb + " discards stashed changes");
      return;
    }
    c.a.raise(Risk::Medium, "git stash changes the working tree");
    return;
  }
  if (sub == "config") {
    if (has(argv, a0, {"--global", "--system", "--file", "-f", "--file="})) {
      c.a.raise(Risk::High, "git config writes configuration outside the repository", true);
      return;
    }
    if (has(argv, a0,
            {"--get", "--get-all", "--get-regexp", "--list", "-l", "--get-urlmatch", "--show-origin", "--get-color",
             "--get-colorbool"}) ||
        operands() <= 1)
      return;
    std::string key;
    for (std::size_t k = a0; k < argv.size(); ++k)
      if (!argv[k].text.empty() && argv[k].text[0] != '-') {
        key = argv[k].text;
        break;
      }
    if (!safe_git_config_key(key)) {
      c.a.raise(Risk::High, "git config " + key + " can make git run other programs or send data elsewhere", true);
    } else {
      c.a.raise(Risk::Medium, "git config changes the repository configuration");
    }
    return;
  }
  if (sub == "submodule") {
    std::string verb = a0 < argv.size() ? argv[a0].text : "";
    if (verb.empty() || verb == "status" || verb == "summary") return;
    if (verb == "foreach") {
      std::size_t k = a0 + 1;
      while (k < argv.size() && starts_with(argv[k].text, "-")) ++k;
      std::string script;
      for (; k < argv.size(); ++k) {
        if (!argv[k].known) {
          c.a.raise(Risk::High, "git submodule foreach runs a command not known statically", true);
          return;
        }
        script += (script.empty() ? "" : " ") + argv[k].text;
      }
      c.a.raise(Risk::Medium, "git submodule foreach runs a command in every submodule");
      c.a.scripts.push_back(script);
      return;
    }
    c.a.raise(Risk::Medium, "git submodule " + verb + " changes submodules");
    return;
  }
  if (sub == "worktree") {
    std::string verb = a0 < argv.size() ? argv[a0].text : "";
    if (verb == "list") return;
    c.a.raise(verb == "remove" ? Risk::High : Risk::Medium, "git worktree " + verb + " changes worktrees");
    return;
  }
  if (sub == "reflog") {
    std::string verb = a0 < argv.size() ? argv[a0].text : "";
    if (verb == "expire" || verb == "delete")
      c.a.raise(Risk::High, "git reflog " + verb + " destroys the record of lost commits");
    return;
  }
  if (sub == "reset") {
    if (has(argv, a0, {"--hard", "--merge", "--keep"}))
      c.a.raise(Risk::High, "git reset --hard discards uncommitted changes");
    else
      c.a.raise(Risk::Medium, "git reset moves the branch or unstages changes");
    return;
  }
  if (sub == "clean") {
    if (has(argv, a0, {"-n", "--dry-run"})) return;
    c.a.raise(Risk::High, "git clean deletes untracked files");
    return;
  }
  if (sub == "checkout" || sub == "restore") {
    bool discards = sub == "restore"
                        ? !has(argv, a0, {"--staged", "-S"}) || has(argv, a0, {"--worktree", "-W"})
                        : has(argv, a0, {"--", ".", "-f", "--force", "-p", "--patch", "--theirs", "--ours"});
    if (discards)
      c.a.raise(Risk::High, "git " + sub + " discards uncommitted changes");
    else
      c.a.raise(Risk::Medium, "git " + sub + " changes the working tree");
    return;
  }
  if (sub == "gc") {
    c.a.raise(has(argv, a0, {"--prune=now", "--prune=all"}) ? Risk::High : Risk::Medium,
              "git gc rewrites the object store");
    return;
  }
  if (sub == "archive") {
    if (has(argv, a0, {"--remote", "--exec", "--remote="})) {
      c.a.raise(Risk::High, "git archive --remote contacts a remote", true);
    } else {
      c.a.raise(Risk::Medium, "git archive writes an archive");
    }
    output_writes();
    return;
  }
  if (in(kMedium)) {
    c.a.raise(Risk::Medium, "git " + sub + " changes the repository or working tree");
    if (has(argv, a0,
            {"--upload-pack", "-u", "--upload-pack=", "--config", "--template", "--template=", "-c", "--config="}))
      c.a.raise(Risk::High, "git " + sub + " with options that run programs or change configuration", true);
    for (std::size_t k = a0; k < argv.size(); ++k) {
      if (starts_with(argv[k].text, "ext::") || starts_with(argv[k].text, "fd::"))
        c.a.raise(Risk::High, "git " + sub + " with a transport that runs a command", true);
      if ((argv[k].text == "-x" || argv[k].text == "--exec") && k + 1 < argv.size()) {
        if (argv[k + 1].known)
          c.a.scripts.push_back(argv[k + 1].text);
        else
          c.a.raise(Risk::High, "git " + sub + " --exec with a command not known statically", true);
      }
      if (starts_with(argv[k].text, "--exec=")) c.a.scripts.push_back(argv[k].text.substr(7));
    }
    output_writes();
    return;
  }
  c.a.raise(Risk::High, "unknown git subcommand '" + sub + "' (it could be an alias)", true);
}

void rule_package_manager(Ctx& c) {
  const auto& argv = c.argv;
  const std::string& p = c.program;
  if (p == "npx" || p == "pnpx" || p == "bunx") {
    c.a.raise(Risk::High, p + " downloads and runs a package", true);
    return;
  }
  std::size_t i = skip_options(argv, 1, {"--prefix", "-C", "--cwd", "--dir", "-w", "--workspace", "--filter"});
  std::string sub = i < argv.size() ? argv[i].text : "";
  bool global = has(argv, 1, {"-g", "--global", "--location=global"}) || (p == "yarn" && sub == "global");
  if (sub.empty() || sub == "--version" || sub == "-v" || sub == "ls" || sub == "list" || sub == "view" ||
      sub == "info" || sub == "outdated" || sub == "why" || sub == "help" || sub == "search" || sub == "explain" ||
      sub == "-h" || sub == "--help" || (sub == "audit" && !has(argv, i, {"fix"})) || sub == "config" ||
      sub == "root" || sub == "bin" || sub == "prefix" || sub == "doctor") {
    if (sub == "config" && has(argv, i, {"set", "delete", "edit"}))
      c.a.raise(Risk::High, p + " config changes where packages come from", true);
    return;
  }
  if (sub == "exec" || sub == "dlx" || sub == "x" || sub == "create" || sub == "init") {
    c.a.raise(Risk::High, p + " " + sub + " downloads and runs a package", true);
    return;
  }
  if (sub == "publish" || sub == "unpublish" || sub == "adduser" || sub == "login" || sub == "logout" ||
      sub == "token" || sub == "owner" || sub == "access" || sub == "deprecate" || sub == "dist-tag" || sub == "team" ||
      sub == "org" || sub == "hook" || sub == "star") {
    c.a.raise(Risk::High, p + " " + sub + " changes the package registry");
    return;
  }
  if (global) {
    c.a.raise(Risk::High, p + " installs packages system-wide");
    return;
  }
  if (has(argv, i, {"--registry", "--registry="})) c.a.raise(Risk::High, p + " uses a non-default registry", true);
  if (sub == "install" || sub == "i" || sub == "ci" || sub == "add" || sub == "update" || sub == "upgrade" ||
      sub == "remove" || sub == "uninstall" || sub == "rm" || sub == "link" || sub == "rebuild" || sub == "dedupe" ||
      sub == "prune") {
    c.a.raise(Risk::Medium, p + " " + sub + " changes the workspace's packages (and runs their install scripts)");
    return;
  }
  c.a.raise(Risk::Medium, p + " " + sub + " runs a package.json script (workspace code)");
  c.a.executes.emplace_back("package.json");
}

void rule_pip(Ctx& c) {
  const auto& argv = c.argv;
  std::size_t i = skip_options(argv, 1, {"--python", "--log", "--proxy"});
  std::string sub = i < argv.size() ? argv[i].text : "";
  if (c.program == "pipx") {
    c.a.raise(sub == "run" ? Risk::High : Risk::Medium, "pipx " + sub + " installs or runs packages", sub == "run");
    return;
  }
  if (sub.empty() || sub == "list" || sub == "show" || sub == "freeze" || sub == "check" || sub == "--version" ||
      sub == "help" || sub == "search" || sub == "index" || sub == "inspect" || sub == "debug" || sub == "-V")
    return;
  if (sub == "config") {
    c.a.raise(Risk::High, "pip config changes where packages come from", true);
    return;
  }
  c.a.raise(Risk::Medium, "pip " + sub + " changes installed packages (and runs their build scripts)");
  if (has(argv, i,
          {"--break-system-packages", "--root", "--prefix", "--target", "-t", "--root=", "--prefix=", "--target="}))
    c.a.raise(Risk::High, "pip " + sub + " installs outside the environment");
  if (has(argv, i,
          {"-i", "--index-url", "--extra-index-url", "--trusted-host", "-f", "--find-links",
           "--index-url=", "--extra-index-url=", "--find-links="}))
    c.a.raise(Risk::High, "pip " + sub + " installs from a non-default index", true);
  for (std::size_t k = i + 1; k < argv.size(); ++k) {
    const std::string& t = argv[k].text;
    if (!argv[k].known || t.find("://") != std::string::npos || starts_with(t, "git+"))
      c.a.raise(Risk::High, "pip " + sub + " installs from an arbitrary URL or an unknown source", true);
  }
}

void rule_curl(Ctx& c) {
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

void rule_chmod(Ctx& c) {
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

void rule_sed(Ctx& c) {
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
    return s.empty();
  };
  for (const auto& s : scripts)
    if (risky(s)) c.a.raise(Risk::High, "sed script may run commands or write files", true);
  if (in_place)
    for (std::size_t i : files) assess_write(c.a, c.argv[i], "sed -i", c.workspace);
}

void rule_awk(Ctx& c) {
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
        t.find(">\"") != std::string::npos || t.find(">>") != std::string::npos || t.find("@load") != std::string::npos)
      c.a.raise(Risk::High, c.program + " program runs commands or writes files", true);
    return;
  }
}

void rule_declare(Ctx& c) {
  for (std::size_t i = 1; i < c.argv.size(); ++i) {
    const std::string& t = c.argv[i].text;
    std::size_t eq = t.find('=');
    std::string name = t.substr(0, eq);
    if (!name.empty() && name[0] == '-') continue;
    if (is_sensitive_variable(name))
      c.a.raise(Risk::High, c.program + " " + name + " changes what later programs run or where data goes");
  }
}

void rule_special(Ctx& c) {
  const std::string& p = c.program;
  const auto& argv = c.argv;
  if (p == "rm") return rule_rm(c);
  if (is_shell(p)) return rule_shell(c);
  if (is_interpreter(p)) return rule_interpreter(c);
  if (p == "busybox") return rule_run_rest(c, 1, "busybox");
  if (p == "eval") {
    std::string s;
    for (std::size_t i = 1; i < argv.size(); ++i) {
      if (!argv[i].known) {
        c.a.raise(Risk::High, "eval of a value not known statically", true);
        return;
      }
      s += (i > 1 ? " " : "") + argv[i].text;
    }
    c.a.scripts.push_back(s);
    return;
  }
  if (p == "source" || p == ".") {
    if (argv.size() < 2) return;
    PathKind k = classify_path(argv[1].text, argv[1].known && !argv[1].glob, c.workspace);
    c.a.raise(k == PathKind::Workspace ? Risk::Medium : Risk::High, p + " runs the script " + argv[1].text,
              k != PathKind::Workspace);
    c.a.executes.push_back(normalize_path(argv[1].text));
    return;
  }
  if (p == "exec") return rule_run_rest(c, skip_options(argv, 1, {"-a"}), "exec");
  if (p == "command") {
    if (has(argv, 1, {"-v", "-V"})) return;
    return rule_run_rest(c, skip_options(argv, 1, {}), "command");
  }
  if (p == "builtin" || p == "nohup" || p == "unbuffer" || p == "coproc") return rule_run_rest(c, 1, p);
  if (p == "time") return rule_run_rest(c, skip_options(argv, 1, {"-f", "-o", "--format", "--output"}), "time");
  if (p == "nice") return rule_run_rest(c, skip_options(argv, 1, {"-n", "--adjustment"}), "nice");
  if (p == "ionice") return rule_run_rest(c, skip_options(argv, 1, {"-c", "-n", "-p", "-P", "-u"}), "ionice");
  if (p == "setsid") return rule_run_rest(c, skip_options(argv, 1, {}), "setsid");
  if (p == "stdbuf")
    return rule_run_rest(c, skip_options(argv, 1, {"-i", "-o", "-e", "--input", "--output", "--error"}), "stdbuf");
  if (p == "timeout") {
    std::size_t i = skip_options(argv, 1, {"-s", "-k", "--signal", "--kill-after"});
    return rule_run_rest(c, i + 1, "timeout");  // after the duration
  }
  if (p == "flock") {
    std::size_t i = skip_options(argv, 1, {"-w", "-E", "--timeout", "--conflict-exit-code"});
    for (std::size_t k = 1; k < argv.size(); ++k)
      if ((argv[k].text == "-c" || argv[k].text == "--command") && k + 1 < argv.size()) {
        if (argv[k + 1].known)
          c.a.scripts.push_back(argv[k + 1].text);
        else
          c.a.raise(Risk::High, "flock -c with a command not known statically", true);
        return;
      }
    return rule_run_rest(c, i + 1, "flock");
  }
  if (p == "script") {
    for (std::size_t k = 1; k < argv.size(); ++k)
      if ((argv[k].text == "-c" || argv[k].text == "--command") && k + 1 < argv.size()) {
        if (argv[k + 1].known)
          c.a.scripts.push_back(argv[k + 1].text);
        else
          c.a.raise(Risk::High, "script -c with a command not known statically", true);
      }
    c.a.raise(Risk::Medium, "script records a terminal session to a file");
    return;
  }
  if (p == "watch") {
    bool direct = has(argv, 1, {"-x", "--exec"});
    std::size_t i = skip_options(argv, 1, {"-n", "--interval", "-q", "--equexit"});
    if (direct) return rule_run_rest(c, i, "watch -x");
    std::string s;
    for (std::size_t k = i; k < argv.size(); ++k) {
      if (!argv[k].known) {
        c.a.raise(Risk::High, "watch runs a command not known statically", true);
        return;
      }
      s += (k > i ? " " : "") + argv[k].text;
    }
    c.a.raise(Risk::Medium, "watch runs a command repeatedly");
    if (!s.empty()) c.a.scripts.push_back(s);
    return;
  }
  if (p == "parallel") {
    c.a.raise(Risk::High, "parallel runs commands built from its input", true);
    return;
  }
  if (p == "trap") {
    if (argv.size() >= 3 && argv[1].text != "-" && argv[1].text != "-p" && argv[1].text != "-l") {
      if (argv[1].known)
        c.a.scripts.push_back(argv[1].text);
      else
        c.a.raise(Risk::High, "trap with a handler not known statically", true);
    }
    return;
  }
  if (p == "xargs") return rule_xargs(c);
  if (p == "find") return rule_find(c);
  if (p == "git") return rule_git(c);
  if (p == "npm" || p == "yarn" || p == "pnpm" || p == "npx" || p == "pnpx" || p == "bunx")
    return rule_package_manager(c);
  if (p == "pip" || p == "pip3" || p == "pipx") return rule_pip(c);
  if (p == "curl" || p == "wget") return rule_curl(c);
  if (p == "rsync") {
    c.a.raise(Risk::Medium, "rsync copies files");
    for (std::size_t i = 1; i < argv.size(); ++i) {
      const std::string& t = argv[i].text;
      if (!argv[i].known || t.find(':') != std::string::npos || t == "-e" || starts_with(t, "--rsh") ||
          starts_with(t, "--rsync-path"))
        c.a.raise(Risk::High, "rsync to or from a remote host, or with a remote shell", !argv[i].known);
      if (t == "--delete" || starts_with(t, "--delete-") || t == "--remove-source-files")
        c.a.raise(Risk::High, "rsync " + t + " deletes files");
    }
    if (argv.size() > 1) assess_write(c.a, argv.back(), "rsync", c.workspace);
    return;
  }
  if (p == "chmod") return rule_chmod(c);
  if (p == "tee") {
    for (std::size_t i = 1; i < argv.size(); ++i)
      if (!(argv[i].known && argv[i].text.size() > 1 && argv[i].text[0] == '-'))
        assess_write(c.a, argv[i], "tee", c.workspace);
    return;
  }
  if (p == "sed") return rule_sed(c);
  if (p == "awk" || p == "gawk" || p == "mawk" || p == "nawk") return rule_awk(c);
  if (p == "sort") {
    for (std::size_t i = 1; i < argv.size(); ++i) {
      const std::string& t = argv[i].text;
      if ((t == "-o" || t == "--output") && i + 1 < argv.size()) assess_write(c.a, argv[i + 1], "sort -o", c.workspace);
      if (starts_with(t, "--output=")) assess_write(c.a, Arg{t.substr(9), argv[i].known}, "sort -o", c.workspace);
      if (starts_with(t, "--compress-program")) c.a.raise(Risk::High, "sort --compress-program runs a program", true);
    }
    return;
  }
  if (p == "alias") {
    for (std::size_t i = 1; i < argv.size(); ++i) {
      std::size_t eq = argv[i].text.find('=');
      if (eq == std::string::npos) continue;
      c.a.raise(Risk::High, "alias " + argv[i].text.substr(0, eq) + " changes what later commands mean", true);
      if (argv[i].known) c.a.scripts.push_back(argv[i].text.substr(eq + 1));
    }
    return;
  }
  if (p == "export" || p == "declare" || p == "typeset" || p == "local" || p == "readonly") return rule_declare(c);
}

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
  if (std::find(kNames.begin(), kNames.end(), name) != kNames.end()) return true;
  static constexpr std::array<std::string_view, 8> kPrefixes = {
      "GIT_CONFIG", "DYLD_", "npm_config_", "NPM_CONFIG_", "BASH_FUNC_", "http_proxy", "HTTP", "ALL_PROXY"};
  for (auto p : kPrefixes)
    if (starts_with(name, p)) return true;
  return name == "https_proxy" || name == "all_proxy" || name == "no_proxy" || name == "NO_PROXY";
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

Assessment classify(const Invocation& inv, std::string_view workspace) {
  Assessment a;
  if (inv.argv.empty()) return a;
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
  bool by_path = false;
  std::string program = program_name(a0.text, &by_path);
  Ctx c{inv, inv.argv, program, workspace, a};
  if (by_path) {
    PathKind k = classify_path(program, true, workspace);
    a.raise(k == PathKind::Workspace ? Risk::Medium : Risk::High,
            "runs " + program + " by path: a program outside the system directories is not known", true);
    a.executes.push_back(program);
    return a;
  }
  auto it = programs().find(program);
  if (it == programs().end() && (starts_with(program, "mkfs.") || starts_with(program, "mkswap"))) {
    a.raise(Risk::High, program + " formats a file system");
    return a;
  }
  if (it == programs().end()) {
    a.raise(Risk::Medium, "unknown program '" + program + "'", true);
    // An unknown program may be a wrapper: look at what it would run.
    for (std::size_t i = 1; i < inv.argv.size(); ++i) {
      const Arg& w = inv.argv[i];
      if (!w.known || w.text.empty() || w.text[0] == '-') continue;
      auto k = programs().find(w.text);
      if (k != programs().end() && k->second != Kind::ReadOnly && k->second != Kind::Builtin) {
        a.runs.push_back(rest(inv.argv, i));
        break;
      }
    }
    return a;
  }
  switch (it->second) {
    case Kind::ReadOnly:
    case Kind::Builtin:
      if (program == "env") rule_env(c);
      break;
    case Kind::Build:
      a.raise(Risk::Medium, program + " builds, tests or changes files in the workspace");
      if (program == "make" || program == "gmake") a.executes.emplace_back("Makefile");
      if (program == "mkdir" || program == "touch" || program == "cp" || program == "mv" || program == "ln" ||
          program == "rmdir" || program == "truncate" || program == "install") {
        std::size_t last = inv.argv.size();
        for (std::size_t i = 1; i < inv.argv.size(); ++i) {
          const Arg& t = inv.argv[i];
          if (t.known && t.text.size() > 1 && t.text[0] == '-') continue;
          bool is_target = program != "cp" || i + 1 == last;
          if (is_target || program == "mv") {
            assess_write(a, t, program, workspace);
          } else if (program == "cp" || program == "ln") {
            PathKind k = classify_path(t.text, t.known && !t.glob, workspace);
            if (k == PathKind::WorkspaceConfig || (program == "ln" && k == PathKind::Outside))
              a.raise(Risk::High, program + " " + t.text + ": a link to or copy of a sensitive file", false);
          }
        }
      }
      if (program == "tar") {
        if (has(inv.argv, 1,
                {"--to-command", "--use-compress-program", "-I", "--checkpoint-action", "--to-command=",
                 "--use-compress-program=", "--checkpoint-action=", "--info-script", "--new-volume-script", "-F"}))
          a.raise(Risk::High, "tar runs a program", true);
        for (std::size_t i = 1; i + 1 < inv.argv.size(); ++i)
          if (inv.argv[i].text == "-C" || inv.argv[i].text == "--directory")
            assess_write(a, inv.argv[i + 1], "tar -C", workspace);
      }
      if (program == "zip" && has(inv.argv, 1, {"-TT", "--unzip-command"}))
        a.raise(Risk::High, "zip -TT runs a program", true);
      if (program == "gem" && has(inv.argv, 1, {"push", "owner", "signin"}))
        a.raise(Risk::High, "gem push publishes a package");
      if (program == "cargo" && has(inv.argv, 1, {"publish", "login", "owner", "yank"}))
        a.raise(Risk::High, "cargo publish changes the registry");
      if (program == "openssl" && has(inv.argv, 1, {"s_client", "s_server"}))
        a.raise(Risk::High, "openssl opens a network connection");
      unknown_args_doubt(c, Risk::Medium);
      break;
    case Kind::Editor: a.raise(Risk::Medium, program + " is interactive"); break;
    case Kind::Privileged:
      a.raise(Risk::High, program + " runs a command with other privileges");
      rule_run_rest(c, skip_options(inv.argv, 1, {"-u", "-g", "-h", "-p", "-C", "-D", "-r", "-t", "-U", "-T", "-c"}),
                    program);
      break;
    case Kind::Destructive: a.raise(Risk::High, program + " is destructive, privileged or controls processes"); break;
    case Kind::Network: a.raise(Risk::High, program + " opens network connections (possible exfiltration)"); break;
    case Kind::Cluster: a.raise(Risk::High, program + " controls containers, clusters or cloud resources"); break;
    case Kind::System: a.raise(Risk::High, program + " changes the system (packages or services)"); break;
    case Kind::Special: rule_special(c); break;
  }
  return a;
}

}  // namespace droid::runner::policy
