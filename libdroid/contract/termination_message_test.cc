#include "contract/termination_message.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace droid::contract {
namespace {

TerminationMessage sample() {
  TerminationMessage m;
  m.outcome = Outcome::Succeeded;
  m.reason = "Completed";
  m.message = "done";
  m.result = {"Fixed the flaky test", 3, "droid/fix-flaky", "0123456789abcdef0123456789abcdef01234567"};
  m.usage = {1200, 340, 4, 7, 1};
  m.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  return m;
}

TEST(TerminationMessage, RoundTrips) {
  TerminationMessage m = sample();
  Decoded d = decode(encode(m));
  ASSERT_TRUE(d.message) << d.error;
  EXPECT_EQ(*d.message, m);

  m.outcome = Outcome::AwaitingApproval;
  m.pending_approval = PendingApproval{"git push origin HEAD", "high", {"pushes to a remote"}};
  d = decode(encode(m));
  ASSERT_TRUE(d.message) << d.error;
  EXPECT_EQ(*d.message, m);
}

TEST(TerminationMessage, HasAVersionAndCamelCaseFields) {
  auto j = nlohmann::json::parse(encode(sample()));
  EXPECT_EQ(j["version"], "droid.dev/termination/v1");
  EXPECT_EQ(j["outcome"], "Succeeded");
  EXPECT_EQ(j["usage"]["inputTokens"], 1200);
  EXPECT_EQ(j["result"]["filesChanged"], 3);
}

TEST(TerminationMessage, AlwaysFitsTheKubernetesLimitKeepingNumbers) {
  TerminationMessage m = sample();
  m.result.summary = std::string(10000, 'x');
  m.message = std::string(3000, 'y');
  m.pending_approval = PendingApproval{std::string(5000, 'z'), "high", {std::string(2000, 'r')}};
  std::string out = encode(m);
  EXPECT_LE(out.size(), kTerminationMessageLimit);
  Decoded d = decode(out);
  ASSERT_TRUE(d.message) << d.error;
  EXPECT_EQ(d.message->usage, m.usage);
  EXPECT_EQ(d.message->result.commit, m.result.commit);
  EXPECT_EQ(d.message->result.summary.substr(0, 10), "xxxxxxxxxx");
  EXPECT_EQ(d.message->result.summary.substr(d.message->result.summary.size() - 3), "…");
}

TEST(TerminationMessage, ShortensOnUtf8Boundaries) {
  TerminationMessage m = sample();
  for (int i = 0; i < 3000; ++i) m.result.summary += "é";  // two bytes each
  std::string out = encode(m);
  EXPECT_LE(out.size(), kTerminationMessageLimit);
  EXPECT_TRUE(nlohmann::json::accept(out));
  Decoded d = decode(out);
  ASSERT_TRUE(d.message);
  const std::string& s = d.message->result.summary;
  EXPECT_EQ(s.find("\xef\xbf\xbd"), std::string::npos) << "no replacement character";
}

TEST(TerminationMessage, RefusesOtherVersionsAndGarbage) {
  EXPECT_EQ(decode("not json").error, "the termination message is not a JSON object");
  EXPECT_EQ(decode(R"({"version": "droid.dev/termination/v9", "outcome": "Succeeded"})").error,
            "unsupported termination message version \"droid.dev/termination/v9\" (expected "
            "\"droid.dev/termination/v1\")");
  EXPECT_EQ(decode(R"({"version": "droid.dev/termination/v1", "outcome": "Exploded"})").error,
            "unknown outcome \"Exploded\"");
  EXPECT_FALSE(decode(R"({"version": "droid.dev/termination/v1", "outcome": "Failed", "usage": {"toolCalls": "x"}})")
                   .message.has_value());
}

TEST(TerminationMessage, IgnoresUnknownFields) {
  Decoded d = decode(R"({"version": "droid.dev/termination/v1", "outcome": "Failed", "reason": "RunnerError",
                        "future": {"x": 1}})");
  ASSERT_TRUE(d.message) << d.error;
  EXPECT_EQ(d.message->reason, "RunnerError");
}

}  // namespace
}  // namespace droid::contract
