#include "tools/glob_match.h"

#include <gtest/gtest.h>

namespace droid::runner::tools {
namespace {

TEST(GlobMatch, StarStaysInOneSegment) {
  EXPECT_TRUE(glob_match("*.cc", "a.cc"));
  EXPECT_TRUE(glob_match("*.cc", ".cc"));
  EXPECT_FALSE(glob_match("*.cc", "src/a.cc"));
  EXPECT_TRUE(glob_match("src/*.cc", "src/a.cc"));
  EXPECT_FALSE(glob_match("src/*.cc", "src/x/a.cc"));
  EXPECT_TRUE(glob_match("a*b*c", "aXXbYYc"));
  EXPECT_FALSE(glob_match("a*b*c", "aXXbYY"));
  EXPECT_TRUE(glob_match("*", "anything"));
  EXPECT_FALSE(glob_match("*", "a/b"));
  EXPECT_TRUE(glob_match("a**b", "aXb"));  // '**' inside a segment is '*'
  EXPECT_FALSE(glob_match("a**b", "a/b"));
}

TEST(GlobMatch, QuestionMarkIsOneCharacter) {
  EXPECT_TRUE(glob_match("?.h", "a.h"));
  EXPECT_FALSE(glob_match("?.h", "ab.h"));
  EXPECT_FALSE(glob_match("a?b", "a/b"));
  EXPECT_TRUE(glob_match("caf?", "caf\xC3\xA9"));  // é is one character
  EXPECT_TRUE(glob_match("*\xC3\xA9", "caf\xC3\xA9"));
}

TEST(GlobMatch, Sets) {
  EXPECT_TRUE(glob_match("[abc].txt", "b.txt"));
  EXPECT_FALSE(glob_match("[abc].txt", "d.txt"));
  EXPECT_TRUE(glob_match("file[0-9]", "file7"));
  EXPECT_FALSE(glob_match("file[0-9]", "fileX"));
  EXPECT_TRUE(glob_match("[!a]x", "bx"));
  EXPECT_FALSE(glob_match("[!a]x", "ax"));
  EXPECT_TRUE(glob_match("[^a]x", "bx"));
  EXPECT_TRUE(glob_match("[]]", "]"));
  EXPECT_TRUE(glob_match("[a-]", "-"));
  EXPECT_FALSE(glob_match("a[/]b", "a/b"));
  EXPECT_TRUE(glob_match("[\xC3\xA0-\xC3\xBF]", "\xC3\xA9"));  // à-ÿ holds é
  EXPECT_TRUE(glob_match("[ab", "[ab"));                       // unclosed: literal
}

TEST(GlobMatch, DoubleStarIsAnyNumberOfDirectories) {
  EXPECT_TRUE(glob_match("**/*.cc", "a.cc"));
  EXPECT_TRUE(glob_match("**/*.cc", "src/a.cc"));
  EXPECT_TRUE(glob_match("**/*.cc", "src/x/y/a.cc"));
  EXPECT_FALSE(glob_match("**/*.cc", "src/a.h"));
  EXPECT_TRUE(glob_match("src/**/b", "src/b"));
  EXPECT_TRUE(glob_match("src/**/b", "src/x/b"));
  EXPECT_TRUE(glob_match("src/**/b", "src/x/y/b"));
  EXPECT_FALSE(glob_match("src/**/b", "other/x/b"));
  EXPECT_TRUE(glob_match("src/**", "src/x"));
  EXPECT_TRUE(glob_match("src/**", "src/x/y.cc"));
  EXPECT_FALSE(glob_match("src/**", "src"));
  EXPECT_TRUE(glob_match("**", "a/b/c"));
  EXPECT_TRUE(glob_match("**/**/x", "x"));
  EXPECT_TRUE(glob_match("a/**/b/**/c", "a/1/b/2/3/c"));
  EXPECT_FALSE(glob_match("a/**/b/**/c", "a/1/2/3/c"));
}

TEST(GlobMatch, EscapesAndDotSlash) {
  EXPECT_TRUE(glob_match("\\*.txt", "*.txt"));
  EXPECT_FALSE(glob_match("\\*.txt", "a.txt"));
  EXPECT_TRUE(glob_match("a\\?", "a?"));
  EXPECT_TRUE(glob_match("./src/*.cc", "src/a.cc"));
  EXPECT_TRUE(glob_match("src/", "src"));
}

TEST(GlobMatch, ExactAndEmpty) {
  EXPECT_TRUE(glob_match("README.md", "README.md"));
  EXPECT_FALSE(glob_match("README.md", "readme.md"));
  EXPECT_FALSE(glob_match("", "a"));
  EXPECT_FALSE(glob_match("a", ""));
}

TEST(GlobMatch, ManyStarsStayFast) {
  // Backtracking over one star at a time: no exponential blow-up.
  std::string name(200, 'a');
  EXPECT_FALSE(glob_match("*a*a*a*a*a*a*a*a*b", name));
  std::string deep;
  for (int i = 0; i < 30; ++i) deep += "d/";
  deep += "x";
  EXPECT_FALSE(glob_match("**/a/**/a/**/a/**/y", deep));
}

}  // namespace
}  // namespace droid::runner::tools
