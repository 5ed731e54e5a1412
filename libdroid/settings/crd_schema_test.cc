// The settings schema of the CRDs (crds/*.yaml) and the C++ schema (schema.h)
// must describe the same document: the apiserver validates org and user
// settings with the former, the operator and the runner with the latter.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <set>
#include <string>

#include "settings/field_path.h"
#include "settings/schema.h"

namespace droid::settings {
namespace {

YAML::Node settings_schema(const std::string& crd_file) {
  YAML::Node crd = YAML::LoadFile(std::string(DROID_SOURCE_DIR) + "/crds/" + crd_file);
  for (const auto& version : crd["spec"]["versions"])
    if (version["storage"].as<bool>())
      return version["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["settings"];
  return {};
}

class Compare {
 public:
  void node(const Node& n, const YAML::Node& y, const std::string& path) {
    const std::string label = path.empty() ? "settings" : path;
    ASSERT_TRUE(y.IsMap()) << label << ": missing in the CRD";
    if (path.empty() || path.back() != ']') {  // every named field, not the items of a list or map
      EXPECT_TRUE(y["description"] && !y["description"].as<std::string>().empty()) << label << ": no description";
    }
    const std::string type = y["type"].as<std::string>("");
    switch (n.type) {
      case Type::Object: {
        EXPECT_EQ(type, "object") << label;
        std::set<std::string> ours, theirs, ours_required, theirs_required;
        for (const auto& p : n.properties) {
          ours.insert(p.name);
          if (p.required) ours_required.insert(p.name);
        }
        for (const auto& kv : y["properties"]) theirs.insert(kv.first.as<std::string>());
        for (const auto& r : y["required"]) theirs_required.insert(r.as<std::string>());
        EXPECT_EQ(ours, theirs) << label << ": the fields differ";
        EXPECT_EQ(ours_required, theirs_required) << label << ": the required fields differ";
        for (const auto& p : n.properties)
          if (y["properties"][p.name]) node(*p.node, y["properties"][p.name], field_path(path, p.name));
        break;
      }
      case Type::Map:
        EXPECT_EQ(type, "object") << label;
        EXPECT_FALSE(y["properties"]) << label << ": a map has no fixed fields";
        node(*n.items, y["additionalProperties"], path + "[*]");
        break;
      case Type::Array:
        EXPECT_EQ(type, "array") << label;
        EXPECT_EQ(y["minItems"].as<std::size_t>(0), n.min_items) << label;
        node(*n.items, y["items"], path + "[*]");
        break;
      case Type::String: {
        EXPECT_EQ(type, "string") << label;
        std::vector<std::string> theirs;
        for (const auto& e : y["enum"]) theirs.push_back(e.as<std::string>());
        EXPECT_EQ(theirs, n.enum_values) << label << ": the enum differs";
        EXPECT_EQ(y["minLength"].as<std::size_t>(0), n.min_length) << label;
        EXPECT_EQ(y["pattern"].as<std::string>(""), n.pattern.empty() ? "" : "^" + n.pattern + "$") << label;
        break;
      }
      case Type::Boolean: EXPECT_EQ(type, "boolean") << label; break;
      case Type::Integer:
        EXPECT_EQ(type, "integer") << label;
        if (n.minimum) {
          EXPECT_EQ(y["minimum"].as<std::int64_t>(), *n.minimum) << label;
        }
        if (n.maximum) {
          EXPECT_EQ(y["maximum"].as<std::int64_t>(), *n.maximum) << label;
        }
        EXPECT_EQ(static_cast<bool>(y["maximum"]), n.maximum.has_value()) << label;
        break;
    }
  }
};

TEST(CrdSchema, SessionAndPolicyShareOneSettingsSchema) {
  YAML::Node session = settings_schema("droid.dev_droidsessions.yaml");
  YAML::Node policy = settings_schema("droid.dev_orgpolicies.yaml");
  ASSERT_TRUE(session.IsMap());
  ASSERT_TRUE(policy.IsMap());
  // Descriptions of the top node may say which level it is; everything below is identical.
  EXPECT_EQ(YAML::Dump(session["properties"]), YAML::Dump(policy["properties"]));
}

TEST(CrdSchema, MatchesTheCxxSchema) { Compare().node(schema(), settings_schema("droid.dev_droidsessions.yaml"), ""); }

}  // namespace
}  // namespace droid::settings
