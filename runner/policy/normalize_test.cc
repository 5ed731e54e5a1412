// Flag and path normalisation, list-entry matching, and path classification.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "policy/normalize.h"
#include "policy/paths.h"

namespace {

using namespace droid::runner::policy;

std::vector<Arg> words(const std::string& s) {
  std::vector<Arg> out;
  std::istringstream in(s);
  for (std::string w; in >> w;) out.push_back(Arg{w});
  return out;
}

Normalized norm(const std::string& s) { return normalize(words(s)); }

TEST(Normalize, FlagSpellingsAreEqual) {
  Normalized want = norm("rm -rf /");
  EXPECT_EQ(want.flags, (std::vector<std::string>{"-f", "-r"}));
  for (const char* spelling : {"rm -fr /", "rm -r -f /", "rm --recursive --force /", "rm -R -f /", "/bin/rm -rf /",
                               "/usr/bin/rm -f -r //", "rm -rf /tmp/..", "rm -rf -- /"}) {
    Normalized n = norm(spelling);
    EXPECT_EQ(n.program, "rm") << spelling;
    EXPECT_EQ(n.flags, want.flags) << spelling;
    ASSERT_EQ(n.operands.size(), 1u) << spelling;
    EXPECT_EQ(n.operands[0].text, "/") << spelling;
  }
}

TEST(Normalize, ProgramsByPathKeepTheirPath) {
  Normalized n = norm("./rm -rf x");
  EXPECT_TRUE(n.by_path);
  EXPECT_EQ(n.program, "./rm");
  Normalized t = norm("/tmp/x/ls");
  EXPECT_TRUE(t.by_path);
  EXPECT_EQ(t.program, "/tmp/x/ls");
  EXPECT_FALSE(norm("/usr/local/bin/git status").by_path);
}

TEST(Normalize, EntriesMatchAsPrefixesWithFlagsAsSets) {
  Normalized entry = norm("rm -rf /");
  EXPECT_TRUE(matches(entry, norm("rm -rfv / --no-preserve-root"), MatchMode::Sure));
  EXPECT_FALSE(matches(entry, norm("rm -r /"), MatchMode::Could));
  EXPECT_FALSE(matches(entry, norm("rm -rf /tmp/x"), MatchMode::Could));
  EXPECT_FALSE(matches(entry, norm("rmdir /"), MatchMode::Could));
  EXPECT_TRUE(matches(norm("git push"), norm("git push origin main --force"), MatchMode::Sure));
  EXPECT_TRUE(matches(norm("git push --force"), norm("git push -f origin"), MatchMode::Sure));
  EXPECT_FALSE(matches(norm("git push"), norm("git status"), MatchMode::Could));
}

TEST(Normalize, UnknownWordsMatchOnlyWhenTheyCould) {
  Normalized entry = norm("rm -rf /");
  Normalized dynamic = normalize({Arg{"rm"}, Arg{"-rf"}, Arg{"$X", false}});
  EXPECT_TRUE(matches(entry, dynamic, MatchMode::Could));
  EXPECT_FALSE(matches(entry, dynamic, MatchMode::Sure));
  Normalized glob = normalize({Arg{"rm"}, Arg{"-rf"}, Arg{"/*", true, true}});
  EXPECT_TRUE(matches(entry, glob, MatchMode::Could));
  Normalized local = normalize({Arg{"rm"}, Arg{"-rf"}, Arg{"*.o", true, true}});
  EXPECT_FALSE(matches(entry, local, MatchMode::Could));
  Normalized star = normalize({Arg{"rm"}, Arg{"-rf"}, Arg{"*", true, true}});
  EXPECT_FALSE(matches(entry, star, MatchMode::Could));  // "*" never expands to "/"
  EXPECT_FALSE(matches(norm("rm -rf ~"), star, MatchMode::Could));
  Normalized program = normalize({Arg{"$CMD", false}, Arg{"-rf"}, Arg{"/"}});
  EXPECT_TRUE(matches(entry, program, MatchMode::Could));
  EXPECT_FALSE(matches(entry, program, MatchMode::Sure));
  // A look-alike program by path may be the real thing for the block list, never for the allow list.
  EXPECT_TRUE(matches(entry, norm("/tmp/rm -rf /"), MatchMode::Could));
  EXPECT_FALSE(matches(norm("ls"), norm("./ls"), MatchMode::Sure));
}

TEST(Paths, NormalizeLexically) {
  EXPECT_EQ(normalize_path("/a//b/./c/../d/"), "/a/b/d");
  EXPECT_EQ(normalize_path("/.."), "/");
  EXPECT_EQ(normalize_path("a/../../b"), "../b");
  EXPECT_EQ(normalize_path("./"), ".");
}

TEST(Paths, Classify) {
  EXPECT_EQ(classify_path("/dev/null", true, "/ws"), PathKind::Null);
  EXPECT_EQ(classify_path("/dev/sda", true, "/ws"), PathKind::Device);
  EXPECT_EQ(classify_path("src/a.c", true, "/ws"), PathKind::Workspace);
  EXPECT_EQ(classify_path("/ws/src/a.c", true, "/ws"), PathKind::Workspace);
  EXPECT_EQ(classify_path("/ws/../etc/passwd", true, "/ws"), PathKind::Outside);
  EXPECT_EQ(classify_path("/wsx/a", true, "/ws"), PathKind::Outside);
  EXPECT_EQ(classify_path("../a", true, "/ws"), PathKind::Outside);
  EXPECT_EQ(classify_path("a/../../b", true, "/ws"), PathKind::Outside);
  EXPECT_EQ(classify_path("~/.bashrc", true, "/ws"), PathKind::Unknown);
  EXPECT_EQ(classify_path("$HOME/x", false, "/ws"), PathKind::Unknown);
  EXPECT_EQ(classify_path("/tmp/x", true, "/ws"), PathKind::Temp);
  EXPECT_EQ(classify_path(".git/hooks/pre-commit", true, "/ws"), PathKind::WorkspaceConfig);
  EXPECT_EQ(classify_path("/ws/.factory/settings.json", true, "/ws"), PathKind::WorkspaceConfig);
}

}  // namespace
