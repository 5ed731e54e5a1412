#include "shield/placeholder.h"

#include <gtest/gtest.h>

namespace droid::runner::shield {
namespace {

TEST(Placeholder, ObviousPlaceholders) {
  for (const char* s : {"AKIAIOSFODNN7EXAMPLE", "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "${DB_PASSWORD}", "<token>",
                        "{{ .Values.password }}", "your-api-key-here", "aaaaaaaaaaaaaaaa", "changeme123",
                        "sk_test_****", "0123456789abcdef", "REDACTED"})
    EXPECT_TRUE(is_placeholder(s)) << s;
}

TEST(Placeholder, RealLookingSecretsPass) {
  for (const char* s : {"ghp_R4nd0mT0k3nWithNoPattern1234abcdXYZ9", "Zf3D0LXCM3EIMbgJpUNnkRtOfOueHznB", "hunter2!"})
    EXPECT_FALSE(is_placeholder(s)) << s;
}

TEST(Placeholder, ReferencesAreNotLiterals) {
  for (const char* s :
       {"$PASSWORD", "os.environ['X']", "get_password()", "%(pw)s", "config.db_password", "true", "null"})
    EXPECT_TRUE(looks_like_reference(s, false)) << s;
  EXPECT_TRUE(looks_like_reference("someCamelCaseIdentifier", true));
  EXPECT_FALSE(looks_like_reference("someCamelCaseIdentifier", false));
  EXPECT_FALSE(looks_like_reference("x9Kq2LmN4pR7", true));
}

}  // namespace
}  // namespace droid::runner::shield
