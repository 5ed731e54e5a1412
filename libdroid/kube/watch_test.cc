#include "kube/watch.h"

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

namespace droid::kube {
namespace {

TEST(EventDecoder, SplitsLinesAcrossChunks) {
  EventDecoder d;
  const std::string a = R"({"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"5"}}})";
  const std::string b = R"({"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"9"}}})";
  const std::string all = a + "\n" + b + "\r\n";
  std::vector<WatchEvent> got;
  for (char c : all) {  // one byte at a time: the worst chunking
    for (auto& e : d.feed(std::string_view(&c, 1))) got.push_back(std::move(e));
  }
  ASSERT_EQ(got.size(), 2U);
  EXPECT_EQ(got[0].type, WatchEvent::Type::Added);
  EXPECT_EQ(got[0].object["metadata"]["name"], "a");
  EXPECT_EQ(got[1].type, WatchEvent::Type::Bookmark);
  EXPECT_EQ(d.pending(), 0U);
}

TEST(EventDecoder, KeepsAnIncompleteLineAndSkipsBlankOnes) {
  EventDecoder d;
  auto events = d.feed("\n\n{\"type\":\"DELETED\",\"object\":{}}\n{\"type\":\"ERR");
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].type, WatchEvent::Type::Deleted);
  EXPECT_EQ(d.pending(), 12U);
  events = d.feed("OR\",\"object\":{\"kind\":\"Status\",\"code\":410}}\n");
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].type, WatchEvent::Type::Error);
  EXPECT_EQ(events[0].object["code"], 410);
  EXPECT_STREQ(to_string(events[0].type), "ERROR");
}

TEST(EventDecoder, RefusesWhatIsNotAnEvent) {
  EventDecoder d;
  EXPECT_THROW(d.feed("not json\n"), std::runtime_error);
  EventDecoder d2;
  EXPECT_THROW(d2.feed("{\"type\":\"ADDED\"}\n"), std::runtime_error);
  EventDecoder d3;
  EXPECT_THROW(d3.feed("{\"type\":\"RENAMED\",\"object\":{}}\n"), std::runtime_error);
}

TEST(CancelToken, WakesASleeper) {
  CancelToken t;
  EXPECT_FALSE(t.cancelled());
  EXPECT_FALSE(t.wait_for(std::chrono::milliseconds(1)));
  const auto start = std::chrono::steady_clock::now();
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    t.cancel();
  });
  EXPECT_TRUE(t.wait_for(std::chrono::seconds(30)));
  canceller.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_TRUE(t.cancelled());
  t.cancel();  // idempotent
}

}  // namespace
}  // namespace droid::kube
