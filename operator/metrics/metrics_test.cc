#include "metrics/metrics.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <prometheus/counter.h>

namespace droid::op {
namespace {

// Samples of a text exposition: "name{labels}" -> value (comment lines skipped).
std::map<std::string, double> samples(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto space = line.rfind(' ');
    if (space == std::string::npos) continue;
    out[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return out;
}

std::optional<double> sample(const Metrics& m, const std::string& key) {
  const auto all = samples(m.serialize());
  const auto it = all.find(key);
  if (it == all.end()) return std::nullopt;
  return it->second;
}

std::size_t count_with_prefix(const std::map<std::string, double>& all, const std::string& prefix) {
  return static_cast<std::size_t>(
      std::count_if(all.begin(), all.end(), [&](const auto& kv) { return kv.first.starts_with(prefix); }));
}

TEST(Metrics, BuildInfoCarriesTheVersion) {
  Metrics m;
  EXPECT_EQ(sample(m, std::string("droid_build_info{version=\"") + DROID_VERSION + "\"}"), 1.0);
  EXPECT_NE(m.serialize().find("# TYPE droid_build_info gauge"), std::string::npos);
}

TEST(Metrics, AllEightPhasesAreExportedFromTheStart) {
  Metrics m;
  const auto all = samples(m.serialize());
  EXPECT_EQ(count_with_prefix(all, "droid_sessions{"), 8u);
  for (const char* phase :
       {"Pending", "Denied", "Running", "AwaitingApproval", "Succeeded", "Failed", "TimedOut", "Cancelled"}) {
    const auto it = all.find(std::string("droid_sessions{phase=\"") + phase + "\"}");
    ASSERT_NE(it, all.end()) << phase;
    EXPECT_EQ(it->second, 0.0) << phase;
  }
  EXPECT_EQ(Metrics::phases().size(), 8u);
}

TEST(Metrics, SessionsByPhaseSetsCountsAndZeroesMissingPhases) {
  Metrics m;
  m.set_sessions_by_phase({{"Running", 3}, {"Pending", 2}});
  EXPECT_EQ(sample(m, "droid_sessions{phase=\"Running\"}"), 3.0);
  EXPECT_EQ(sample(m, "droid_sessions{phase=\"Pending\"}"), 2.0);
  EXPECT_EQ(sample(m, "droid_sessions{phase=\"Failed\"}"), 0.0);

  m.set_sessions_by_phase({{"Succeeded", 5}});
  EXPECT_EQ(sample(m, "droid_sessions{phase=\"Running\"}"), 0.0);
  EXPECT_EQ(sample(m, "droid_sessions{phase=\"Pending\"}"), 0.0);
  EXPECT_EQ(sample(m, "droid_sessions{phase=\"Succeeded\"}"), 5.0);
  EXPECT_EQ(count_with_prefix(samples(m.serialize()), "droid_sessions{"), 8u);
}

TEST(Metrics, AnUnexpectedPhaseIsExportedThenZeroed) {
  Metrics m;
  m.set_sessions_by_phase({{"Mystery", 1}, {"Running", 1}});
  EXPECT_EQ(sample(m, "droid_sessions{phase=\"Mystery\"}"), 1.0);
  EXPECT_EQ(count_with_prefix(samples(m.serialize()), "droid_sessions{"), 9u);
  m.set_sessions_by_phase({{"Running", 2}});
  EXPECT_EQ(sample(m, "droid_sessions{phase=\"Mystery\"}"), 0.0);
  EXPECT_EQ(sample(m, "droid_sessions{phase=\"Running\"}"), 2.0);
}

TEST(Metrics, ReconcileCountsResultsErrorsAndDurations) {
  Metrics m;
  m.observe_reconcile("session", 0.002, false);
  m.observe_reconcile("session", 0.02, false);
  m.observe_reconcile("session", 0.2, false);
  m.observe_reconcile("session", 3.0, true);
  m.observe_reconcile("policy", 0.0005, true);

  const auto all = samples(m.serialize());
  const auto at = [&all](const std::string& key) {
    const auto it = all.find(key);
    return it == all.end() ? -1.0 : it->second;
  };
  EXPECT_EQ(at("droid_reconcile_total{controller=\"session\",result=\"success\"}"), 3.0);
  EXPECT_EQ(at("droid_reconcile_total{controller=\"session\",result=\"error\"}"), 1.0);
  EXPECT_EQ(at("droid_reconcile_errors_total{controller=\"session\"}"), 1.0);
  EXPECT_EQ(at("droid_reconcile_total{controller=\"policy\",result=\"success\"}"), 0.0);
  EXPECT_EQ(at("droid_reconcile_total{controller=\"policy\",result=\"error\"}"), 1.0);
  EXPECT_EQ(at("droid_reconcile_errors_total{controller=\"policy\"}"), 1.0);

  EXPECT_EQ(at("droid_reconcile_duration_seconds_count{controller=\"session\"}"), 4.0);
  EXPECT_NEAR(at("droid_reconcile_duration_seconds_sum{controller=\"session\"}"), 3.222, 1e-9);
  EXPECT_EQ(at("droid_reconcile_duration_seconds_bucket{controller=\"session\",le=\"0.001\"}"), 0.0);
  EXPECT_EQ(at("droid_reconcile_duration_seconds_bucket{controller=\"session\",le=\"0.0025\"}"), 1.0);
  EXPECT_EQ(at("droid_reconcile_duration_seconds_bucket{controller=\"session\",le=\"0.025\"}"), 2.0);
  EXPECT_EQ(at("droid_reconcile_duration_seconds_bucket{controller=\"session\",le=\"0.25\"}"), 3.0);
  EXPECT_EQ(at("droid_reconcile_duration_seconds_bucket{controller=\"session\",le=\"2.5\"}"), 3.0);
  EXPECT_EQ(at("droid_reconcile_duration_seconds_bucket{controller=\"session\",le=\"5\"}"), 4.0);
  EXPECT_EQ(at("droid_reconcile_duration_seconds_bucket{controller=\"session\",le=\"+Inf\"}"), 4.0);
  EXPECT_EQ(at("droid_reconcile_duration_seconds_bucket{controller=\"policy\",le=\"0.001\"}"), 1.0);

  const std::string text = m.serialize();
  EXPECT_NE(text.find("# TYPE droid_reconcile_duration_seconds histogram"), std::string::npos);
  EXPECT_NE(text.find("# TYPE droid_reconcile_total counter"), std::string::npos);
  EXPECT_NE(text.find("# TYPE droid_reconcile_errors_total counter"), std::string::npos);
}

TEST(Metrics, HistogramBucketsSpanTheDocumentedRanges) {
  const auto check = [](const std::vector<double>& b, double lo, double hi) {
    ASSERT_FALSE(b.empty());
    EXPECT_EQ(b.front(), lo);
    EXPECT_EQ(b.back(), hi);
    EXPECT_TRUE(std::is_sorted(b.begin(), b.end()));
    EXPECT_EQ(std::adjacent_find(b.begin(), b.end()), b.end());  // strictly increasing
    for (std::size_t i = 1; i < b.size(); ++i) EXPECT_LE(b[i] / b[i - 1], 2.5 + 1e-9) << "gap at " << b[i];
  };
  check(Metrics::reconcile_buckets(), 0.001, 10);
  check(Metrics::session_start_buckets(), 0.05, 300);

  Metrics m;
  m.init_controller("session");
  const auto all = samples(m.serialize());
  EXPECT_EQ(count_with_prefix(all, "droid_reconcile_duration_seconds_bucket{controller=\"session\""),
            Metrics::reconcile_buckets().size() + 1);  // + the +Inf bucket
  EXPECT_EQ(count_with_prefix(all, "droid_session_start_seconds_bucket{stage=\"running\""),
            Metrics::session_start_buckets().size() + 1);
}

TEST(Metrics, InitControllerCreatesEverySeriesAtZero) {
  Metrics m;
  EXPECT_EQ(sample(m, "droid_reconcile_total{controller=\"session\",result=\"error\"}"), std::nullopt);
  m.init_controller("session");
  EXPECT_EQ(sample(m, "droid_reconcile_total{controller=\"session\",result=\"error\"}"), 0.0);
  EXPECT_EQ(sample(m, "droid_reconcile_total{controller=\"session\",result=\"success\"}"), 0.0);
  EXPECT_EQ(sample(m, "droid_reconcile_errors_total{controller=\"session\"}"), 0.0);
  EXPECT_EQ(sample(m, "droid_reconcile_duration_seconds_count{controller=\"session\"}"), 0.0);
  EXPECT_EQ(sample(m, "droid_workqueue_depth{controller=\"session\"}"), 0.0);
  EXPECT_EQ(sample(m, "droid_workqueue_retries_total{controller=\"session\"}"), 0.0);
}

TEST(Metrics, SessionStartByStage) {
  Metrics m;
  m.observe_session_start(Metrics::kStagePodCreated, 0.12);
  m.observe_session_start(Metrics::kStagePodCreated, 0.3);
  m.observe_session_start(Metrics::kStageRunning, 42);
  m.observe_session_start(Metrics::kStageRunning, -0.5);  // clock skew: counted as 0
  EXPECT_EQ(sample(m, "droid_session_start_seconds_count{stage=\"pod_created\"}"), 2.0);
  EXPECT_NEAR(*sample(m, "droid_session_start_seconds_sum{stage=\"pod_created\"}"), 0.42, 1e-9);
  EXPECT_EQ(sample(m, "droid_session_start_seconds_bucket{stage=\"pod_created\",le=\"0.25\"}"), 1.0);
  EXPECT_EQ(sample(m, "droid_session_start_seconds_bucket{stage=\"pod_created\",le=\"0.5\"}"), 2.0);
  EXPECT_EQ(sample(m, "droid_session_start_seconds_count{stage=\"running\"}"), 2.0);
  EXPECT_EQ(sample(m, "droid_session_start_seconds_sum{stage=\"running\"}"), 42.0);
  EXPECT_EQ(sample(m, "droid_session_start_seconds_bucket{stage=\"running\",le=\"0.05\"}"), 1.0);
  EXPECT_EQ(sample(m, "droid_session_start_seconds_bucket{stage=\"running\",le=\"30\"}"), 1.0);
  EXPECT_EQ(sample(m, "droid_session_start_seconds_bucket{stage=\"running\",le=\"60\"}"), 2.0);
}

TEST(Metrics, QueueWatchLeaderEventsAndAdmission) {
  Metrics m;
  m.set_queue_depth("session", 17);
  m.inc_queue_retries("session");
  m.inc_queue_retries("session");
  m.inc_watch_restarts("droidsessions");
  m.inc_watch_restarts("droidsessions", 2);
  m.inc_watch_relists("pods");
  m.inc_events_dropped();
  m.inc_events_dropped(4);
  m.inc_admission("CREATE", true);
  m.inc_admission("CREATE", false);
  m.inc_admission("CREATE", false);

  EXPECT_EQ(sample(m, "droid_leader"), 0.0);
  m.set_leader(true);
  EXPECT_EQ(sample(m, "droid_leader"), 1.0);
  m.set_leader(false);
  EXPECT_EQ(sample(m, "droid_leader"), 0.0);

  EXPECT_EQ(sample(m, "droid_workqueue_depth{controller=\"session\"}"), 17.0);
  m.set_queue_depth("session", 0);
  EXPECT_EQ(sample(m, "droid_workqueue_depth{controller=\"session\"}"), 0.0);
  EXPECT_EQ(sample(m, "droid_workqueue_retries_total{controller=\"session\"}"), 2.0);
  EXPECT_EQ(sample(m, "droid_watch_restarts_total{resource=\"droidsessions\"}"), 3.0);
  EXPECT_EQ(sample(m, "droid_watch_relists_total{resource=\"droidsessions\"}"), 0.0);
  EXPECT_EQ(sample(m, "droid_watch_relists_total{resource=\"pods\"}"), 1.0);
  EXPECT_EQ(sample(m, "droid_watch_restarts_total{resource=\"pods\"}"), 0.0);
  EXPECT_EQ(sample(m, "droid_events_dropped_total"), 5.0);
  EXPECT_EQ(sample(m, "droid_admission_reviews_total{allowed=\"true\",operation=\"CREATE\"}"), 1.0);
  EXPECT_EQ(sample(m, "droid_admission_reviews_total{allowed=\"false\",operation=\"CREATE\"}"), 2.0);

  const std::string text = m.serialize();
  EXPECT_NE(text.find("# TYPE droid_leader gauge"), std::string::npos);
  EXPECT_NE(text.find("# TYPE droid_workqueue_depth gauge"), std::string::npos);
  EXPECT_NE(text.find("# TYPE droid_events_dropped_total counter"), std::string::npos);
}

TEST(Metrics, TheRegistryTakesOtherFamilies) {
  Metrics m;
  auto& family = prometheus::BuildCounter().Name("droid_extra_total").Help("extra").Register(*m.registry());
  family.Add({{"k", "v"}}).Increment(2);
  EXPECT_EQ(sample(m, "droid_extra_total{k=\"v\"}"), 2.0);
}

TEST(Metrics, ConcurrentUpdatesAreAllCounted) {
  Metrics m;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 2000;
  std::vector<std::thread> threads;
  threads.reserve(kThreads + 1);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&m, t] {
      const std::string controller = "c" + std::to_string(t % 2);  // two threads share each controller
      for (int i = 0; i < kPerThread; ++i) {
        m.observe_reconcile(controller, 0.001 * (i % 50), i % 10 == 0);
        m.inc_watch_restarts("r");
        m.set_sessions_by_phase({{"Running", static_cast<std::size_t>(i)}});
      }
    });
  }
  threads.emplace_back([&m] {
    for (int i = 0; i < 200; ++i) EXPECT_FALSE(m.serialize().empty());
  });
  for (auto& th : threads) th.join();

  const auto all = samples(m.serialize());
  for (const char* c : {"c0", "c1"}) {
    const std::string label = std::string("controller=\"") + c + "\"";
    EXPECT_EQ(all.at("droid_reconcile_total{" + label + ",result=\"success\"}"), 2 * kPerThread * 9 / 10);
    EXPECT_EQ(all.at("droid_reconcile_total{" + label + ",result=\"error\"}"), 2 * kPerThread / 10);
    EXPECT_EQ(all.at("droid_reconcile_duration_seconds_count{" + label + "}"), 2 * kPerThread);
  }
  EXPECT_EQ(all.at("droid_watch_restarts_total{resource=\"r\"}"), kThreads * kPerThread);
  EXPECT_EQ(all.at("droid_sessions{phase=\"Running\"}"), kPerThread - 1);
}

}  // namespace
}  // namespace droid::op
