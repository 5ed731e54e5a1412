#include "exit_codes.h"

#include <gtest/gtest.h>

namespace droid::kubectl {
namespace {

TEST(ExitCodes, OnePerOutcome) {
  EXPECT_EQ(exit_code_for_phase("Succeeded"), 0);
  EXPECT_EQ(exit_code_for_phase("Failed"), 1);
  EXPECT_EQ(exit_code_for_phase("Denied"), 3);
  EXPECT_EQ(exit_code_for_phase("TimedOut"), 4);
  EXPECT_EQ(exit_code_for_phase("Cancelled"), 5);
  EXPECT_EQ(exit_code_for_phase("AwaitingApproval"), 6);
  EXPECT_EQ(exit_code_for_phase("Running"), kExitError);
  EXPECT_EQ(exit_code_for_phase(""), kExitError);
  EXPECT_EQ(UsageError("x").code(), 2);
}

TEST(ExitCodes, TerminalPhases) {
  for (const char* p : {"Succeeded", "Failed", "Denied", "TimedOut", "Cancelled"}) EXPECT_TRUE(is_terminal_phase(p));
  for (const char* p : {"", "Pending", "Running", "AwaitingApproval"}) EXPECT_FALSE(is_terminal_phase(p));
}

}  // namespace
}  // namespace droid::kubectl
