#include "log/log.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace droid::log {
namespace {

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    set_sink([this](const std::string& line) { lines.push_back(line); });
    set_min_level(Level::Info);
  }
  void TearDown() override {
    set_sink(nullptr);
    set_min_level(Level::Info);
  }
  std::vector<std::string> lines;
};

TEST_F(LogTest, WritesOneJsonObjectPerLineWithFixedAndCallFields) {
  Logger session("session", {{"controller", "droidsession"}});
  session.with({{"session", "team-a/s1"}}).info("pod created", {{"pod", "s1-runner"}});
  ASSERT_EQ(lines.size(), 1u);
  const auto j = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(j["level"], "info");
  EXPECT_EQ(j["logger"], "session");
  EXPECT_EQ(j["msg"], "pod created");
  EXPECT_EQ(j["controller"], "droidsession");
  EXPECT_EQ(j["session"], "team-a/s1");
  EXPECT_EQ(j["pod"], "s1-runner");
  const std::string ts = j["ts"];
  ASSERT_EQ(ts.size(), 24u) << ts;
  EXPECT_EQ(ts.back(), 'Z');
  EXPECT_EQ(lines[0].find('\n'), std::string::npos);
}

TEST_F(LogTest, DropsLinesBelowTheMinimumLevel) {
  Logger l("x");
  l.debug("hidden");
  set_min_level(Level::Warn);
  l.info("hidden too");
  l.warn("shown");
  l.error("shown too");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(lines[0])["level"], "warn");
  EXPECT_EQ(nlohmann::json::parse(lines[1])["level"], "error");
}

TEST_F(LogTest, FieldsCannotOverwriteTheEnvelope) {
  Logger("x").info("real message", {{"msg", "forged"}, {"level", "debug"}});
  const auto j = nlohmann::json::parse(lines.at(0));
  EXPECT_EQ(j["msg"], "real message");
  EXPECT_EQ(j["level"], "info");
}

TEST_F(LogTest, InvalidUtf8InAFieldDoesNotThrow) {
  EXPECT_NO_THROW(Logger("x").info("bytes", {{"value", std::string("\xff\xfe ok")}}));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(nlohmann::json::accept(lines[0]));
}

TEST(LogLevel, ParsesAndNamesLevels) {
  EXPECT_EQ(parse_level("debug"), Level::Debug);
  EXPECT_EQ(parse_level("warning"), Level::Warn);
  EXPECT_STREQ(level_name(Level::Error), "error");
  try {
    parse_level("verbose");
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("debug, info, warn or error"), std::string::npos);
  }
}

}  // namespace
}  // namespace droid::log
