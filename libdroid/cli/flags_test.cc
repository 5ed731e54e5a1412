#include "cli/flags.h"

#include <gtest/gtest.h>

namespace droid::cli {
namespace {

Flags make() { return Flags({{"model", Flags::Value}, {"settings", Flags::Repeated}, {"stream", Flags::Bool}}); }

TEST(Flags, ParsesBothSpellingsRepeatsBooleansAndPositionals) {
  Flags f = make();
  f.parse({"--model", "m1", "--settings=a.json", "hello", "--settings", "b.json", "--stream", "--", "--not-a-flag"});
  EXPECT_EQ(f.value("model"), "m1");
  EXPECT_EQ(f.values("settings"), (std::vector<std::string>{"a.json", "b.json"}));
  EXPECT_TRUE(f.has("stream"));
  EXPECT_EQ(f.positional(), (std::vector<std::string>{"hello", "--not-a-flag"}));
  EXPECT_EQ(f.value("absent", "dflt"), "dflt");
}

TEST(Flags, StopsAtTheFirstPositionalWhenAsked) {
  Flags f = make();
  f.parse({"--stream", "cmd", "--model", "x"}, /*stop_at_positional=*/true);
  EXPECT_FALSE(f.has("model"));
  EXPECT_EQ(f.positional(), (std::vector<std::string>{"cmd", "--model", "x"}));
}

TEST(Flags, ErrorsNameTheFlag) {
  auto error = [](const std::vector<std::string>& args) {
    try {
      Flags f = make();
      f.parse(args);
      (void)f.integer("model", 0, 1, 10);
    } catch (const FlagError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(error({"--bogus"}), "unknown option --bogus");
  EXPECT_EQ(error({"-x"}), "unknown option -x (options are spelled --name)");
  EXPECT_EQ(error({"--model"}), "--model needs a value");
  EXPECT_EQ(error({"--model", "1", "--model", "2"}), "--model given twice");
  EXPECT_EQ(error({"--stream=yes"}), "--stream takes no value");
  EXPECT_EQ(error({"--model", "11"}), "--model: \"11\" is not a whole number from 1 to 10");
  EXPECT_EQ(error({"--model", "3x"}), "--model: \"3x\" is not a whole number from 1 to 10");
  EXPECT_EQ(error({"--model", "3"}), "no error");
}

TEST(Flags, ASwitchIsBareOrTakesTrueOrFalse) {
  const auto parse = [](const std::vector<std::string>& args) {
    Flags f({{"leader-elect", Flags::Switch}, {"name", Flags::Value}});
    f.parse(args);
    return f;
  };
  EXPECT_TRUE(parse({"--leader-elect"}).boolean("leader-elect", false));
  EXPECT_TRUE(parse({}).boolean("leader-elect", true)) << "the fallback when absent";
  EXPECT_FALSE(parse({"--leader-elect=false"}).boolean("leader-elect", true));
  EXPECT_FALSE(parse({"--leader-elect", "false"}).boolean("leader-elect", true));
  EXPECT_FALSE(parse({"--leader-elect=0"}).boolean("leader-elect", true));
  EXPECT_TRUE(parse({"--leader-elect", "--name", "x"}).boolean("leader-elect", false));
  const Flags positional = parse({"--leader-elect", "run"});
  EXPECT_TRUE(positional.boolean("leader-elect", false));
  EXPECT_EQ(positional.positional(), (std::vector<std::string>{"run"})) << "only true/false is taken as its value";
  EXPECT_FALSE(parse({"--leader-elect", "--leader-elect=false"}).boolean("leader-elect", true)) << "the last wins";
  try {
    parse({"--leader-elect=yes"});
    FAIL() << "no error";
  } catch (const FlagError& e) {
    EXPECT_STREQ(e.what(), "--leader-elect: expected true or false (got \"yes\")");
  }
}

}  // namespace
}  // namespace droid::cli
