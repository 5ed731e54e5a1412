// MemoryApi's watches, directly and under a Reflector: the twin's changes reach a
// reflector's store and handlers as a real server's do (tests/e2e/kube has the same
// reflector against a real API server), including the relist after a compaction.
#include <algorithm>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "kube/memory_api.h"
#include "kube/reflector.h"

namespace droid::kube {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

json config_map(const std::string& ns, const std::string& name, const std::string& suite = "reflector") {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", name}, {"namespace", ns}, {"labels", {{"suite", suite}}}}},
          {"data", {{"v", "0"}}}};
}

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return done();
}

struct Recorder {
  std::mutex mu;
  std::vector<std::string> log;
  std::vector<std::string> errors;
  ReflectorHandlers handlers() {
    auto record = [this](const std::string& what, const json& o) {
      std::lock_guard lock(mu);
      log.push_back(what + " " + o["metadata"]["name"].get<std::string>());
    };
    ReflectorHandlers h;
    h.on_add = [record](const json& o) { record("add", o); };
    h.on_update = [record](const json&, const json& o) { record("update", o); };
    h.on_delete = [record](const json& o) { record("delete", o); };
    h.on_error = [this](const std::string& e) {
      std::lock_guard lock(mu);
      errors.push_back(e);
    };
    return h;
  }
  bool has(const std::string& entry) {
    std::lock_guard lock(mu);
    return std::find(log.begin(), log.end(), entry) != log.end();
  }
};

TEST(MemoryApiWatch, DeliversTheChangesAfterAVersionThenEndsAtItsTimeout) {
  MemoryApi api;
  api.create(kConfigMaps, config_map("ns", "before"));
  const std::string from = api.list(kConfigMaps, "ns")["metadata"]["resourceVersion"];
  api.create(kConfigMaps, config_map("ns", "a"));
  api.create(kConfigMaps, config_map("other", "elsewhere"));
  api.patch(kConfigMaps, "ns", "a", PatchType::Merge, {{"data", {{"v", "1"}}}});
  api.remove(kConfigMaps, "ns", "a");
  CancelToken cancel;
  std::vector<std::pair<WatchEvent::Type, std::string>> seen;
  WatchOptions options;
  options.namespace_name = "ns";
  options.resource_version = from;
  options.timeout = 1s;
  const WatchResult result = api.watch(
      kConfigMaps, options,
      [&](WatchEvent& e) { seen.emplace_back(e.type, e.object["metadata"]["resourceVersion"].get<std::string>()); },
      cancel);
  ASSERT_EQ(seen.size(), 3U) << "ADDED, MODIFIED, DELETED of ns/a; not the older one, not the other namespace";
  EXPECT_EQ(seen[0].first, WatchEvent::Type::Added);
  EXPECT_EQ(seen[1].first, WatchEvent::Type::Modified);
  EXPECT_EQ(seen[2].first, WatchEvent::Type::Deleted);
  EXPECT_LT(std::stoll(seen[1].second), std::stoll(seen[2].second)) << "the deletion has a version of its own";
  EXPECT_EQ(result.end, WatchResult::End::Closed);
  EXPECT_EQ(result.events, 3);
  EXPECT_EQ(result.resource_version, seen[2].second);
}

TEST(MemoryApiWatch, AVersionOlderThanTheCompactionHasExpiredAndACancelEndsAWait) {
  MemoryApi api;
  const std::string old = api.list(kConfigMaps, "ns")["metadata"]["resourceVersion"];
  api.create(kConfigMaps, config_map("ns", "a"));
  api.compact();
  CancelToken cancel;
  WatchOptions from_old;
  from_old.resource_version = old;
  const auto expired = api.watch(
      kConfigMaps, from_old, [](WatchEvent&) {}, cancel);
  EXPECT_EQ(expired.end, WatchResult::End::Expired);
  EXPECT_NE(expired.message.find("too old resource version"), std::string::npos);

  std::thread canceller([&] {
    std::this_thread::sleep_for(50ms);
    cancel.cancel();
  });
  const auto start = std::chrono::steady_clock::now();
  WatchOptions long_wait;
  long_wait.timeout = 60s;
  const auto cancelled = api.watch(
      kConfigMaps, long_wait, [](WatchEvent&) {}, cancel);
  canceller.join();
  EXPECT_EQ(cancelled.end, WatchResult::End::Cancelled);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(MemoryApiWatch, AReflectorFollowsTheTwinAndRelistsAfterACompaction) {
  MemoryApi api;
  api.create(kConfigMaps, config_map("ns", "pre"));
  Recorder rec;
  auto store = std::make_shared<Store>();
  ReflectorOptions options;
  options.namespace_name = "ns";
  options.label_selector = "suite=reflector";
  options.backoff.initial = 10ms;
  Reflector reflector(api, kConfigMaps, options, store, rec.handlers());
  reflector.start();
  ASSERT_TRUE(reflector.wait_for_sync(10s));
  EXPECT_TRUE(rec.has("add pre"));

  api.create(kConfigMaps, config_map("ns", "r1"));
  api.patch(kConfigMaps, "ns", "pre", PatchType::Merge, {{"data", {{"v", "updated"}}}});
  api.remove(kConfigMaps, "ns", "r1");
  api.create(kConfigMaps, config_map("ns", "not-selected", "other"));
  ASSERT_TRUE(eventually([&] { return rec.has("delete r1"); }));
  EXPECT_TRUE(rec.has("add r1"));
  EXPECT_TRUE(rec.has("update pre"));
  EXPECT_FALSE(rec.has("add not-selected"));
  EXPECT_EQ(store->keys(), (std::vector<std::string>{"ns/pre"}));
  EXPECT_EQ(store->get("ns/pre")->at("data").at("v"), "updated");

  // A write the reflector does not watch, everything up to it compacted away, and the
  // watch ends (a server's timeout): the resume is refused with 410, the reflector
  // relists and the store converges.
  api.create(kConfigMaps, config_map("ns", "after"));
  api.create(kNamespaces, {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "unwatched"}}}});
  api.compact();
  api.close_watches();
  ASSERT_TRUE(eventually([&] { return reflector.stats().expired >= 1 && store->get("ns/after") != nullptr; }));
  EXPECT_EQ(reflector.stats().lists, 2);
  EXPECT_TRUE(rec.has("add after"));
  EXPECT_EQ(store->keys(), (std::vector<std::string>{"ns/after", "ns/pre"}));

  // A refused watch is an error the reflector backs off from, then recovers.
  api.fail_next("watch", kConfigMaps, ApiError(500, "InternalError", "etcd is away", ""));
  api.close_watches();
  ASSERT_TRUE(eventually([&] { return reflector.stats().errors >= 1; }));
  api.create(kConfigMaps, config_map("ns", "recovered"));
  EXPECT_TRUE(eventually([&] { return store->get("ns/recovered") != nullptr; }, 20s));
  reflector.stop();
  // (A watch closed within a second of its start without events is counted too.)
  std::lock_guard lock(rec.mu);
  EXPECT_TRUE(std::any_of(rec.errors.begin(), rec.errors.end(), [](const std::string& e) {
    return e.find("etcd is away") != std::string::npos;
  })) << ::testing::PrintToString(rec.errors);
}

