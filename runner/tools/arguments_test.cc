#include "tools/arguments.h"

#include <gtest/gtest.h>

#include <string>

#include "tools/support.h"

namespace droid::runner::tools {
namespace {

using nlohmann::json;

const json kSchema = {{"type", "object"},
                      {"properties",
                       {{"path", {{"type", "string"}}},
                        {"limit", {{"type", "integer"}, {"minimum", 1}, {"maximum", 50}}},
                        {"all", {{"type", "boolean"}}}}},
                      {"required", {"path"}},
                      {"additionalProperties", false}};

std::string refusal(const json& arguments) {
  try {
    Arguments args(arguments, kSchema);
    return "";
  } catch (const ToolError& e) {
    return e.what();
  }
}

TEST(Arguments, ReadsTypedValuesAndFallbacks) {
  Arguments args({{"path", "a.txt"}, {"limit", 7}}, kSchema);
  EXPECT_EQ(args.string("path"), "a.txt");
  EXPECT_EQ(args.integer("limit", 1), 7);
  EXPECT_TRUE(args.has("limit"));
  EXPECT_FALSE(args.has("all"));
  EXPECT_TRUE(args.boolean("all", true));
  EXPECT_EQ(args.string("missing", "dflt"), "dflt");
  EXPECT_EQ(args.integer("other"), std::nullopt);
}

TEST(Arguments, IntegralFloatCountsAsInteger) {
  Arguments args({{"path", "a"}, {"limit", 10.0}}, kSchema);
  EXPECT_EQ(args.integer("limit", 1), 10);
  EXPECT_EQ(refusal({{"path", "a"}, {"limit", 2.5}}), "limit: expected an integer, got a number");
}

TEST(Arguments, NullMeansNotGiven) {
  Arguments args({{"path", "a"}, {"limit", nullptr}}, kSchema);
  EXPECT_FALSE(args.has("limit"));
}

TEST(Arguments, UnknownArgumentIsNamed) {
  EXPECT_EQ(refusal({{"path", "a"}, {"file", "b"}}), "file: unknown argument; the arguments are: all, limit, path");
}

TEST(Arguments, MistypedArgumentIsNamed) {
  EXPECT_EQ(refusal({{"path", 3}}), "path: expected a string, got an integer");
  EXPECT_EQ(refusal({{"path", "a"}, {"limit", "10"}}), "limit: expected an integer, got a string");
  EXPECT_EQ(refusal({{"path", "a"}, {"all", "yes"}}), "all: expected true or false, got a string");
}

TEST(Arguments, BoundsAreChecked) {
  EXPECT_EQ(refusal({{"path", "a"}, {"limit", 0}}), "limit: must be at least 1, got 0");
  EXPECT_EQ(refusal({{"path", "a"}, {"limit", 51}}), "limit: must be at most 50, got 51");
}

TEST(Arguments, MissingRequiredArgumentIsNamed) {
  EXPECT_EQ(refusal(json::object()), "path: missing required argument");
  EXPECT_EQ(refusal(nullptr), "");  // no arguments at all: checked by the accessor
  Arguments none(nullptr, kSchema);
  EXPECT_THROW(none.string("path"), ToolError);
}

TEST(Arguments, NonObjectIsRefused) {
  EXPECT_EQ(refusal(json::array()), "the arguments must be a JSON object, got an array");
  EXPECT_EQ(refusal("path=a"), "the arguments must be a JSON object, got a string");
}

}  // namespace
}  // namespace droid::runner::tools
