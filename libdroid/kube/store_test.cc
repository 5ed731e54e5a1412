#include "kube/store.h"

#include <gtest/gtest.h>

namespace droid::kube {
namespace {

nlohmann::json obj(const std::string& ns, const std::string& name, const std::string& rv) {
  nlohmann::json md = {{"name", name}, {"resourceVersion", rv}};
  if (!ns.empty()) md["namespace"] = ns;
  return {{"metadata", md}};
}

TEST(Store, Keys) {
  EXPECT_EQ(object_key(obj("ns", "a", "1")), "ns/a");
  EXPECT_EQ(object_key(obj("", "cluster-wide", "1")), "cluster-wide");
  EXPECT_EQ(resource_version_of(obj("ns", "a", "7")), "7");
  EXPECT_EQ(resource_version_of(nlohmann::json::object()), "");
}

TEST(Store, ListNamespaceReturnsOnlyThatNamespace) {
  Store s;
  for (const auto& [ns, name] : std::vector<std::pair<std::string, std::string>>{
           {"team", "a"}, {"team", "b"}, {"team-b", "c"}, {"teal", "d"}, {"tea", "e"}})
    s.upsert(obj(ns, name, "1"));
  const auto team = s.list_namespace("team");
  ASSERT_EQ(team.size(), 2U);
  EXPECT_EQ(object_key(*team[0]), "team/a");
  EXPECT_EQ(object_key(*team[1]), "team/b");
  EXPECT_EQ(s.list_namespace("nothing").size(), 0U);
  std::vector<std::string> visited;
  s.visit([&](const nlohmann::json& o) { visited.push_back(object_key(o)); });
  EXPECT_EQ(visited, (std::vector<std::string>{"tea/e", "teal/d", "team-b/c", "team/a", "team/b"}));
}

TEST(Store, UpsertEraseGet) {
  Store s;
  EXPECT_FALSE(s.upsert(obj("ns", "a", "1")));
  auto old = s.upsert(obj("ns", "a", "2"));
  ASSERT_TRUE(old);
  EXPECT_EQ(resource_version_of(*old), "1");
  EXPECT_EQ(resource_version_of(*s.get("ns/a")), "2");
  EXPECT_EQ(s.size(), 1U);
  EXPECT_FALSE(s.get("other/a"));
  EXPECT_TRUE(s.erase(obj("ns", "a", "3")));
  EXPECT_FALSE(s.erase(obj("ns", "a", "3")));
  EXPECT_EQ(s.size(), 0U);
}

TEST(Store, ReplaceAllReportsTheDifference) {
  Store s;
  s.upsert(obj("ns", "kept", "1"));
  s.upsert(obj("ns", "changed", "1"));
  s.upsert(obj("ns", "gone", "1"));
  auto diff = s.replace_all({obj("ns", "kept", "1"), obj("ns", "changed", "2"), obj("ns", "new", "3")});
  ASSERT_EQ(diff.added.size(), 1U);
  EXPECT_EQ(object_key(*diff.added[0]), "ns/new");
  ASSERT_EQ(diff.updated.size(), 1U);
  EXPECT_EQ(resource_version_of(*diff.updated[0].first), "1");
  EXPECT_EQ(resource_version_of(*diff.updated[0].second), "2");
  ASSERT_EQ(diff.deleted.size(), 1U);
  EXPECT_EQ(object_key(*diff.deleted[0]), "ns/gone");
  EXPECT_EQ(s.keys(), (std::vector<std::string>{"ns/changed", "ns/kept", "ns/new"}));
  EXPECT_EQ(s.list().size(), 3U);
}

// Readers get the cached object itself, not a copy; an update replaces it, so a
// reader keeps the version it was handed while the store moves on.
TEST(Store, ReadersShareTheObjectAndKeepTheirVersion) {
  Store s;
  const ObjectPtr put = share(obj("ns", "a", "1"));
  s.upsert(put);
  const ObjectPtr first = s.get("ns/a");
  EXPECT_EQ(first.get(), put.get()) << "no copy on the way in or out";
  EXPECT_EQ(s.list().front().get(), put.get());
  EXPECT_EQ(s.list_namespace("ns").front().get(), put.get());
  const ObjectPtr replaced = s.upsert(obj("ns", "a", "2"));
  EXPECT_EQ(replaced.get(), put.get());
  EXPECT_EQ(resource_version_of(*first), "1") << "the reader's version is unchanged";
  EXPECT_EQ(resource_version_of(*s.get("ns/a")), "2");
  s.erase(obj("ns", "a", "2"));
  EXPECT_EQ(resource_version_of(*first), "1") << "and outlives its removal from the store";
  EXPECT_EQ(first.use_count(), 3) << "first, put and replaced";
}

TEST(Store, AWriteThroughNeverOverwritesANewerVersion) {
  Store s;
  s.upsert(obj("ns", "a", "5"));
  EXPECT_TRUE(s.replace_if_current(share(obj("ns", "a", "6")), "5")) << "written from the cached version";
  EXPECT_EQ(resource_version_of(*s.get("ns/a")), "6");
  EXPECT_FALSE(s.replace_if_current(share(obj("ns", "a", "7")), "5")) << "the cache moved on meanwhile";
  EXPECT_EQ(resource_version_of(*s.get("ns/a")), "6");
  EXPECT_FALSE(s.replace_if_current(share(obj("ns", "gone", "2")), "1")) << "deleted: not brought back";
  EXPECT_EQ(s.get("ns/gone"), nullptr);
}

}  // namespace
}  // namespace droid::kube
