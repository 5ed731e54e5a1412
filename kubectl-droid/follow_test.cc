#include "follow.h"

#include <gtest/gtest.h>

#include <chrono>
#include <sstream>
#include <string>
#include <thread>

#include "render.h"

namespace droid::kubectl {
namespace {

using namespace std::chrono_literals;

// An audit record stamped `ago` before now, as the runner writes them.
std::string record(const char* event, std::chrono::milliseconds ago) {
  const auto t = std::chrono::system_clock::now() - ago;
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() % 1000;
  std::string ts = rfc3339(t);
  ts.insert(19, "." + std::string(ms < 100 ? (ms < 10 ? "00" : "0") : "") + std::to_string(ms));
  return std::string(R"({"event":")") + event + R"(","seq":1,"ts":")" + ts + R"(","type":"audit"})" + "\n";
}

// make demo's case: the runner's start record, written before the Running phase change was
// seen but read after it, is shown before it.
TEST(Output, TheLiveViewIsInTimeOrder) {
  std::ostringstream stream;
  {
    Output out(stream, stream, /*raw=*/true, 1500ms);
    out.progress("[Running]\n");
    out.log(record("session_start", 400ms));
    std::this_thread::sleep_for(5ms);  // the records carry milliseconds: a later one
    out.log(record("llm_call", 0ms));
  }
  const std::string text = stream.str();
  const auto start = text.find("session_start");
  const auto running = text.find("[Running]");
  const auto llm = text.find("llm_call");
  ASSERT_NE(start, std::string::npos) << text;
  ASSERT_NE(running, std::string::npos) << text;
  ASSERT_NE(llm, std::string::npos) << text;
  EXPECT_LT(start, running) << text;
  EXPECT_LT(running, llm) << text;
}

TEST(Output, LinesAreHeldOnlyForTheWindow) {
  std::ostringstream stream;
  Output out(stream, stream, /*raw=*/false, 200ms);
  out.progress("[Pending]\n");
  // Released by the Output's own thread once older than the window (generous bound).
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (stream.str().empty() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(20ms);
  EXPECT_EQ(stream.str(), "[Pending]\n");
}

TEST(Output, DrainWritesWhatIsHeld) {
  std::ostringstream stream;
  Output out(stream, stream, /*raw=*/false, 60s);
  out.progress("[Succeeded]\n");
  out.drain();
  EXPECT_EQ(stream.str(), "[Succeeded]\n");
}

// Without a window (separate streams, `kubectl droid logs`), nothing is held.
TEST(Output, WithoutAWindowLinesGoOutAtOnce) {
  std::ostringstream progress;
  std::ostringstream logs;
  Output out(progress, logs, /*raw=*/true, 1500ms);
  out.progress("[Running]\n");
  out.log("plain line\n");
  EXPECT_EQ(progress.str(), "[Running]\n");
  EXPECT_EQ(logs.str(), "plain line\n");
}

}  // namespace
}  // namespace droid::kubectl
