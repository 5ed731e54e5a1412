#include "controller/cache_transforms.h"

#include <gtest/gtest.h>

namespace droid::op {
namespace {

using json = nlohmann::json;

json managed_fields() {
  return json::array({{{"manager", "kubectl"}, {"operation", "Update"}, {"fieldsV1", {{"f:spec", json::object()}}}}});
}

TEST(CacheTransforms, PoliciesLoseManagedFieldsAndTheLastAppliedCopy) {
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

// A pod as the API server and the kubelet report it: the cache keeps exactly
// what the session controller reads, typed.
TEST(CacheTransforms, APodBecomesTheTypedFieldsTheSessionControllerReads) {
  json pod = json::parse(R"({
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "s-runner", "namespace": "team", "uid": "p1", "resourceVersion": "42", "generation": 1,
      "creationTimestamp": "2026-12-07T00:00:00Z", "deletionTimestamp": "2026-12-07T00:10:00Z",
      "labels": {"droid.dev/session": "s", "app.kubernetes.io/component": "runner"},
      "annotations": {"droid.dev/policy-hash": "h", "droid.dev/policies": "a,b", "droid.dev/approval-decision": "d"},
      "ownerReferences": [{"apiVersion": "droid.dev/v1alpha1", "kind": "DroidSession", "name": "s", "uid": "u",
                           "controller": true, "blockOwnerDeletion": true}],
      "managedFields": [{"manager": "droid-operator", "operation": "Update", "fieldsV1": {"f:spec": {}}}]},
    "spec": {"containers": [{"name": "runner"}]},
    "status": {"phase": "Pending", "reason": "r", "message": "m", "startTime": "2026-12-07T00:00:02Z",
      "qosClass": "Guaranteed", "hostIP": "10.0.0.1", "podIP": "10.1.0.5", "observedGeneration": 1,
      "conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": "0/1 nodes",
                      "lastProbeTime": null, "lastTransitionTime": "2026-12-07T00:00:01Z", "observedGeneration": 1}],
      "containerStatuses": [
        {"name": "sidecar", "ready": false, "state": {"waiting": {"reason": "Other"}}},
        {"name": "runner", "ready": true, "restartCount": 0, "started": true,
        "image": "droid-runner:latest", "imageID": "sha256:abc", "containerID": "containerd://x",
        "state": {"terminated": {"exitCode": 3, "reason": "Error", "message": "{\"outcome\":\"Failed\"}"}},
        "lastState": {}, "volumeMounts": [{"name": "workspace", "mountPath": "/workspace"}]}]}})");
  const std::shared_ptr<const CachedPod> p = cache_pod(std::move(pod));
  EXPECT_EQ(p->key(), "team/s-runner");
  EXPECT_EQ(p->uid, "p1");
  EXPECT_EQ(p->resource_version(), "42");
  EXPECT_EQ(p->creation_timestamp, "2026-12-07T00:00:00Z");
  EXPECT_EQ(p->deletion_timestamp, "2026-12-07T00:10:00Z");
  EXPECT_EQ(p->session, "s");
  EXPECT_TRUE(p->owned_by("u"));
  EXPECT_FALSE(p->owned_by("other"));
  EXPECT_EQ(p->policy_hash, "h");
  EXPECT_EQ(p->policy_names, "a,b");
  EXPECT_EQ(p->approval_decision, "d");
  EXPECT_EQ(p->phase, "Pending");
  EXPECT_EQ(p->reason, "r");
  EXPECT_EQ(p->message, "m");
  EXPECT_EQ(p->start_time, "2026-12-07T00:00:02Z");
  ASSERT_TRUE(p->unschedulable);
  EXPECT_EQ(*p->unschedulable, "0/1 nodes");
  ASSERT_TRUE(p->runner) << "the runner container, not the first one";
  EXPECT_TRUE(p->runner->ready);
  EXPECT_FALSE(p->runner->running);
  EXPECT_TRUE(p->runner->terminated);
  EXPECT_EQ(p->runner->terminated_reason, "Error");
  EXPECT_EQ(p->runner->terminated_message, "{\"outcome\":\"Failed\"}");
  EXPECT_EQ(p->runner->exit_code, 3);
  EXPECT_FALSE(p->has_ended());

  const CachedPod bare = parse_cached_pod({{"metadata", {{"name", "x"}}}});
  EXPECT_EQ(bare.key(), "x");
  EXPECT_FALSE(bare.runner);
  EXPECT_FALSE(bare.unschedulable);
  EXPECT_TRUE(bare.owner_uids.empty());
}

