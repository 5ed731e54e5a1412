#include "llm/sse.h"

#include <gtest/gtest.h>

namespace droid::llm {
namespace {

std::vector<SseEvent> feed_in_pieces(const std::string& stream, std::size_t piece) {
  SseDecoder d;
  std::vector<SseEvent> out;
  for (std::size_t i = 0; i < stream.size(); i += piece) {
    for (auto& e : d.feed(std::string_view(stream).substr(i, piece))) out.push_back(e);
  }
  for (auto& e : d.finish()) out.push_back(e);
  return out;
}

TEST(Sse, EventsSurviveAnySplitAndLineEnding) {
  const std::string lf =
      "event: message_start\ndata: {\"a\":1}\n\n: keep-alive\n\ndata: x\ndata: y\n\ndata: [DONE]\n\n";
  std::string crlf;
  for (char c : lf) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  std::string cr;
  for (char c : lf) cr += c == '\n' ? '\r' : c;
  for (const auto& stream : {lf, crlf, cr}) {
    for (std::size_t piece : {1, 2, 3, 7, 1000}) {
      auto events = feed_in_pieces(stream, piece);
      ASSERT_EQ(events.size(), 3u) << "piece " << piece;
      EXPECT_EQ(events[0].event, "message_start");
      EXPECT_EQ(events[0].data, "{\"a\":1}");
      EXPECT_EQ(events[1].event, "");
      EXPECT_EQ(events[1].data, "x\ny");
      EXPECT_EQ(events[2].data, "[DONE]");
    }
  }
}

TEST(Sse, FieldsWithoutSpaceAndUnterminatedLastEvent) {
  SseDecoder d;
  EXPECT_TRUE(d.feed("data:{\"b\":2}").empty());  // no line end yet
  EXPECT_TRUE(d.feed("\nid: 7\nretry: 10\n").empty());
  auto events = d.finish();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "{\"b\":2}");
}

TEST(Sse, EventWithoutDataIsDropped) {
  SseDecoder d;
  EXPECT_TRUE(d.feed("event: ping\n\n").empty());
  auto events = d.feed("event: ping\ndata: {}\n\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event, "ping");
}

}  // namespace
}  // namespace droid::llm
