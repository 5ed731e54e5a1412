#include "kube/memory_api.h"

#include <functional>

#include <gtest/gtest.h>

namespace droid::kube {
namespace {

using json = nlohmann::json;

json session(const std::string& name) {
  return {{"apiVersion", "droid.dev/v1alpha1"},
          {"kind", "DroidSession"},
          {"metadata", {{"name", name}, {"namespace", "team-a"}, {"labels", {{"team", "a"}}}}},
          {"spec", {{"prompt", "p"}}}};
}

int code_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const ApiError& e) {
    return e.code();
  }
  return 0;
}

TEST(MemoryApi, CreateSetsWhatTheServerOwnsAndRefusesATakenName) {
  MemoryApi api;
  const json created = api.create(kDroidSessions, session("s"));
  EXPECT_FALSE(created["metadata"]["uid"].get<std::string>().empty());
  EXPECT_FALSE(created["metadata"]["resourceVersion"].get<std::string>().empty());
  EXPECT_EQ(created["metadata"]["generation"], 1);
  EXPECT_EQ(api.get(kDroidSessions, "team-a", "s"), created);
  try {
    api.create(kDroidSessions, session("s"));
    FAIL() << "a taken name was accepted";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), 409);
    EXPECT_EQ(e.reason(), "AlreadyExists");
  }
  EXPECT_EQ(code_of([&] { api.get(kDroidSessions, "team-a", "other"); }), 404);
  EXPECT_EQ(code_of([&] { api.remove(kDroidSessions, "team-a", "other"); }), 404);
  EXPECT_EQ(api.create(kPods, {{"metadata", {{"name", "p"}, {"namespace", "team-a"}}}})["status"]["phase"], "Pending");
}

TEST(MemoryApi, AStaleWriteIsAConflictAndEveryWriteBumpsTheVersion) {
  MemoryApi api;
  const json v1 = api.create(kDroidSessions, session("s"));
  json with_status = v1;
  with_status["status"] = {{"phase", "Pending"}};
  const json v2 = api.replace(kDroidSessions, with_status, "status");
  EXPECT_NE(v2["metadata"]["resourceVersion"], v1["metadata"]["resourceVersion"]);
  EXPECT_EQ(v2["status"]["phase"], "Pending");
  EXPECT_EQ(v2["metadata"]["generation"], 1) << "a status write is not a spec change";

  json stale = v1;
  stale["status"] = {{"phase", "Running"}};
  EXPECT_EQ(code_of([&] { api.replace(kDroidSessions, stale, "status"); }), 409);
  EXPECT_EQ(api.get(kDroidSessions, "team-a", "s")["status"]["phase"], "Pending") << "the stale write was lost";

  // The main resource keeps the status; a spec change bumps the generation.
  json edit = v2;
  edit["spec"]["prompt"] = "q";
  edit["status"] = {{"phase", "Succeeded"}};
  const json v3 = api.replace(kDroidSessions, edit);
  EXPECT_EQ(v3["status"]["phase"], "Pending");
  EXPECT_EQ(v3["metadata"]["generation"], 2);
  EXPECT_EQ(v3["metadata"]["uid"], v1["metadata"]["uid"]);

  // A merge patch with no resourceVersion applies to the latest.
  const json v4 = api.patch(kDroidSessions, "team-a", "s", PatchType::Merge, {{"spec", {{"cancel", true}}}});
  EXPECT_EQ(v4["spec"]["cancel"], true);
  EXPECT_EQ(v4["metadata"]["generation"], 3);

  // Preconditions on delete.
  EXPECT_EQ(code_of([&] { api.remove(kDroidSessions, "team-a", "s", {{"preconditions", {{"uid", "nope"}}}}); }), 409);
  api.remove(kDroidSessions, "team-a", "s", {{"preconditions", {{"uid", v1["metadata"]["uid"]}}}});
  EXPECT_EQ(code_of([&] { api.get(kDroidSessions, "team-a", "s"); }), 404);
}

TEST(MemoryApi, AnImmutableConfigMapKeepsItsDataAndApplyCreatesOrMerges) {
  MemoryApi api;
  const json cm = {{"apiVersion", "v1"},
                   {"kind", "ConfigMap"},
                   {"metadata", {{"name", "c"}, {"namespace", "ns"}}},
                   {"immutable", true},
                   {"data", {{"a", "1"}}}};
  api.apply(kConfigMaps, cm, "test");
  json changed = cm;
  changed["data"]["a"] = "2";
  EXPECT_EQ(code_of([&] { api.apply(kConfigMaps, changed, "test", true); }), 422);
  EXPECT_EQ(api.get(kConfigMaps, "ns", "c")["data"]["a"], "1");
  json labelled = cm;
  labelled["metadata"]["labels"] = {{"x", "y"}};
  EXPECT_EQ(api.apply(kConfigMaps, labelled, "test")["metadata"]["labels"]["x"], "y");
}

TEST(MemoryApi, ListsBySelectorAndInjectsFailuresOnce) {
  MemoryApi api;
  api.create(kDroidSessions, session("a"));
  json other = session("b");
  other["metadata"]["labels"] = {{"team", "b"}};
  api.create(kDroidSessions, other);
  EXPECT_EQ(api.list(kDroidSessions, "team-a")["items"].size(), 2u);
  ListOptions team_b;
  team_b.label_selector = "team=b";
  EXPECT_EQ(api.list(kDroidSessions, "", team_b)["items"].size(), 1u);
  EXPECT_EQ(api.list(kDroidSessions, "other-ns")["items"].size(), 0u);

  api.fail_next("create", kPods, ApiError(500, "InternalError", "etcd is down", ""));
  EXPECT_EQ(code_of([&] { api.create(kPods, {{"metadata", {{"name", "p"}, {"namespace", "team-a"}}}}); }), 500);
  EXPECT_EQ(code_of([&] { api.create(kPods, {{"metadata", {{"name", "p"}, {"namespace", "team-a"}}}}); }), 0);
  const auto calls = api.calls();
  ASSERT_GE(calls.size(), 2u);
  EXPECT_EQ(calls.back(), "create pods team-a/p");
}

TEST(MemoryApi, ReadsAContainersLogTailAsTheServerDoes) {
  MemoryApi api;
  EXPECT_EQ(code_of([&] { api.read_log("team-a", "p"); }), 404);
  api.create(kPods, {{"metadata", {{"name", "p"}, {"namespace", "team-a"}}}});
  EXPECT_EQ(api.read_log("team-a", "p", {.container = "runner"}), "");
  api.set_log("team-a", "p", "runner", "one\ntwo\nthree\n");
  EXPECT_EQ(api.read_log("team-a", "p", {.container = "runner"}), "one\ntwo\nthree\n");
  EXPECT_EQ(api.read_log("team-a", "p", {.container = "runner", .tail_lines = 2}), "two\nthree\n");
  EXPECT_EQ(api.read_log("team-a", "p", {.container = "runner", .tail_lines = 9}), "one\ntwo\nthree\n");
  EXPECT_EQ(api.read_log("team-a", "p", {.container = "runner", .tail_lines = 1, .limit_bytes = 3}), "thr");
  EXPECT_EQ(api.read_log("team-a", "p", {.container = "other"}), "");
  api.fail_next("log", kPods, ApiError(403, "Forbidden", "cannot get pods/log", ""));
  EXPECT_EQ(code_of([&] { api.read_log("team-a", "p", {.container = "runner"}); }), 403);
  EXPECT_EQ(api.calls().back(), "log pods team-a/p/log");
}

}  // namespace
}  // namespace droid::kube
