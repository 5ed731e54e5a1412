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

// A pod as the API server and the kubelet report it: what the session controller reads
// stays, byte for byte; the rest goes.
TEST(CacheTransforms, APodKeepsExactlyTheFieldsTheSessionControllerReads) {
  json pod = json::parse(R"({
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "s-runner", "namespace": "team", "uid": "p1", "resourceVersion": "42", "generation": 1,
      "creationTimestamp": "2026-12-07T00:00:00Z", "deletionTimestamp": "2026-12-07T00:10:00Z",
      "labels": {"droid.dev/session": "s", "app.kubernetes.io/component": "runner"},
      "annotations": {"droid.dev/policy-hash": "h", "droid.dev/approval-decision": "d"},
      "ownerReferences": [{"apiVersion": "droid.dev/v1alpha1", "kind": "DroidSession", "name": "s", "uid": "u",
                           "controller": true, "blockOwnerDeletion": true}]},
    "spec": {"containers": [{"name": "runner"}]},
    "status": {"phase": "Running", "reason": "r", "message": "m", "startTime": "2026-12-07T00:00:02Z",
      "qosClass": "Guaranteed", "hostIP": "10.0.0.1", "hostIPs": [{"ip": "10.0.0.1"}], "podIP": "10.1.0.5",
      "podIPs": [{"ip": "10.1.0.5"}], "observedGeneration": 1,
      "conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": "0/1 nodes",
                      "lastProbeTime": null, "lastTransitionTime": "2026-12-07T00:00:01Z", "observedGeneration": 1}],
      "containerStatuses": [{"name": "runner", "ready": true, "restartCount": 0, "started": true,
        "image": "droid-runner:latest", "imageID": "sha256:abc", "containerID": "containerd://x",
        "state": {"running": {"startedAt": "2026-12-07T00:00:03Z"}},
        "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "message": "{}"}},
        "volumeMounts": [{"name": "workspace", "mountPath": "/workspace"}],
        "resources": {"limits": {"cpu": "1"}}, "allocatedResources": {"cpu": "1"}, "user": {"linux": {"uid": 1000}}}]}})");
  trim_pod_for_cache(pod);
  EXPECT_EQ(pod, json::parse(R"({
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "s-runner", "namespace": "team", "uid": "p1", "resourceVersion": "42",
      "creationTimestamp": "2026-12-07T00:00:00Z", "deletionTimestamp": "2026-12-07T00:10:00Z",
      "labels": {"droid.dev/session": "s", "app.kubernetes.io/component": "runner"},
      "annotations": {"droid.dev/policy-hash": "h", "droid.dev/approval-decision": "d"},
      "ownerReferences": [{"apiVersion": "droid.dev/v1alpha1", "kind": "DroidSession", "name": "s", "uid": "u",
                           "controller": true}]},
    "status": {"phase": "Running", "reason": "r", "message": "m", "startTime": "2026-12-07T00:00:02Z",
      "conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": "0/1 nodes"}],
      "containerStatuses": [{"name": "runner", "ready": true, "restartCount": 0,
        "state": {"running": {"startedAt": "2026-12-07T00:00:03Z"}},
        "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "message": "{}"}}}]}})"))
      << pod.dump(2);
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
