// Program knowledge as data (SPEC §6.2): one entry per program, or per group of
// names that behave alike. An entry says how risky the program is, which of its
// options take a value (so that operands and the subcommand are found after
// them), where its subcommand is and which abbreviations and aliases it accepts,
// which options and subcommands run code or other programs, write files, or are
// destructive, and how its plain operands raise the risk. Mini-languages that
// need more than this (sed scripts, awk programs, find expressions, shells and
// interpreters, wrappers) name a handler of handlers.h.
//
// Every entry carries examples (command, expected risk) that `check_examples()`
// runs through the policy when the table is first used and that a unit test
// runs again: an entry that does not do what its examples say fails at load,
// as Codex's execpolicy checks its rules' examples. Adding a program is one
// entry in programs.cc.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "policy/risk.h"

namespace droid::runner::policy {

// What an option does when it is given.
enum class Effect : std::uint8_t {
  None,          // nothing by itself (listed so that its value is skipped)
  Raise,         // raises the risk to `risk`
  RunsCode,      // its value is program text the policy cannot analyse (high; matched against the lists)
  RunsShell,     // its value is a shell command line, analysed as one (rebase --exec, flock -c)
  RunsProgram,   // its value is a program, run with arguments (rg --pre, man -P, zip --unzip-command)
  Writes,        // its value is a path the program writes
  Reads,         // its value is a file read as configuration or code the policy cannot see (raises to `risk`)
  GitConfig,     // its value is KEY=VALUE of git's configuration (aliases, programs git runs)
  Sets,          // sets the subcommand's own risk to `risk` (git clean -n: a dry run); other raises stay
  RunsRest,      // its value and every word after it are a command it runs (cmake -E, fd -x)
  Lookup,        // the wrapper only looks its command up, it does not run it (command -v)
  Connects,      // its value names a host or URL it connects to (curl -x, --connect-to; ssh -J): the lists see
                 // each destination in it as an operand too
  ConnectsFrom,  // its value is a file naming what it connects to (curl -K, wget -i): like Reads, and the lists
                 // see an operand not known statically (it may name any destination)
  Project,       // its value is the directory or configuration whose project files it runs (make -C, npm
                 // --prefix, pytest --rootdir): nothing in the workspace; outside it, code the policy cannot see
};

// An option, or (when `name` does not start with '-' or '+') an operand word
// that has the effect when given: "." for git checkout, "--" for git checkout.
struct Option {
  std::string_view name;  // "-C", "--git-dir", "+" for vim's "+cmd", "-c", "." ...
  bool value = false;     // takes a value: "-C dir", "-Cdir", "--git-dir dir", "--git-dir=dir"
  Effect effect = Effect::None;
  Risk risk = Risk::Low;
  std::string_view why;
  std::string_view canonical = {};  // the flag the lists see it as (--force-with-lease is --force)
};

// How plain operands raise the risk.
enum class Operands : std::uint8_t {
  Any,          // not at all
  Paths,        // "/", "~", a device or a path outside the workspace raises to high (rm, chmod, shred...)
  Writes,       // every operand is a file written (touch, mkdir, tee, truncate)
  WritesLast,   // the last operand is written (cp, mv, install, ln)
  Devices,      // a device operand raises to high (partition and disk tools take devices)
  System,       // any operand changes the system (hostname NAME): high
  Transfer,     // like WritesLast, and an operand naming a remote host ("host:path") raises to high (rsync)
  Assignments,  // NAME=VALUE operands set variables; SHELL, PATH and the like raise to high (make)
  Urls,         // an operand that is a URL or VCS reference (pip install git+https://...) raises to high
};

// Programs whose arguments are a language of their own (handlers.h).
enum class Handler : std::uint8_t {
  None,
  Wrapper,      // runs the command after its options (and `wrapper_skip` operands)
  Shell,        // bash -c, sh FILE, sh < input
  Interpreter,  // python -c, node -e, perl FILE
  Env,          // env [-S STRING] [NAME=VALUE...] CMD
  Xargs,
  Find,
  Sed,
  Awk,
  Curl,
  Wget,
  Chmod,
  Eval,        // eval WORDS
  Source,      // source FILE, . FILE
  Trap,        // trap 'CMD' SIGNAL
  Watch,       // watch 'CMD'
  Alias,       // alias NAME=VALUE
  Declare,     // export/declare NAME=VALUE
  Hash,        // hash -p PATH NAME
  Database,    // psql -c, mysql -e, redis-cli FLUSHALL: statements judged by what they do
  PackageRun,  // npx PKG, npm exec PKG: downloads and runs a package named by its argument
  ShellWords,  // its operands, joined, are a shell command line (git submodule foreach, watch)
  GitConfig,   // git config KEY VALUE: keys that make git run programs or send data elsewhere
};

struct Subcommand {
  std::string_view name;
  Risk risk = Risk::Medium;
  std::string_view why;
  std::vector<Option> options;   // its options that matter
  std::vector<Subcommand> subs;  // its own subcommands (git remote add, kubectl config set)
  Risk unknown = Risk::Medium;   // risk of a nested subcommand not in `subs` (when `subs` is not empty)
  Handler handler = Handler::None;
  Operands operands = Operands::Any;
  Risk operand_risk = Risk::Low;             // its risk when it has operands (git branch NAME creates one)
  std::vector<std::string_view> runs_files;  // workspace files it runs as code (package.json scripts)
};

struct Example {
  std::string_view command;
  Risk risk;  // the risk the whole command must get
};

struct Program {
  std::vector<std::string_view> names;  // a name ending in '*' is a prefix ("mkfs.*")
  Risk risk = Risk::Medium;             // without a subcommand, or before options raise it
  std::string_view why;
  std::vector<Option> options;    // its options (global options, for a program with subcommands)
  bool options_anywhere = false;  // its global options may also follow the subcommand (kubectl, npm)
  std::vector<Subcommand> subs;   // when not empty, the first operand is a subcommand
  Risk unknown_sub = Risk::High;  // an operand that is no known subcommand (it could be an alias)
  bool abbreviations = false;     // unique prefixes of subcommand names are accepted (npm publ)
  std::vector<std::pair<std::string_view, std::string_view>> aliases;  // built-in aliases: i -> install
  Handler handler = Handler::None;
  int wrapper_skip = 0;  // Wrapper: operands between its options and the command (timeout DURATION)
  Operands operands = Operands::Any;
  std::vector<std::string_view> runs_files;  // workspace files it runs as code (Makefile)
  // It may run a command or program text given in its operands in ways the table does not
  // model (chroot DIR CMD, strace CMD, gdb -ex 'shell CMD', sg GROUP 'CMD'): the first operand
  // naming a program starts a command it may run, and operands with blanks or '=' are program
  // text the block and deny entries are looked for in. Unknown and workspace programs are read
  // so too.
  bool runs_operands = false;
  // Its operands with blanks, ':' or '=' and the here-document it reads may be program text
  // (scp -S CMD, socat EXEC:CMD, apt-get -o ...::=CMD, ed <<< '!CMD', make -f - <<EOF): the
  // block and deny entries are looked for in them. Implied by runs_operands.
  bool operand_code = false;
  std::vector<Example> examples;
};

// The entry for a program name (a basename), or nullptr.
const Program* find_program(std::string_view name);

// Every entry, in table order.
const std::vector<Program>& program_table();

// Runs every entry's examples through the policy; returns one message per
// example that does not get its risk ("git -C d push: expected high, got low").
std::vector<std::string> check_examples();

}  // namespace droid::runner::policy