TEST(CacheTransforms, ASessionIsTypedWithItsSpecAndStatusKeptAsCompactJson) {
  json s = {{"apiVersion", "droid.dev/v1alpha1"},
            {"kind", "DroidSession"},
            {"metadata",
             {{"name", "s"},
              {"namespace", "ns"},
              {"uid", "u"},
              {"resourceVersion", "7"},
              {"generation", 2},
              {"creationTimestamp", "2026-12-07T00:00:00Z"},
              {"managedFields", managed_fields()},
              {"annotations",
               {{kLastAppliedAnnotation, "{...}"},
                {"droid.dev/requester", R"({"username":"alice","uid":"42","groups":["devs",7]})"}}}}},
            {"spec",
             {{"prompt", "p"},
              {"settings", {{"commandAllowlist", {"ls"}}}},
              {"cancel", true},
              {"ttlSecondsAfterFinished", 30},
              {"timeoutSeconds", 600},
              {"approvals", {{{"command", "make a"}, {"approvedBy", "bob"}, {"comment", "ok"}}, {{"command", 3}}}},
              {"rejections", {{{"command", "make b"}, {"rejectedBy", "eve"}, {"reason", "no"}}}}}},
            {"status", {{"phase", "Running"}, {"podName", "s-runner-2"}, {"runAttempt", 2}}}};
  const std::shared_ptr<const CachedSession> c = cache_session(json(s));
  EXPECT_EQ(c->key(), "ns/s");
  EXPECT_EQ(c->uid, "u");
  EXPECT_EQ(c->resource_version(), "7");
  EXPECT_EQ(c->generation, 2);
  EXPECT_EQ(c->creation_timestamp, "2026-12-07T00:00:00Z");
  EXPECT_TRUE(c->deletion_timestamp.empty());
  ASSERT_TRUE(c->requester);
  EXPECT_EQ(*c->requester, (contract::Requester{"alice", "42", {"devs"}}));
  EXPECT_TRUE(c->cancel);
  EXPECT_EQ(c->ttl_seconds_after_finished, 30);
  EXPECT_EQ(c->timeout_seconds, 600);
  ASSERT_EQ(c->approvals.size(), 1u) << "an entry without a string command is no approval";
  ASSERT_NE(c->approval_of("make a"), nullptr);
  EXPECT_EQ(c->approval_of("make a")->by, "bob");
  EXPECT_EQ(c->approval_of("make a")->reason, "ok");
  ASSERT_NE(c->rejection_of("make b"), nullptr);
  EXPECT_EQ(c->rejection_of("make b")->reason, "no");
  EXPECT_EQ(c->approval_of("make  a"), nullptr);
  EXPECT_EQ(c->phase, "Running");
  EXPECT_EQ(c->pod_name, "s-runner-2");
  EXPECT_EQ(c->run_attempt, 2);
  EXPECT_EQ(c->spec(), s["spec"]) << "the spec, settings included, as it was";
  EXPECT_EQ(c->status(), s["status"]);
  EXPECT_EQ(c->spec_json.find('\n'), std::string::npos) << "compact";
  EXPECT_EQ(c->reference(),
            json({{"apiVersion", "droid.dev/v1alpha1"},
                  {"kind", "DroidSession"},
                  {"metadata", {{"name", "s"}, {"namespace", "ns"}, {"uid", "u"}, {"resourceVersion", "7"}}}}));

  // The manager looks again when an annotation changes, not when only the status does.
  json annotated = s;
  annotated["metadata"]["annotations"]["team"] = "a";
  EXPECT_NE(cache_session(std::move(annotated))->annotations_digest, c->annotations_digest);
  json status_only = s;
  status_only["status"]["phase"] = "Succeeded";
  EXPECT_EQ(cache_session(std::move(status_only))->annotations_digest, c->annotations_digest);

  const CachedSession fresh = parse_cached_session({{"metadata", {{"name", "n"}, {"namespace", "ns"}}}});
  EXPECT_EQ(fresh.run_attempt, 1);
  EXPECT_FALSE(fresh.requester);
  EXPECT_EQ(fresh.status(), json::object());
  EXPECT_EQ(fresh.spec(), json::object());
  EXPECT_EQ(parse_cached_session({{"metadata", {{"annotations", {{"droid.dev/requester", "not json"}}}}}}).requester,
            std::nullopt);
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
