// The reflector's retry loop without a server: against an address where nothing
// listens it must count failures, back off, never report synced, and stop promptly.
// (Its behaviour against a real API server is in tests/e2e/kube.)
#include "kube/reflector.h"

#include "kube/client.h"

#include <atomic>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

namespace droid::kube {
namespace {

using namespace std::chrono_literals;

TEST(Reflector, RetriesWithBackoffAndStopsPromptly) {
  Config config;
  config.server = "https://127.0.0.1:1";  // connection refused
  Client client(config, {.request_timeout = std::chrono::seconds(5)});
  std::atomic<int> errors{0};
  ReflectorHandlers handlers;
  handlers.on_error = [&](const std::string& e) {
    EXPECT_NE(e.find("configmaps: "), std::string::npos) << e;
    ++errors;
  };
  ReflectorOptions options;
  options.backoff = {.initial = 10ms, .max = 40ms, .factor = 2.0, .jitter = 0.0};
  Reflector reflector(client, kConfigMaps, options, nullptr, handlers);
  reflector.start();
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (errors.load() < 4 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
  EXPECT_GE(errors.load(), 4);
  EXPECT_FALSE(reflector.synced());
  EXPECT_FALSE(reflector.wait_for_sync(1ms));
  const auto stats = reflector.stats();
  EXPECT_EQ(stats.lists, 0);
  EXPECT_EQ(stats.watches, 0);  // never watches before a list succeeded
  EXPECT_GE(stats.errors, 4);

  // A long backoff in progress does not delay stop().
  ReflectorOptions slow;
  slow.backoff = {.initial = 60s, .max = 60s, .factor = 2.0, .jitter = 0.0};
  Reflector sleeping(client, kConfigMaps, slow, nullptr);
  sleeping.start();
  while (sleeping.stats().errors < 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  const auto start = std::chrono::steady_clock::now();
  sleeping.stop();
  reflector.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  sleeping.stop();  // idempotent
}

}  // namespace
}  // namespace droid::kube
