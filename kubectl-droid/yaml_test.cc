#include "yaml.h"

#include <gtest/gtest.h>

#include "exit_codes.h"

namespace droid::kubectl {
namespace {

using json = nlohmann::json;

// The parsing itself is libdroid/yaml (yaml_test); here: its errors are usage errors.
TEST(Yaml, ErrorsAreUsageErrorsNamingTheOrigin) {
  EXPECT_THROW(parse_document("a: [", "f.yaml"), UsageError);
  try {
    parse_document("a: 1\n---\nb: 2\n", "f.yaml");
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "f.yaml: holds several documents; give one per file");
  }
  EXPECT_THROW(parse_document("", "f.yaml"), UsageError);
}

}  // namespace
}  // namespace droid::kubectl
