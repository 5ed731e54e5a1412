// The syntax tree of a shell command line, as bash would parse it (parser.h).
// Words keep their value after quote removal plus what could not be known
// statically (expansions, globs); every nested command line — $(...), `...`,
// <(...), compound bodies, function bodies — is a Script of its own, so the
// policy can walk all the simple commands bash might run.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace droid::runner::policy {

struct Script;

struct Word {
  std::string text;       // after quote removal; expansions keep their source text
  bool expanded = false;  // contains $var, ${...}, $(...), `...`, $((...)), <(...): value unknown
  bool glob = false;      // unquoted * ? [ : pathname expansion may change it
  bool brace = false;     // unquoted {a,b} or {1..3}: brace expansion may split it
  bool quoted = false;    // some part was quoted or escaped
  bool tilde = false;     // starts with an unquoted ~
  std::vector<std::shared_ptr<Script>> substitutions;  // command and process substitutions inside
  std::vector<std::string> prompt_expansions;          // NAME of each ${NAME@P}: runs the $(...) in its value
  bool evaluated = false;  // a substitution's output is evaluated again as an expression (inside arithmetic)

  // The value bash would use, when it does not depend on the environment.
  bool literal() const { return !expanded && !glob && !brace; }
};

struct HereDoc {
  std::string delimiter;
  std::string body;
  bool expands = true;  // delimiter unquoted: the body undergoes expansion
  std::vector<std::shared_ptr<Script>> substitutions;
};

struct Redirect {
  int fd = -1;                       // explicit file descriptor, -1 when absent
  std::string op;                    // < > >> >| <> <& >& &> &>> << <<- <<<
  Word target;                       // the file, fd, here-string or here-doc delimiter
  std::shared_ptr<HereDoc> heredoc;  // for << and <<-

  bool writes_file() const;  // >, >>, >|, <>, &>, &>>, or >& to something that is not a fd
};

struct Command {
  enum class Kind { Simple, Subshell, Group, If, While, For, Case, Function, Arithmetic, Conditional };
  Kind kind = Kind::Simple;
  std::vector<Word> assignments;  // Simple: NAME=value prefixes
  std::vector<Word> words;        // Simple: the words; For: the list; Case: subject and patterns;
                                  // Function: the name; Conditional: the words between [[ ]]
  std::vector<Redirect> redirects;
  std::vector<std::shared_ptr<Script>> bodies;  // compound: every nested list
};

struct Pipeline {
  std::vector<Command> commands;  // connected by | or |&
  bool negated = false;
};

struct AndOr {
  std::vector<Pipeline> pipelines;  // connected by && or ||
  bool background = false;          // ended by &
};

struct Script {
  std::vector<AndOr> items;  // separated by ; & or newlines
};

}  // namespace droid::runner::policy
