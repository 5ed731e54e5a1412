// The engine of the command policy: the risk of one simple command, from its
// program's entry in the table of program_table.h (risk, options and their
// values, subcommand, abbreviations and aliases, options that run code) and,
// for mini-languages, a handler of handlers.h. Read-only tools are low;
// changes to the workspace, builds and tests are medium; destructive,
// irreversible, privileged, network and exfiltrating actions are high, as is
// anything the policy cannot analyse (inline code, unknown programs outside the
// workspace, aliases of unknown meaning). A program given by path is judged at
// least as strictly as the program of the same name. A command that runs other
// commands lists them in `runs` and `scripts` for the caller to analyse too,
// and program text it cannot analyse in `code` (matched against the lists).
// `canonical` is the argv the lists are matched against: global options and
// their values removed, subcommand abbreviations and aliases resolved, option
// values bound to their option ("-X=POST"), the program by its name.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "policy/normalize.h"
#include "policy/risk.h"

namespace droid::runner::policy {

// Where a command's standard input comes from.
enum class Stdin { None, Pipe, HereDoc, HereString, File };

struct Invocation {
  std::vector<Arg> argv;
  Stdin input = Stdin::None;
  std::string input_text;    // the here-doc or here-string, when input is one
  bool input_known = false;  // the here-doc or here-string has no expansions
  Arg input_file;            // when input is File: the file (`< F`); its text is empty otherwise
};

struct Assessment {
  Risk risk = Risk::Low;
  std::vector<std::string> reasons;
  bool doubt = false;                  // some of the risk comes from what could not be analysed
  std::vector<std::vector<Arg>> runs;  // commands this one runs (wrappers, find -exec, xargs)
  std::vector<std::string> scripts;    // shell code this one runs (bash -c, eval, trap, watch)
  std::vector<std::string> writes;     // normalised paths it writes
  std::vector<std::string> executes;   // normalised paths it runs as code
  std::vector<std::string> code;       // program text it runs that is not shell (python -c, awk, sed e)
  std::vector<Arg> canonical;          // the argv list entries match (see above)
  std::string run_directory;           // where `runs` run, when the program changes it (env -C DIR); "?" unknown
  bool unknown_subcommand = false;     // its subcommand is not in the table (an alias or plugin: it could be any)

  void raise(Risk r, std::string reason, bool from_doubt = false);
};

Assessment classify(const Invocation& inv, std::string_view workspace);

// The canonical form of words the lists compare (a list entry, or another spelling of a
// command): "git -C x push" and "git push" are the same entry. `risk`: the words' own risk.
Normalized canonical_form(const std::vector<Arg>& words, Risk* risk = nullptr);

// The risk of writing `target` (a redirection, tee, cp...), added to `a`.
void assess_write(Assessment& a, const Arg& target, std::string_view who, std::string_view workspace);

// Whether assigning NAME changes what later programs run or where data goes
// (PATH, LD_PRELOAD, BASH_ENV, IFS, GIT_SSH_COMMAND, proxies, ...); every command
// variable below is one.
bool is_sensitive_variable(std::string_view name);

// Whether the value of NAME is a command some program runs (PROMPT_COMMAND,
// GIT_SSH_COMMAND, PAGER, EDITOR...): its value is analysed as a command line.
bool is_command_variable(std::string_view name);

}  // namespace droid::runner::policy
