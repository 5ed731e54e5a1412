#include "reconcile/concurrency.h"

#include <atomic>
#include <thread>

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

TEST(Concurrency, SlotsDecideUnderOneLockAndCountWhatTheyAdmitted) {
  // Eight workers ask at once: the decisions never overlap, and each sees the
  // slots admitted before it (here: "b" was created first, so everyone else
  // counts it waiting, and the ones admitted so far).
  std::vector<Ptr> ns;
  for (int i = 0; i < 8; ++i) ns.push_back(session("s" + std::to_string(i), "2026-01-01T00:00:01Z", "Pending"));
  SessionSlots slots;
  std::atomic<int> inside{0}, overlaps{0}, admitted{0};
  std::vector<std::thread> workers;
  for (int i = 0; i < 8; ++i)
    workers.emplace_back([&, i] {
      const bool ok = slots.admit_if(*ns[i], ns, [&](std::size_t ahead) {
        if (inside.fetch_add(1) != 0) ++overlaps;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        inside.fetch_sub(1);
        return ahead < 3;  // a limit of 3
      });
      if (ok) ++admitted;
    });
  for (auto& w : workers) w.join();
  EXPECT_EQ(overlaps.load(), 0);
  EXPECT_LE(admitted.load(), 3) << "never more than the limit, whatever the order";
  EXPECT_EQ(slots.admitted(), static_cast<std::size_t>(admitted.load()));
  for (int i = 0; i < 8; ++i) slots.release("team/s" + std::to_string(i));
  EXPECT_EQ(slots.admitted(), 0u);
  EXPECT_TRUE(slots.admit_if(*ns[0], ns, [](std::size_t ahead) { return ahead < 1; }))
      << "released, and s0 is first in line";
}

}  // namespace
}  // namespace droid::op
