#include "contract/egress_token.h"

#include <set>
#include <stdexcept>

#include <gtest/gtest.h>

namespace droid::contract {
namespace {

const std::string kKey = "egress-test-key-0123456789abcdef!";  // 33 bytes
const EgressIdentity kId{"team-a", "fix-bug", "6f1c2a4e-0b7d-4c1e-9a53-2d8e7f901234", "fix-bug-runner-1"};

// Computed independently of this code:
//   uid=6f1c2a4e-0b7d-4c1e-9a53-2d8e7f901234
//   printf 'droid-egress-token/v1\0team-a\0fix-bug\0%s\0fix-bug-runner-1' "$uid" |
//     openssl dgst -sha256 -hmac 'egress-test-key-0123456789abcdef!' -binary | basenc --base64url | tr -d =
TEST(EgressToken, KnownAnswer) { EXPECT_EQ(egress_token(kKey, kId), "h-0c_QWERao7iC3YwiwL7jrjA9kCkFQ6JPXGdkT6cak"); }

TEST(EgressToken, Base64UrlWithoutPadding) {
  // RFC 4648 §10 vectors, translated to the URL alphabet and unpadded.
  EXPECT_EQ(base64url(""), "");
  EXPECT_EQ(base64url("f"), "Zg");
  EXPECT_EQ(base64url("fo"), "Zm8");
  EXPECT_EQ(base64url("foo"), "Zm9v");
  EXPECT_EQ(base64url("foob"), "Zm9vYg");
  EXPECT_EQ(base64url("fooba"), "Zm9vYmE");
  EXPECT_EQ(base64url("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64url("\xfb\xff\xbf"), "-_-_") << "'+' and '/' become '-' and '_'";
}

TEST(EgressToken, ChangesWithEveryIdentityFieldAndTheKey) {
  const std::string token = egress_token(kKey, kId);
  EXPECT_EQ(token.size(), 43u);
  EXPECT_EQ(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos);
  EXPECT_EQ(token, egress_token(kKey, kId)) << "derived: both replicas compute the same";
  std::set<std::string> seen{token};
  for (int field = 0; field < 4; ++field) {
    EgressIdentity other = kId;
    std::string* f[] = {&other.namespace_, &other.name, &other.uid, &other.pod_name};
    *f[field] += "x";
    EXPECT_TRUE(seen.insert(egress_token(kKey, other)).second) << "field " << field;
  }
  EXPECT_TRUE(seen.insert(egress_token(kKey + "x", kId)).second) << "another key";
  std::string flipped = kKey;
  flipped[0] ^= 1;
  EXPECT_TRUE(seen.insert(egress_token(flipped, kId)).second) << "one key bit";
  // The separator keeps field boundaries: ("team-a", "fix") != ("team-af", "ix").
  const EgressIdentity shifted{"team-af", "ix-bug", kId.uid, kId.pod_name};
  const EgressIdentity unshifted{"team-a", "fix-bug", kId.uid, kId.pod_name};
  EXPECT_NE(egress_token(kKey, shifted), egress_token(kKey, unshifted));
}

TEST(EgressToken, RefusesShortKeysAndIncompleteIdentities) {
  EXPECT_THROW(egress_token(std::string(31, 'k'), kId), std::invalid_argument);
  EXPECT_NO_THROW(egress_token(std::string(32, 'k'), kId));
  for (int field = 0; field < 4; ++field) {
    EgressIdentity other = kId;
    std::string* f[] = {&other.namespace_, &other.name, &other.uid, &other.pod_name};
    const char* names[] = {"namespace", "name", "uid", "podName"};
    f[field]->clear();
    try {
      egress_token(kKey, other);
      ADD_FAILURE() << "empty " << names[field] << " accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(names[field]), std::string::npos) << e.what();
    }
    *f[field] = std::string("a\0b", 3);
    EXPECT_THROW(egress_token(kKey, other), std::invalid_argument) << names[field] << " with a NUL";
  }
}

TEST(EgressToken, ConstantTimeCompare) {
  const std::string token = egress_token(kKey, kId);
  EXPECT_TRUE(tokens_equal(token, token));
  EXPECT_TRUE(tokens_equal("", ""));
  std::string last = token;
  last.back() = last.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(tokens_equal(token, last));
  EXPECT_FALSE(tokens_equal(token, token.substr(0, 42)));
  EXPECT_FALSE(tokens_equal(token, token + "A"));
  EXPECT_FALSE(tokens_equal(token, ""));
}

}  // namespace
}  // namespace droid::contract
