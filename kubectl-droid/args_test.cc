#include "args.h"

#include <gtest/gtest.h>

namespace droid::kubectl {
namespace {

using V = std::vector<std::string>;

const std::vector<cli::Flags::Spec> kSpecs = with_global_flags(
    {{"output", cli::Flags::Value}, {"all-namespaces", cli::Flags::Bool}, {"follow", cli::Flags::Bool}});

TEST(ExpandShortFlags, KubectlSpellings) {
  const ShortFlags shorts = {{'o', "output"}, {'A', "all-namespaces"}, {'f', "follow"}};
  EXPECT_EQ(expand_short_flags({"-n", "team", "-o", "json", "-A", "x"}, shorts, kSpecs),
            (V{"--namespace=team", "--output=json", "--all-namespaces", "x"}));
  EXPECT_EQ(expand_short_flags({"-nteam", "-o=yaml", "-f"}, shorts, kSpecs),
            (V{"--namespace=team", "--output=yaml", "--follow"}));
  EXPECT_EQ(expand_short_flags({"-h"}, shorts, kSpecs), (V{"--help"}));
  // After "--" and "-" (standard input) nothing is rewritten.
  EXPECT_EQ(expand_short_flags({"-", "--", "-n", "x"}, shorts, kSpecs), (V{"-", "--", "-n", "x"}));
  EXPECT_EQ(expand_short_flags({"--namespace", "a"}, shorts, kSpecs), (V{"--namespace", "a"}));
  // A long option's value may start with '-'.
  EXPECT_EQ(expand_short_flags({"--output", "-x", "-A"}, shorts, kSpecs), (V{"--output", "-x", "--all-namespaces"}));
}

TEST(ExpandShortFlags, ErrorsNameTheOption) {
  try {
    expand_short_flags({"-x"}, {}, kSpecs);
    FAIL();
  } catch (const cli::FlagError& e) {
    EXPECT_STREQ(e.what(), "unknown option -x (see --help)");
  }
  EXPECT_THROW(expand_short_flags({"-n"}, {}, kSpecs), cli::FlagError);                          // needs a value
  EXPECT_THROW(expand_short_flags({"-Ax"}, {{'A', "all-namespaces"}}, kSpecs), cli::FlagError);  // takes none
}

TEST(SplitCommand, GlobalFlagsMayComeFirst) {
  auto line = split_command({"--kubeconfig", "/k", "-n", "team", "--context=c", "list", "-A"});
  EXPECT_EQ(line.command, "list");
  EXPECT_EQ(line.rest, (V{"--kubeconfig", "/k", "-n", "team", "--context=c", "-A"}));
  line = split_command({"policy", "explain", "-n", "x"});
  EXPECT_EQ(line.command, "policy");
  EXPECT_EQ(line.rest, (V{"explain", "-n", "x"}));
  EXPECT_EQ(split_command({"--help"}).command, "");
  EXPECT_EQ(split_command({}).command, "");
}

}  // namespace
}  // namespace droid::kubectl
