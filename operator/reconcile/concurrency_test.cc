#include "reconcile/concurrency.h"

#include <gtest/gtest.h>

namespace droid::op {
namespace {

using nlohmann::json;
using Ptr = std::shared_ptr<const CachedSession>;

Ptr session(const std::string& name, const std::string& created, const std::string& phase = "",
            const std::string& pod = "") {
  json s = {{"metadata", {{"name", name}, {"namespace", "team"}, {"creationTimestamp", created}}}};
  if (!phase.empty()) s["status"]["phase"] = phase;
  if (!pod.empty()) s["status"]["podName"] = pod;
  return std::make_shared<const CachedSession>(parse_cached_session(s));
}

TEST(Concurrency, SlotsAreHeldFromPodCreationUntilTheEnd) {
  EXPECT_TRUE(holds_slot(*session("a", "t", "Pending", "a-runner")));
  EXPECT_TRUE(holds_slot(*session("a", "t", "Running", "a-runner")));
  EXPECT_TRUE(holds_slot(*session("a", "t", "AwaitingApproval", "a-runner")));
  EXPECT_FALSE(holds_slot(*session("a", "t", "Succeeded", "a-runner")));
  EXPECT_FALSE(holds_slot(*session("a", "t", "Pending")));
  EXPECT_TRUE(is_waiting(*session("a", "t")));
  EXPECT_FALSE(is_waiting(*session("a", "t", "Denied")));
}

TEST(Concurrency, OlderWaitingSessionsGoFirst) {
  const std::vector<Ptr> ns = {session("run", "2026-01-01T00:00:00Z", "Running", "run-runner"),
                               session("old", "2026-01-01T00:00:01Z", "Pending"),
                               session("new", "2026-01-01T00:00:02Z", "Pending"),
                               session("done", "2026-01-01T00:00:00Z", "Failed", "done-runner")};
  EXPECT_EQ(sessions_ahead(ns, *ns[1], {}), 1u);  // only the running one
  EXPECT_EQ(sessions_ahead(ns, *ns[2], {}), 2u);  // the running one and "old"
}

TEST(Concurrency, SameTimestampOrdersByName) {
  const std::vector<Ptr> ns = {session("b", "2026-01-01T00:00:00Z"), session("a", "2026-01-01T00:00:00Z")};
  EXPECT_EQ(sessions_ahead(ns, *ns[0], {}), 1u);
  EXPECT_EQ(sessions_ahead(ns, *ns[1], {}), 0u);
}

TEST(Concurrency, AdmittedKeysCountBeforeTheCacheShowsTheirPod) {
  // "a" was admitted by this process a moment ago; the cache still shows it new.
  const std::vector<Ptr> ns = {session("a", "2026-01-01T00:00:05Z"), session("b", "2026-01-01T00:00:01Z")};
  EXPECT_EQ(sessions_ahead(ns, *ns[1], {}), 0u);
  EXPECT_EQ(sessions_ahead(ns, *ns[1], {"team/a"}), 1u);
}

}  // namespace
}  // namespace droid::op
