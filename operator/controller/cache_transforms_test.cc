#include "controller/cache_transforms.h"

#include <gtest/gtest.h>

namespace droid::op {
namespace {

using json = nlohmann::json;

json managed_fields() {
  return json::array({{{"manager", "kubectl"}, {"operation", "Update"}, {"fieldsV1", {{"f:spec", json::object()}}}}});
}

TEST(CacheTransforms, SessionsLoseManagedFieldsAndTheLastAppliedCopyButKeepEverythingTheOperatorReads) {
  json s = {{"apiVersion", "droid.dev/v1alpha1"},
            {"kind", "DroidSession"},
            {"metadata",
             {{"name", "s"},
              {"namespace", "ns"},
              {"uid", "u"},
              {"resourceVersion", "7"},
              {"generation", 2},
              {"managedFields", managed_fields()},
              {"annotations", {{kLastAppliedAnnotation, "{...}"}, {"droid.dev/requester", "{\"username\":\"a\"}"}}}}},
            {"spec", {{"prompt", "p"}}},
            {"status", {{"phase", "Running"}}}};
  json expected = s;
  expected["metadata"].erase("managedFields");
  expected["metadata"]["annotations"].erase(kLastAppliedAnnotation);
  trim_for_cache(s);
  EXPECT_EQ(s, expected);

  json only_last_applied = {{"metadata", {{"name", "x"}, {"annotations", {{kLastAppliedAnnotation, "{}"}}}}}};
  trim_for_cache(only_last_applied);
  EXPECT_EQ(only_last_applied, json({{"metadata", {{"name", "x"}}}}));
}

TEST(CacheTransforms, APodKeepsItsMetadataAndStatusOnly) {
  json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata",
               {{"name", "s-runner"},
                {"labels", {{"droid.dev/session", "s"}}},
                {"ownerReferences", json::array({{{"uid", "u"}}})},
                {"managedFields", managed_fields()}}},
              {"spec", {{"containers", json::array({{{"name", "runner"}, {"image", "droid-runner"}}})}}},
              {"status",
               {{"phase", "Failed"},
                {"containerStatuses",
                 json::array({{{"state", {{"terminated", {{"message", "{\"outcome\":\"Failed\"}"}}}}}}})}}}};
  trim_pod_for_cache(pod);
  EXPECT_FALSE(pod.contains("spec"));
  EXPECT_FALSE(pod["metadata"].contains("managedFields"));
  EXPECT_EQ(pod["metadata"]["labels"]["droid.dev/session"], "s");
  EXPECT_EQ(pod["metadata"]["ownerReferences"][0]["uid"], "u");
  EXPECT_EQ(pod["status"]["containerStatuses"][0]["state"]["terminated"]["message"], "{\"outcome\":\"Failed\"}");
  EXPECT_EQ(pod["kind"], "Pod");
}

TEST(CacheTransforms, ANamespaceKeepsItsMetadataOnly) {
  json ns = {{"apiVersion", "v1"},
             {"kind", "Namespace"},
             {"metadata", {{"name", "team-a"}, {"labels", {{"team", "a"}}}, {"managedFields", managed_fields()}}},
             {"spec", {{"finalizers", {"kubernetes"}}}},
             {"status", {{"phase", "Active"}}}};
  trim_namespace_for_cache(ns);
  EXPECT_EQ(ns, json({{"apiVersion", "v1"},
                      {"kind", "Namespace"},
                      {"metadata", {{"name", "team-a"}, {"labels", {{"team", "a"}}}}}}));
}

}  // namespace
}  // namespace droid::op