// A typed cache: each object is converted as it enters the store; the handlers
// and readers get the typed object, shared (the same pointer every read).
struct TypedConfigMap {
  std::string ns, name, rv, value;
  std::string key() const { return ns + "/" + name; }
  const std::string& resource_version() const { return rv; }
};

TEST(MemoryApiWatch, ATypedReflectorConvertsObjectsAsTheyEnterAndSharesThem) {
  MemoryApi api;
  api.create(kConfigMaps, config_map("ns", "pre"));
  std::mutex mu;
  std::vector<std::string> seen;
  BasicReflectorHandlers<TypedConfigMap> handlers;
  const auto note = [&](const std::string& what) {
    std::lock_guard lock(mu);
    seen.push_back(what);
  };
  handlers.on_add = [&](const TypedConfigMap& c) { note("add " + c.name + "=" + c.value); };
  handlers.on_update = [&](const TypedConfigMap& a, const TypedConfigMap& b) {
    note("update " + b.name + " " + a.value + "->" + b.value);
  };
  handlers.on_delete = [&](const TypedConfigMap& c) { note("delete " + c.name); };
  ReflectorConvert<TypedConfigMap> convert = [&](json&& o) {
    return std::make_shared<const TypedConfigMap>(TypedConfigMap{o["metadata"]["namespace"], o["metadata"]["name"],
                                                                 o["metadata"]["resourceVersion"], o["data"]["v"]});
  };
  auto store = std::make_shared<BasicStore<TypedConfigMap>>();
  ReflectorOptions options;
  options.namespace_name = "ns";
  options.backoff.initial = 10ms;
  options.transform = [](json& o) { o["data"]["v"] = o["data"]["v"].get<std::string>() + "!"; };
  BasicReflector<TypedConfigMap> reflector(api, kConfigMaps, options, store, handlers, convert);
  reflector.start();
  ASSERT_TRUE(reflector.wait_for_sync(10s));
  const auto has = [&](const std::string& what) {
    std::lock_guard lock(mu);
    return std::find(seen.begin(), seen.end(), what) != seen.end();
  };
  EXPECT_TRUE(has("add pre=0!")) << "transformed, then converted";

  api.patch(kConfigMaps, "ns", "pre", PatchType::Merge, {{"data", {{"v", "1"}}}});
  api.create(kConfigMaps, config_map("ns", "gone"));
  api.remove(kConfigMaps, "ns", "gone");
  ASSERT_TRUE(eventually([&] { return has("delete gone"); }));
  EXPECT_TRUE(has("update pre 0!->1!"));
  const std::shared_ptr<const TypedConfigMap> a = store->get("ns/pre");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->value, "1!");
  EXPECT_EQ(store->get("ns/pre"), a) << "readers share the cached object";
  EXPECT_EQ(store->keys(), (std::vector<std::string>{"ns/pre"}));

  // After a compaction the relist replaces the store with converted objects too.
  api.patch(kConfigMaps, "ns", "pre", PatchType::Merge, {{"data", {{"v", "2"}}}});
  api.create(kConfigMaps, config_map("ns", "after"));
  api.compact();
  api.close_watches();
  ASSERT_TRUE(eventually([&] { return store->get("ns/after") != nullptr && store->get("ns/pre")->value == "2!"; }));
  EXPECT_EQ(a->value, "1!") << "a reader keeps the version it got";
  reflector.stop();
}

}  // namespace
}  // namespace droid::kube
