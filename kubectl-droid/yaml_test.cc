#include "yaml.h"

#include <gtest/gtest.h>

#include "exit_codes.h"

namespace droid::kubectl {
namespace {

using json = nlohmann::json;

TEST(Yaml, TypesPlainScalarsAndKeepsQuotedOnes) {
  const json doc = parse_document(R"(a: 1
b: "1"
c: true
d: 'false'
e: ~
f: 2.5
g: text with:colon
h: [x, 2]
i: |
  two
  lines
)",
                                  "t");
  EXPECT_EQ(doc, json::parse(R"({"a":1,"b":"1","c":true,"d":"false","e":null,"f":2.5,"g":"text with:colon",
                                  "h":["x",2],"i":"two\nlines\n"})"));
  EXPECT_EQ(parse_document(R"({"k": [1, "2"]})", "t"), json::parse(R"({"k":[1,"2"]})"));
}

TEST(Yaml, ErrorsNameTheOrigin) {
  EXPECT_THROW(parse_document("a: [", "f.yaml"), UsageError);
  try {
    parse_document("a: 1\n---\nb: 2\n", "f.yaml");
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "f.yaml: holds several documents; give one per file");
  }
  EXPECT_THROW(parse_document("", "f.yaml"), UsageError);
}

TEST(Yaml, RoundTrips) {
  const json value = json::parse(R"({"s":"1","t":"true","n":3,"b":false,"z":null,"list":[{"k":"v"}],
                                     "multi":"a\nb\n","empty":"","colon":"a: b","obj":{}})");
  const std::string text = to_yaml(value);
  EXPECT_EQ(parse_document(text, "out"), value) << text;
  EXPECT_NE(text.find("s: \"1\""), std::string::npos) << text;
}

}  // namespace
}  // namespace droid::kubectl
