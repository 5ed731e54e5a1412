#include "policy/code_text.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace droid::runner::policy {
namespace {

// Whether one of the spellings of `code` holds `text`.
bool spells(const std::string& code, const std::string& text) {
  for (const auto& s : code_spellings(code))
    if (s.find(text) != std::string::npos) return true;
  return false;
}

TEST(CodeSpellings, TheCodeAsWrittenComesFirst) {
  auto s = code_spellings("print(1)");
  ASSERT_FALSE(s.empty());
  EXPECT_EQ(s[0], "print(1)");
}

TEST(CodeSpellings, StringEscapesAreDecoded) {
  EXPECT_TRUE(spells(R"(os.system("rm -rf \x2f"))", "rm -rf /"));
  EXPECT_TRUE(spells(R"(system("rm -rf \057"))", "rm -rf /"));
  EXPECT_TRUE(spells(R"(execSync("rm -rf \u002f"))", "rm -rf /"));
  EXPECT_TRUE(spells(R"(execSync("rm -rf \u{2f}"))", "rm -rf /"));
  EXPECT_TRUE(spells(R"(s/x/rm -rf \//e)", "rm -rf /"));  // sed's escaped delimiter
  EXPECT_TRUE(spells(R"(system("\x72\x6d -rf /"))", "rm -rf /"));
}

TEST(CodeSpellings, StringLiteralsAreJoined) {
  EXPECT_TRUE(spells(R"(os.system("rm -r" + "f /"))", "rm -rf /"));
  EXPECT_TRUE(spells(R"(system('rm -r'.'f /'))", "rm -rf /"));
  EXPECT_TRUE(spells(R"(os.system("rm -r" "f /"))", "rm -rf /"));
  EXPECT_TRUE(spells(R"(os.execute("rm -r" .. "f /"))", "rm -rf /"));
  EXPECT_TRUE(spells(R"(os.system('rm -r' + "f " + '/'))", "rm -rf /"));
  // An escaped quote does not end a literal.
  EXPECT_TRUE(spells(R"(os.system("echo \"x\"; rm -r" + "f /"))", "rm -rf /"));
  // Arguments are not joined.
  EXPECT_FALSE(spells(R"(f("rm -r", "f /"))", "rm -rf /"));
}

TEST(CodeSpellings, CharacterCodesAreCharacters) {
  EXPECT_TRUE(spells(R"(os.system('rm -rf ' + chr(47)))", "rm -rf /"));
  EXPECT_TRUE(spells(R"(os.system('rm -rf ' + chr(0x2f)))", "rm -rf /"));
  EXPECT_TRUE(spells(R"(execSync(String.fromCharCode(114, 109) + " -rf /"))", "rm -rf /"));
}

TEST(CodeSpellings, EncodedLiteralsAreDecodedWhenTheyAreText) {
  EXPECT_TRUE(spells(R"(os.system(base64.b64decode("cm0gLXJmIC8=")))", "rm -rf /"));
  EXPECT_TRUE(spells(R"(os.system(b64decode("cm0gLXJmIC8")))", "rm -rf /"));  // unpadded
  EXPECT_TRUE(spells(R"(os.system(bytes.fromhex("726d202d7266202f").decode()))", "rm -rf /"));
  // Binary data is not text: nothing is made of it.
  for (const auto& s : code_spellings(R"(x = "AAECAwQFBgcICQ==")")) EXPECT_EQ(s.find('\x01'), std::string::npos) << s;
}

TEST(CodeSpellings, LiteralsAreReversed) {
  EXPECT_TRUE(spells(R"(os.system("/ fr- mr"[::-1]))", "rm -rf /"));
  EXPECT_TRUE(spells(R"(system(scalar reverse "/ fr- mr"))", "rm -rf /"));
}

TEST(CodeSpellings, HugeTextIsSearchedAsWrittenOnly) {
  std::string big(std::size_t{70} * 1024, 'a');
  EXPECT_EQ(code_spellings(big).size(), 1U);
}

}  // namespace
}  // namespace droid::runner::policy
