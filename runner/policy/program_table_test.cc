// The program table: every entry's examples hold (as at load), every entry has
// examples, and no program is named by two entries.
#include <gtest/gtest.h>

#include <map>

#include "policy/program_table.h"

namespace {

using namespace droid::runner::policy;

TEST(ProgramTable, EveryExampleGetsItsRisk) {
  for (const auto& failure : check_examples()) ADD_FAILURE() << failure;
}

TEST(ProgramTable, EveryEntryHasExamples) {
  for (const auto& p : program_table()) EXPECT_FALSE(p.examples.empty()) << p.names.front();
}

TEST(ProgramTable, NoProgramIsNamedTwice) {
  std::map<std::string_view, std::string_view> seen;
  for (const auto& p : program_table())
    for (auto n : p.names) {
      auto [it, inserted] = seen.emplace(n, p.names.front());
      EXPECT_TRUE(inserted) << n << " is in the entries of " << it->second << " and " << p.names.front();
    }
}

TEST(ProgramTable, FindsPrefixesAndNothingElse) {
  ASSERT_NE(find_program("mkfs.ext4"), nullptr);
  EXPECT_EQ(find_program("mkfs.ext4")->risk, Risk::High);
  ASSERT_NE(find_program("python3.12"), nullptr);
  EXPECT_EQ(find_program("python3.12")->handler, Handler::Interpreter);
  EXPECT_EQ(find_program("no-such-program"), nullptr);
}

}  // namespace
