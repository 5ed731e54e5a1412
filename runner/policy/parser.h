// The shell parser: turns a command line into the syntax tree of ast.h the way
// bash would read it — quoting ('...', "...", $'...'), backslash escapes and
// line continuations, pipelines, lists, subshells, groups, if/while/until/for/
// select/case, function definitions, $(...) and `...` (nested), <(...) and
// >(...), ${...}, $((...)), here-docs (<<, <<-, quoted delimiters), here-strings,
// redirections, assignments and comments. Anything it cannot read the way bash
// surely would (unterminated quotes, stray operators, command substitution
// inside an arithmetic array subscript, too deep nesting) is an error: callers
// treat it as doubt.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "policy/ast.h"

namespace droid::runner::policy {

struct ParseResult {
  std::shared_ptr<Script> script;  // set when ok()
  std::string error;               // why the text could not be parsed
  bool ok() const { return error.empty(); }
};

ParseResult parse(std::string_view text);

// A command substitution written in plain text (inside arithmetic, or in text bash may
// evaluate again): for `$(` or a backquote at `at`, the range of its command, [begin, end),
// with `end` at the closing ')' or '`'; end is npos when it is not closed.
struct TextSubstitution {
  std::size_t begin = 0;
  std::size_t end = std::string_view::npos;
};
// Whether text[at] starts one ("$(" or "`"), and where its command lies.
bool substitution_at(std::string_view text, std::size_t at, TextSubstitution& out);

}  // namespace droid::runner::policy
