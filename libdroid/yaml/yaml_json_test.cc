#include "yaml/yaml_json.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

namespace droid::yaml {
namespace {

using json = nlohmann::json;

std::string error_of(const std::string& text, const std::string& origin) {
  try {
    parse_document(text, origin);
  } catch (const YamlError& e) {
    return e.what();
  }
  return "";
}

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
j: TRUE
k: Null
l:
m: -7
n: 1e3
o: !!str 12
p: 99999999999999999999
q: 0x1F
)",
                                  "t");
  EXPECT_EQ(doc, json::parse(R"({"a":1,"b":"1","c":true,"d":"false","e":null,"f":2.5,"g":"text with:colon",
                                  "h":["x",2],"i":"two\nlines\n","j":true,"k":null,"l":null,"m":-7,"n":1000.0,
                                  "o":"12","p":1e20,"q":"0x1F"})"));
  EXPECT_TRUE(doc["a"].is_number_integer());
  EXPECT_TRUE(doc["p"].is_number_float()) << "an integer out of range is read as a float, not cut";
  EXPECT_EQ(parse_document(R"({"k": [1, "2"]})", "t"), json::parse(R"({"k":[1,"2"]})")) << "JSON is YAML";
}

// What the e2e suites read: a CRD's integer bounds stay integers, quoted versions
// stay strings, so the apiserver sees what kubectl apply would send.
TEST(Yaml, ManifestsKeepTheirTypes) {
  const json crd = parse_document(R"(apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
spec:
  versions:
    - name: v1alpha1
      served: true
      schema:
        openAPIV3Schema:
          properties:
            maxTurns: {type: integer, minimum: 1, maximum: 500}
            version: {type: string, default: "1.0"}
)",
                                  "crd.yaml");
  const json& props = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"];
  EXPECT_EQ(props["maxTurns"]["maximum"], 500);
  EXPECT_TRUE(props["maxTurns"]["maximum"].is_number_integer());
  EXPECT_EQ(props["version"]["default"], "1.0");
  EXPECT_EQ(crd["spec"]["versions"][0]["served"], true);
}

TEST(Yaml, ErrorsNameTheOrigin) {
  EXPECT_EQ(error_of("a: [", "f.yaml").rfind("f.yaml: not YAML or JSON: ", 0), 0U) << error_of("a: [", "f.yaml");
  EXPECT_EQ(error_of("a: 1\n---\nb: 2\n", "f.yaml"), "f.yaml: holds several documents; give one per file");
  EXPECT_EQ(error_of("", "f.yaml"), "f.yaml: empty document");
  EXPECT_EQ(error_of("# only a comment\n---\n", "f.yaml"), "f.yaml: empty document");
}

TEST(Yaml, AStreamGivesEveryNonEmptyDocumentInOrder) {
  const auto docs = parse_documents("---\n# Source: a.yaml\nkind: A\n---\n---\nkind: B\nn: 2\n", "helm template");
  ASSERT_EQ(docs.size(), 2U);
  EXPECT_EQ(docs[0], json::parse(R"({"kind":"A"})"));
  EXPECT_EQ(docs[1], json::parse(R"({"kind":"B","n":2})"));
  EXPECT_TRUE(parse_documents("", "x").empty());
  EXPECT_THROW(parse_documents("a: 1\n---\nb: [\n", "x"), YamlError);
}

TEST(Yaml, ReadsAFileAndNamesOneItCannotRead) {
  const std::string path = ::testing::TempDir() + "/yaml_json_test.yaml";
  std::ofstream(path) << "kind: DroidSession\nspec: {maxTurns: 3}\n";
  EXPECT_EQ(parse_file(path), json::parse(R"({"kind":"DroidSession","spec":{"maxTurns":3}})"));
  std::remove(path.c_str());
  try {
    parse_file(path);
    FAIL() << "no error for a missing file";
  } catch (const YamlError& e) {
    EXPECT_EQ(std::string(e.what()), path + ": cannot be read");
  }
}

TEST(Yaml, RoundTrips) {
  const json value = json::parse(R"({"s":"1","t":"true","n":3,"b":false,"z":null,"list":[{"k":"v"}],
                                     "multi":"a\nb\n","empty":"","colon":"a: b","obj":{},"tilde":"~",
                                     "upper":"NULL","f":2.5,"fs":"2.5","neg":-4})");
  const std::string text = to_yaml(value);
  EXPECT_EQ(parse_document(text, "out"), value) << text;
  EXPECT_NE(text.find("s: \"1\""), std::string::npos) << text;
  EXPECT_NE(text.find("upper: \"NULL\""), std::string::npos) << text;
}

}  // namespace
}  // namespace droid::yaml
