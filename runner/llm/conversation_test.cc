#include "llm/conversation.h"

#include <gtest/gtest.h>

#include "llm/error.h"
#include "llm/gateway_config.h"

namespace droid::llm {
namespace {

TEST(Conversation, MessagePartsAndToolCallArguments) {
  Message m{Role::Assistant, {TextPart{"a"}, TextPart{"b"}}};
  m.parts.emplace_back(ToolCall::from_raw("1", "shell", R"({"command":"ls"})"));
  m.parts.emplace_back(ToolCall::from_raw("2", "list", ""));
  m.parts.emplace_back(ToolCall::from_raw("3", "x", "[1,2]"));
  EXPECT_EQ(m.text(), "ab");
  auto calls = m.tool_calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_TRUE(calls[0].arguments_valid());
  EXPECT_EQ(calls[1].arguments, nlohmann::json::object());  // no arguments: {}
  EXPECT_FALSE(calls[2].arguments_valid());                 // JSON, but not an object
  EXPECT_EQ(Message::tool_result("1", "out", true).tool_results()[0].is_error, true);
  Usage u{3, 4};
  u += Usage{10, 20};
  EXPECT_EQ(u, (Usage{13, 24}));
  EXPECT_EQ(u.total(), 37);
}

TEST(GatewayConfig, EndpointUrls) {
  EXPECT_EQ(endpoint_url(Provider::OpenAI, "http://vllm.llm:8000/v1"), "http://vllm.llm:8000/v1/chat/completions");
  EXPECT_EQ(endpoint_url(Provider::OpenAI, "http://vllm.llm:8000/v1/"), "http://vllm.llm:8000/v1/chat/completions");
  EXPECT_EQ(endpoint_url(Provider::Anthropic, "https://litellm.llm.svc:4000"),
            "https://litellm.llm.svc:4000/v1/messages");
  EXPECT_EQ(endpoint_url(Provider::Anthropic, "https://gw/v1"), "https://gw/v1/messages");
  EXPECT_EQ(parse_provider("anthropic"), Provider::Anthropic);
  EXPECT_THROW(parse_provider("gemini"), ConfigError);
}

TEST(GatewayConfig, ApiKeyFromFileNeverEchoesIt) {
  const std::string path = ::testing::TempDir() + "/llm-key";
  {
    FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("  sk-file-secret-123\n", f);
    std::fclose(f);
  }
  EXPECT_EQ(load_api_key(path, ""), "sk-file-secret-123");
  EXPECT_THROW(load_api_key(::testing::TempDir() + "/missing-key", ""), ConfigError);
  EXPECT_THROW(load_api_key("", "DROID_LLM_TEST_UNSET_VARIABLE"), ConfigError);
  EXPECT_EQ(scrub("key sk-file-secret-123 twice sk-file-secret-123", "sk-file-secret-123"),
            "key [REDACTED] twice [REDACTED]");
  EXPECT_EQ(scrub("abc", ""), "abc");
}

}  // namespace
}  // namespace droid::llm
