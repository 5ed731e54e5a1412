// From a command line to the list of things bash would do, each with its risk:
// every simple command (inside pipelines, lists, compound commands, function
// bodies, $(...), `...`, <(...)), every command a wrapper runs (sudo, env,
// timeout, xargs, find -exec, ...), every shell string it runs (bash -c, eval,
// here-docs fed to a shell), parsed again, and every redirection and sensitive
// assignment as a part of its own. Anything that cannot be parsed or analysed
// is a high-risk part marked as doubt.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "policy/normalize.h"
#include "policy/risk.h"

namespace droid::runner::policy {

struct Part {
  std::string text;         // the command as the policy saw it, for messages
  bool is_command = false;  // a program run (list entries apply), not a redirection or assignment
  Normalized normalized;    // when is_command: the canonical argv (classify.h) the lists match
  std::vector<Arg> argv;    // when is_command: the words as bash would pass them
  Arg input_file;           // when is_command: the file its input is redirected from (`< F`), if any
  Risk risk = Risk::Low;
  std::vector<std::string> reasons;
  bool doubt = false;               // the risk comes from what could not be analysed: an allowlist never applies
  bool unknown_subcommand = false;  // when is_command: an alias or plugin, which may be any subcommand
  std::vector<std::string> code;    // program text it runs that is not shell: block and deny entries are
                                    // looked for in it as a command would be written
};

struct Analysis {
  std::vector<Part> parts;
  std::string parse_error;  // set when the command line itself is not valid shell
  bool incomplete = false;  // too many commands or too deep a nesting: some were never looked at
};

// `workspace`: the absolute workspace root, or empty.
Analysis analyze(std::string_view command, std::string_view workspace);

}  // namespace droid::runner::policy
