// static_output: what echo/printf pipelines print, through decoders.
#include <gtest/gtest.h>

#include "policy/parser.h"
#include "policy/static_output.h"

namespace {

using namespace droid::runner::policy;

std::optional<std::string> out(const std::string& text) {
  ParseResult r = parse(text);
  EXPECT_TRUE(r.ok()) << r.error;
  return static_output(*r.script);
}

TEST(StaticOutput, EchoAndPrintf) {
  EXPECT_EQ(out("echo rm -rf /"), "rm -rf /\n");
  EXPECT_EQ(out("echo -n rm"), "rm");
  EXPECT_EQ(out("echo -e 'r\\x6d'"), "rm\n");
  EXPECT_EQ(out("printf '%s %s' rm -rf"), "rm -rf");
  EXPECT_EQ(out("printf '\\162\\155'"), "rm");
}

TEST(StaticOutput, TextFilters) {
  EXPECT_EQ(out("echo 'RM -RF /' | tr A-Z a-z"), "rm -rf /\n");
  EXPECT_EQ(out("echo 'RM' | tr '[:upper:]' '[:lower:]'"), "rm\n");
  EXPECT_EQ(out("echo 'rXm' | tr -d X"), "rm\n");
  EXPECT_EQ(out("echo abc | tr abc xy"), "xyy\n");  // SET2 padded with its last character
  EXPECT_EQ(out("echo 'xm -rf /' | sed 's/x/r/'"), "rm -rf /\n");
  EXPECT_EQ(out("echo 'a a' | sed 's|a|b|g'"), "b b\n");
  EXPECT_EQ(out("echo rm | tee /dev/null | head -1 | awk '{print}'"), "rm\n");
  EXPECT_EQ(out("echo cm0= | openssl base64 -d"), "rm");
  EXPECT_EQ(out("echo cm0= | openssl enc -d -base64"), "rm");
  EXPECT_EQ(out("echo cm0= | base64 -di"), "rm");
  // Not modelled: regular expressions, tr's options and classes it does not list.
  EXPECT_EQ(out("echo ab | sed 's/a.*/x/'"), std::nullopt);
  EXPECT_EQ(out("echo ab | tr -c a b"), std::nullopt);
  EXPECT_EQ(out("echo ab | tr '[:punct:]' x"), std::nullopt);
}

TEST(StaticOutput, Decoders) {
  EXPECT_EQ(out("echo cm0gLXJmIC8= | base64 -d"), "rm -rf /");
  EXPECT_EQ(out("echo 726d202d7266202f | xxd -r -p"), "rm -rf /");
  EXPECT_EQ(out("echo '/ fr- mr' | rev"), "rm -rf /\n");
  EXPECT_EQ(out("printf 'rm' | cat"), "rm");
}

TEST(StaticOutput, UnknownIsNullopt) {
  EXPECT_FALSE(out("echo $HOME"));
  EXPECT_FALSE(out("cat file"));
  EXPECT_FALSE(out("echo a | sort"));
  EXPECT_FALSE(out("echo a; echo b"));
  EXPECT_FALSE(out("printf '%5s' x"));
}

}  // namespace
