// The shell parser reads command lines the way bash does.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "policy/parser.h"

namespace {

using namespace droid::runner::policy;

// Every simple command's words, depth first, substitutions before their command.
void collect(const Script& s, std::vector<std::vector<std::string>>& out);

void collect_word(const Word& w, std::vector<std::vector<std::string>>& out) {
  for (const auto& sub : w.substitutions) collect(*sub, out);
}

void collect(const Script& s, std::vector<std::vector<std::string>>& out) {
  for (const auto& item : s.items)
    for (const auto& p : item.pipelines)
      for (const auto& c : p.commands) {
        for (const auto& w : c.words) collect_word(w, out);
        for (const auto& r : c.redirects) collect_word(r.target, out);
        for (const auto& b : c.bodies) collect(*b, out);
        if (c.kind == Command::Kind::Simple && !c.words.empty()) {
          std::vector<std::string> words;
          for (const auto& w : c.words) words.push_back(w.text);
          out.push_back(words);
        }
      }
}

std::vector<std::vector<std::string>> commands(const std::string& text) {
  ParseResult r = parse(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.error;
  std::vector<std::vector<std::string>> out;
  if (r.ok()) collect(*r.script, out);
  return out;
}

using Cmds = std::vector<std::vector<std::string>>;

TEST(Parser, QuotingAndEscapes) {
  EXPECT_EQ(commands(R"(echo 'a b' "c d" e\ f)"), (Cmds{{"echo", "a b", "c d", "e f"}}));
  EXPECT_EQ(commands(R"(r"m" -rf \/)"), (Cmds{{"rm", "-rf", "/"}}));
  EXPECT_EQ(commands(R"(echo "a\"b\\c\$d" 'x\y')"), (Cmds{{"echo", "a\"b\\c$d", "x\\y"}}));
  EXPECT_EQ(commands("echo $'a\\tb\\x41\\101\\u00e9\\''"), (Cmds{{"echo", "a\tbAA\xc3\xa9'"}}));
  EXPECT_EQ(commands("r\\\nm -rf x"), (Cmds{{"rm", "-rf", "x"}}));
  EXPECT_EQ(commands("echo 'a;b' \"c|d\" e\\;f"), (Cmds{{"echo", "a;b", "c|d", "e;f"}}));
}

TEST(Parser, ListsPipelinesAndGroups) {
  EXPECT_EQ(commands("a && b || c; d & e\nf | g |& h"), (Cmds{{"a"}, {"b"}, {"c"}, {"d"}, {"e"}, {"f"}, {"g"}, {"h"}}));
  EXPECT_EQ(commands("(a; b) && { c; d; }"), (Cmds{{"a"}, {"b"}, {"c"}, {"d"}}));
  EXPECT_EQ(commands("! a | b"), (Cmds{{"a"}, {"b"}}));
  ParseResult r = parse("sleep 1 &");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.script->items[0].background);
}

TEST(Parser, SubstitutionsNested) {
  EXPECT_EQ(
      commands("echo $(a $(b) `c`) \"$(d)\" <(e) >(f)"),
      (Cmds{
          {"b"}, {"c"}, {"a", "$(b)", "`c`"}, {"d"}, {"e"}, {"f"}, {"echo", "$(a $(b) `c`)", "$(d)", "<(e)", ">(f)"}}));
  EXPECT_EQ(commands("echo `a \\`b\\``"), (Cmds{{"b"}, {"a", "`b`"}, {"echo", "`a \\`b\\``"}}));
  EXPECT_EQ(commands("echo ${x:-$(rm y)}"), (Cmds{{"rm", "y"}, {"echo", "${x:-$(rm y)}"}}));
  ParseResult r = parse("$CMD -rf x");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.script->items[0].pipelines[0].commands[0].words[0].expanded);
  EXPECT_FALSE(r.script->items[0].pipelines[0].commands[0].words[1].expanded);
}

TEST(Parser, CompoundCommandsExposeTheirBodies) {
  EXPECT_EQ(commands("if a; then b; elif c; then d; else e; fi"), (Cmds{{"a"}, {"b"}, {"c"}, {"d"}, {"e"}}));
  EXPECT_EQ(commands("while a; do b; done; until c; do d; done"), (Cmds{{"a"}, {"b"}, {"c"}, {"d"}}));
  EXPECT_EQ(commands("for x in 1 $(a); do b $x; done"), (Cmds{{"a"}, {"b", "$x"}}));
  EXPECT_EQ(commands("for ((i=0;i<3;i++)); do a; done"), (Cmds{{"a"}}));
  EXPECT_EQ(commands("case $x in a|b) c;; (d) e;& *) f;;& esac"), (Cmds{{"c"}, {"e"}, {"f"}}));
  EXPECT_EQ(commands("f() { a; }; function g { b; }; f"), (Cmds{{"a"}, {"b"}, {"f"}}));
  EXPECT_EQ(commands("[[ -n $(a) && x == y ]] && (( 1 + 2 ))"), (Cmds{{"a"}}));
  EXPECT_EQ(commands("if true\nthen\n  a\nfi"), (Cmds{{"true"}, {"a"}}));
}

