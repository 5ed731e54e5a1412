#include "reconcile/approval_signing_key.h"

#include <gtest/gtest.h>

#include "kube/memory_api.h"

namespace droid::op {
namespace {

TEST(ApprovalSigningKey, MadeOnceAndReadByEveryReplica) {
  kube::MemoryApi api;
  const std::string key = load_or_create_signing_key(api, "droid-system", kApprovalSigningSecret);
  EXPECT_EQ(key.size(), 64u);
  EXPECT_EQ(load_or_create_signing_key(api, "droid-system", kApprovalSigningSecret), key) << "a restart keeps it";
  EXPECT_EQ(api.objects(kube::kSecrets).size(), 1u);

  // Another replica created it between our read and our create: theirs is used.
  kube::MemoryApi raced;
  raced.fail_next("get", kube::kSecrets, kube::ApiError(404, "NotFound", "not found", ""));
  raced.create(kube::kSecrets, {{"apiVersion", "v1"},
                                {"kind", "Secret"},
                                {"metadata", {{"name", kApprovalSigningSecret}, {"namespace", "droid-system"}}},
                                {"stringData", {{"key", std::string(64, 'b')}}}});
  EXPECT_EQ(load_or_create_signing_key(raced, "droid-system", kApprovalSigningSecret), std::string(64, 'b'));
}

TEST(ApprovalSigningKey, ARefusalNamesTheSecretAndTheRightsNeeded) {
  kube::MemoryApi api;
  api.fail_next("get", kube::kSecrets, kube::ApiError(403, "Forbidden", "secrets is forbidden", ""));
  try {
    load_or_create_signing_key(api, "droid-system", kApprovalSigningSecret);
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("Secret droid-system/droid-operator-approval-signing"), std::string::npos) << what;
    EXPECT_NE(what.find("get and create on secrets in droid-system"), std::string::npos) << what;
  }
  // A key too short to sign with is refused, not used.
  kube::MemoryApi weak;
  weak.create(kube::kSecrets,
              {{"metadata", {{"name", "k"}, {"namespace", "droid-system"}}}, {"stringData", {{"key", "short"}}}});
  EXPECT_THROW(load_or_create_signing_key(weak, "droid-system", "k"), std::runtime_error);
}

}  // namespace
}  // namespace droid::op
