#include "git/commit_message.h"

#include <gtest/gtest.h>

namespace droid::runner::git {
namespace {

TEST(CommitSubject, TakesTheFirstSentenceWhenItFits) {
  EXPECT_EQ(
      commit_subject("Fixed calc.add (it subtracted instead of adding); test_calc.py passes. I did not fetch it.", 65),
      "Fixed calc.add (it subtracted instead of adding)");
  EXPECT_EQ(commit_subject("Renamed the flag. Updated docs.", 65), "Renamed the flag");
  EXPECT_EQ(commit_subject("Bumped v1.2.3 to v1.2.4", 65), "Bumped v1.2.3 to v1.2.4") << "a dot inside a word";
}

TEST(CommitSubject, CutsALongLineAtAWordWithEllipsis) {
  const std::string s = commit_subject(
      "Reworked the retry loop of the uploader so that it backs off exponentially and honours Retry-After", 65);
  EXPECT_EQ(s, "Reworked the retry loop of the uploader so that it backs off...");
  EXPECT_LE(s.size(), 65U);
}

TEST(CommitSubject, NeverCutsAUtf8Character) {
  // 'é' is two bytes; a cut at any byte count must leave valid UTF-8.
  const std::string summary(std::string(30, 'x') + "éééééééééééééééééééééééééééééé");
  for (std::size_t max = 10; max < 70; ++max) {
    const std::string s = commit_subject(summary, max);
    ASSERT_LE(s.size(), max) << max;
    for (std::size_t i = 0; i < s.size(); ++i) {
      const auto c = static_cast<unsigned char>(s[i]);
      if (c == 0xC3) {
        ASSERT_LT(i + 1, s.size()) << "cut inside a character at max " << max;
        ASSERT_EQ(static_cast<unsigned char>(s[i + 1]) & 0xC0U, 0x80U);
      }
    }
  }
}

TEST(CommitSubject, EmptyAndMultiLineSummaries) {
  EXPECT_EQ(commit_subject("", 65), "changes");
  EXPECT_EQ(commit_subject("   \n", 65), "changes");
  EXPECT_EQ(commit_subject("\n\n  Added tests  \nand more lines", 65), "Added tests");
}

TEST(CommitMessage, SubjectLineWithinSeventyTwoBytesThenBodyAndTrailer) {
  const std::string summary =
      "Fixed calc.add (it subtracted instead of adding) and checked every caller of it in the package; the tests pass.";
  const std::string m = commit_message(summary, "team-a/fix-1");
  const std::string subject = m.substr(0, m.find('\n'));
  EXPECT_LE(subject.size(), 72U) << subject;
  EXPECT_EQ(subject.rfind("droid: Fixed calc.add", 0), 0U) << subject;
  EXPECT_NE(m.find("\n\n" + summary + "\n\nDroid-Session: team-a/fix-1\n"), std::string::npos) << m;
}

}  // namespace
}  // namespace droid::runner::git
