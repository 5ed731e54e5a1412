#include "kube/leader_election.h"

#include <chrono>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

namespace droid::kube {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

WallClock::time_point at(int year, unsigned month, unsigned day, int h, int m, int s, int us) {
  const auto d = std::chrono::sys_days{std::chrono::year{year} / std::chrono::month{month} / std::chrono::day{day}};
  return std::chrono::time_point_cast<WallClock::duration>(d + std::chrono::hours{h} + std::chrono::minutes{m} +
                                                           std::chrono::seconds{s} + std::chrono::microseconds{us});
}

TEST(MicroTime, FormatsUtcWithSixFractionalDigits) {
  EXPECT_EQ(format_micro_time(at(2026, 11, 22, 2, 10, 0, 123456)), "2026-11-22T02:10:00.123456Z");
  EXPECT_EQ(format_micro_time(at(1999, 1, 2, 23, 59, 59, 0)), "1999-01-02T23:59:59.000000Z");
  EXPECT_EQ(format_micro_time(at(2024, 2, 29, 0, 0, 0, 7)), "2024-02-29T00:00:00.000007Z");
  // Nanoseconds are cut, not rounded (the API server keeps microseconds).
  EXPECT_EQ(format_micro_time(at(2026, 1, 1, 0, 0, 0, 999999) + std::chrono::nanoseconds(999)),
            "2026-01-01T00:00:00.999999Z");
}

TEST(MicroTime, ParsesWhatItFormats) {
  const auto t = at(2026, 11, 22, 2, 10, 0, 123456);
  EXPECT_EQ(parse_micro_time(format_micro_time(t)), t);
}

TEST(MicroTime, ParsesSecondsFractionsAndOffsets) {
  EXPECT_EQ(parse_micro_time("2026-11-22T02:10:00Z"), at(2026, 11, 22, 2, 10, 0, 0));
  EXPECT_EQ(parse_micro_time("2026-11-22T02:10:00.5Z"), at(2026, 11, 22, 2, 10, 0, 500000));
  EXPECT_EQ(parse_micro_time("2026-11-22T02:10:00.123456789Z"), at(2026, 11, 22, 2, 10, 0, 123456));
  EXPECT_EQ(parse_micro_time("2026-11-22T03:40:00.000001+01:30"), at(2026, 11, 22, 2, 10, 0, 1));
  EXPECT_EQ(parse_micro_time("2026-11-21T22:10:00-04:00"), at(2026, 11, 22, 2, 10, 0, 0));
}

TEST(MicroTime, RejectsMalformedText) {
  for (const char* bad : {"", "2026-11-22", "2026-11-22T02:10:00", "2026-11-22 02:10:00Z", "2026-13-01T00:00:00Z",
                          "2026-02-30T00:00:00Z", "2026-11-22T24:00:00Z", "2026-11-22T02:10:00.Z",
                          "2026-11-22T02:10:00Zjunk", "2026-11-22T02:10:00+0100", "20x6-11-22T02:10:00Z"}) {
    EXPECT_FALSE(parse_micro_time(bad).has_value()) << bad;
  }
}

TEST(LeaseRecord, ParsesALeaseSpec) {
  const json spec = json::parse(R"({"holderIdentity": "op-1", "leaseDurationSeconds": 15,
      "acquireTime": "2026-11-22T02:00:00.000001Z", "renewTime": "2026-11-22T02:10:00.250000Z",
      "leaseTransitions": 3})");
  const LeaseRecord r = lease_record_from_spec(spec);
  EXPECT_EQ(r.holder_identity, "op-1");
  EXPECT_EQ(r.lease_duration_seconds, 15);
  EXPECT_EQ(r.acquire_time, at(2026, 11, 22, 2, 0, 0, 1));
  EXPECT_EQ(r.renew_time, at(2026, 11, 22, 2, 10, 0, 250000));
  EXPECT_EQ(r.lease_transitions, 3);
}

TEST(LeaseRecord, MissingOrNullFieldsKeepDefaults) {
  const LeaseRecord empty = lease_record_from_spec(json::object());
  EXPECT_EQ(empty, LeaseRecord{});
  const LeaseRecord nulls = lease_record_from_spec(
      json::parse(R"({"holderIdentity": null, "leaseDurationSeconds": null, "renewTime": "not a time"})"));
  EXPECT_EQ(nulls, LeaseRecord{});
  EXPECT_EQ(lease_record_from_spec(nullptr), LeaseRecord{});
}