TEST(Parser, RedirectionsAndAssignments) {
  ParseResult r = parse("FOO=bar A+=1 cmd 2>&1 >|out &>>log <in 3<>f {fd}>x >&2 arg");
  ASSERT_TRUE(r.ok()) << r.error;
  const Command& c = r.script->items[0].pipelines[0].commands[0];
  ASSERT_EQ(c.assignments.size(), 2u);
  EXPECT_EQ(c.assignments[0].text, "FOO=bar");
  ASSERT_EQ(c.words.size(), 2u);
  EXPECT_EQ(c.words[1].text, "arg");
  std::vector<std::string> ops;
  for (const auto& rd : c.redirects) ops.push_back(rd.op + rd.target.text);
  EXPECT_EQ(ops, (std::vector<std::string>{">&1", ">|out", "&>>log", "<in", "<>f", ">x", ">&2"}));
  EXPECT_FALSE(c.redirects[0].writes_file());
  EXPECT_TRUE(c.redirects[1].writes_file());
  EXPECT_FALSE(c.redirects[6].writes_file());
  EXPECT_EQ(c.redirects[0].fd, 2);
  // A quoted name is not an assignment: bash runs the program "FOO=bar".
  ParseResult q = parse("\"FOO\"=bar");
  ASSERT_TRUE(q.ok());
  EXPECT_TRUE(q.script->items[0].pipelines[0].commands[0].assignments.empty());
  ParseResult arr = parse("a=(1 $(b) 3) c");
  ASSERT_TRUE(arr.ok()) << arr.error;
  EXPECT_EQ(arr.script->items[0].pipelines[0].commands[0].assignments[0].substitutions.size(), 1u);
}

TEST(Parser, HereDocsAndHereStrings) {
  ParseResult r = parse("cat <<EOF | bash\nrm -rf $(x)\nEOF\necho after");
  ASSERT_TRUE(r.ok()) << r.error;
  const auto& rd = r.script->items[0].pipelines[0].commands[0].redirects[0];
  ASSERT_TRUE(rd.heredoc);
  EXPECT_EQ(rd.heredoc->body, "rm -rf $(x)\n");
  EXPECT_TRUE(rd.heredoc->expands);
  EXPECT_EQ(rd.heredoc->substitutions.size(), 1u);
  EXPECT_EQ(r.script->items.size(), 2u);

  ParseResult q = parse("cat <<-'END'\n\tno $(expansion)\n\tEND\n");
  ASSERT_TRUE(q.ok()) << q.error;
  const auto& qd = q.script->items[0].pipelines[0].commands[0].redirects[0];
  EXPECT_FALSE(qd.heredoc->expands);
  EXPECT_EQ(qd.heredoc->body, "no $(expansion)\n");
  EXPECT_TRUE(qd.heredoc->substitutions.empty());

  ParseResult h = parse("bash <<< 'rm -rf x'");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h.script->items[0].pipelines[0].commands[0].redirects[0].target.text, "rm -rf x");
}

TEST(Parser, CommentsAndGlobsAndBraces) {
  EXPECT_EQ(commands("a # b; c\nd#e"), (Cmds{{"a"}, {"d#e"}}));
  ParseResult r = parse("rm *.o {a,b} '*'");
  ASSERT_TRUE(r.ok());
  const auto& w = r.script->items[0].pipelines[0].commands[0].words;
  EXPECT_TRUE(w[1].glob);
  EXPECT_TRUE(w[2].brace);
  EXPECT_FALSE(w[3].glob);
}

TEST(Parser, RejectsWhatBashWouldNotRunAsWritten) {
  for (const char* bad : {"echo 'x",          "echo \"x", "echo `x",       "echo $(x",
                          "echo ${x",         "ls )",     "if a; then b",  "while a; do b",
                          "case x in a) b",   "a &&",     "| a",           "a ;; b",
                          "echo $(( $(id ))", "f() a b",  "for x in a; b", "{ a }",
                          "echo $'x",         "then",     "a > ",          "( )"}) {
    EXPECT_FALSE(parse(bad).ok()) << bad;
  }
}

// Inside arithmetic ($((...)), $[...], ((...))) quotes do not stop expansion: every command
// substitution is one, and its output is evaluated again as an expression.
TEST(Parser, CommandSubstitutionsInsideArithmeticAreCommands) {
  for (const char* line : {"echo $(( $(id) ))", "echo $[ x='a[$(id)]', x ]", "(( `id` ))", "echo $(( '$(id)' ))"}) {
    ParseResult r = parse(line);
    ASSERT_TRUE(r.ok()) << line << ": " << r.error;
    const Word& w = r.script->items[0].pipelines[0].commands[0].words.back();
    ASSERT_EQ(w.substitutions.size(), 1U) << line;
    EXPECT_TRUE(w.evaluated) << line;
    EXPECT_EQ(w.substitutions[0]->items[0].pipelines[0].commands[0].words[0].text, "id") << line;
  }
  EXPECT_FALSE(parse("echo $[ 1 + ").ok());
  EXPECT_FALSE(parse("echo $(( a[$i] ))").ok());  // $i's value is evaluated as an expression
}

TEST(Parser, PromptExpansionNamesItsVariable) {
  ParseResult r = parse("echo \"${x@P}\" ${y:-${z@P}}");
  ASSERT_TRUE(r.ok()) << r.error;
  const auto& words = r.script->items[0].pipelines[0].commands[0].words;
  EXPECT_EQ(words[1].prompt_expansions, std::vector<std::string>{"x"});
  EXPECT_EQ(words[2].prompt_expansions, std::vector<std::string>{"z"});
}

TEST(Parser, DeepNestingIsAnErrorNotACrash) {
  std::string deep;
  for (int i = 0; i < 500; ++i) deep += "$(";
  deep += "x";
  for (int i = 0; i < 500; ++i) deep += ")";
  ParseResult r = parse(deep);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("nested too deeply"), std::string::npos) << r.error;
  std::string ok;
  for (int i = 0; i < 10; ++i) ok += "$(";
  ok += "x";
  for (int i = 0; i < 10; ++i) ok += ")";
  EXPECT_TRUE(parse("echo " + ok).ok());
}

}  // namespace
