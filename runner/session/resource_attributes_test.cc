#include "session/resource_attributes.h"

#include <gtest/gtest.h>

namespace droid::runner::session {
namespace {

TEST(ResourceAttributes, TheRequesterIsTheEndUserAndThePolicyCannotOverrideTheIdentity) {
  contract::SessionConfig c;
  c.session = {"fix-1", "team-a", "u-1", 1};
  c.environment = "ci";
  c.requester = contract::Requester{"alice@example.com", "u-alice", {"devs"}};
  c.telemetry = contract::Telemetry{"http://otel:4318", "", {{"droid.team", "payments"}, {"droid.session", "x"}}};
  const auto a = resource_attributes(c);
  EXPECT_EQ(a.at("enduser.id"), "alice@example.com");
  EXPECT_EQ(a.at("droid.team"), "payments");
  EXPECT_EQ(a.at("droid.session"), "fix-1");
  EXPECT_EQ(a.at("k8s.namespace.name"), "team-a");
  EXPECT_EQ(a.at("deployment.environment"), "ci");

  c.requester.reset();
  c.telemetry->resource_attributes["enduser.id"] = "someone";
  EXPECT_EQ(resource_attributes(c).count("enduser.id"), 0u);
}

}  // namespace
}  // namespace droid::runner::session
