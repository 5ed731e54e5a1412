// The analyses of programs whose arguments are a language of their own, named
// by the `handler` of their entry in the program table (program_table.h): shells
// and interpreters (-c strings, scripts, code from input), wrappers (env, xargs,
// find -exec, watch, trap, eval, source), sed scripts and awk programs, curl and
// wget (what they send and write), chmod modes, database clients (what their
// statements do), package runners (npx). Each adds to the command's Assessment
// (classify.h): risk and reasons, commands and shell strings it runs, program
// text it runs that is not shell, files it writes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "policy/classify.h"
#include "policy/paths.h"
#include "policy/program_table.h"

namespace droid::runner::policy {

struct HandlerContext {
  const Invocation& inv;
  const std::vector<Arg>& argv;  // the whole command, argv[0] included
  const std::string& program;    // its name
  std::size_t args_begin;        // the first argument after the program (and its subcommand)
  std::string_view workspace;
  Assessment& a;
};

void run_handler(Handler handler, HandlerContext& c);

// Helpers the engine shares with the handlers.
bool starts_with(std::string_view s, std::string_view prefix);
std::vector<Arg> args_from(const std::vector<Arg>& argv, std::size_t from);
// Where an operand points; a glob by its fixed directory ("build/*.o" is in "build").
PathKind operand_kind(const Arg& a, std::string_view workspace);
// Whether git configuration KEY is harmless (user.name, color.ui...): any other key
// may make git run a program or send data elsewhere.
bool safe_git_config_key(std::string key);

}  // namespace droid::runner::policy