TEST(LeaseRecord, SerializesToTheLeaseSpecFields) {
  const LeaseRecord r{.holder_identity = "op-2",
                      .lease_duration_seconds = 3,
                      .acquire_time = at(2026, 11, 22, 2, 0, 0, 0),
                      .renew_time = at(2026, 11, 22, 2, 0, 1, 42),
                      .lease_transitions = 7};
  const json spec = lease_record_to_spec(r);
  EXPECT_EQ(spec, json::parse(R"({"holderIdentity": "op-2", "leaseDurationSeconds": 3,
      "acquireTime": "2026-11-22T02:00:00.000000Z", "renewTime": "2026-11-22T02:00:01.000042Z",
      "leaseTransitions": 7})"));
  EXPECT_EQ(lease_record_from_spec(spec), r);
  // A released lease: empty holder, no times.
  const json released = lease_record_to_spec(LeaseRecord{.lease_duration_seconds = 1});
  EXPECT_EQ(released["holderIdentity"], "");
  EXPECT_FALSE(released.contains("renewTime"));
}

TEST(LeaseExpiry, ExpiresStrictlyAfterTheDurationSinceTheLastObservedChange) {
  const auto t0 = std::chrono::steady_clock::time_point{} + 1000s;
  EXPECT_FALSE(lease_expired(t0, 15, t0));
  EXPECT_FALSE(lease_expired(t0, 15, t0 + 14999ms));
  EXPECT_FALSE(lease_expired(t0, 15, t0 + 15s));
  EXPECT_TRUE(lease_expired(t0, 15, t0 + 15s + 1ns));
  EXPECT_TRUE(lease_expired(t0, 1, t0 + 2s));  // a released lease (duration 1)
  EXPECT_TRUE(lease_expired(t0, 0, t0 + 1ns));
}

LeaderElectionConfig valid_config() { return {.lease_namespace = "ns", .lease_name = "lock", .identity = "me"}; }

std::string validation_error(const LeaderElectionConfig& c) {
  try {
    validate(c);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(LeaderElectionConfig, DefaultsAreClientGos) {
  const LeaderElectionConfig c = valid_config();
  EXPECT_EQ(c.lease_duration, 15s);
  EXPECT_EQ(c.renew_deadline, 10s);
  EXPECT_EQ(c.retry_period, 2s);
  EXPECT_EQ(validation_error(c), "");
}

TEST(LeaderElectionConfig, ShortTestDurationsAreAllowed) {
  LeaderElectionConfig c = valid_config();
  c.lease_duration = 3s;
  c.renew_deadline = 2s;
  c.retry_period = 500ms;
  EXPECT_EQ(validation_error(c), "");
}

TEST(LeaderElectionConfig, RejectsInvalidConfigsWithTheFieldNamed) {
  auto check = [](auto mutate, const std::string& expected) {
    LeaderElectionConfig c = valid_config();
    mutate(c);
    const std::string error = validation_error(c);
    EXPECT_NE(error.find(expected), std::string::npos) << "error: '" << error << "', expected: " << expected;
  };
  check([](auto& c) { c.identity.clear(); }, "identity is empty");
  check([](auto& c) { c.lease_name.clear(); }, "lease_name is empty");
  check([](auto& c) { c.lease_namespace.clear(); }, "lease_namespace is empty");
  check([](auto& c) { c.lease_duration = 1500ms; }, "lease_duration (1500 ms) must be a positive whole number");
  check([](auto& c) { c.lease_duration = 0s; }, "lease_duration (0 ms)");
  check([](auto& c) { c.renew_deadline = 15s; }, "renew_deadline (15000 ms) must be shorter than lease_duration");
  check([](auto& c) { c.renew_deadline = 0s; }, "renew_deadline (0 ms) must be positive");
  check([](auto& c) { c.retry_period = -1s; }, "retry_period (-1000 ms) must be positive");
  check([](auto& c) { c.retry_period = 10s; }, "must be longer than retry_period (10000 ms) times the jitter");
  // client-go's rule: renew_deadline > 1.2 * retry_period.
  check([](auto& c) { c.retry_period = 8500ms; }, "times the jitter factor 1.2");
}

TEST(LeaderElector, ConstructorValidates) {
  // Validation happens before the client is used, so an unreachable server is fine.
  Config config;
  config.server = "https://127.0.0.1:1";
  Client client(config);
  LeaderElectionConfig c = valid_config();
  c.identity.clear();
  EXPECT_THROW(LeaderElector(client, c), std::invalid_argument);
  LeaderElector elector(client, valid_config());
  EXPECT_FALSE(elector.is_leader());
  EXPECT_EQ(elector.leader(), "");
  elector.stop();  // never started: a no-op
}

}  // namespace
}  // namespace droid::kube
