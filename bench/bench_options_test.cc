#include "bench_options.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace droid::bench {
namespace {

TEST(BenchOptions, DefaultsRunTheWholeBenchmark) {
  const BenchOptions o = parse_bench_options({});
  EXPECT_EQ(o.sessions, (std::vector<int>{100, 1000}));
  EXPECT_EQ(o.rss, (std::vector<int>{1000, 5000}));
  EXPECT_EQ(o.workers, 4);
  EXPECT_EQ(o.session_workers, 0) << "the operator's own default";
  EXPECT_FALSE(o.baseline_apply);
  EXPECT_FALSE(o.show_help);
}

TEST(BenchOptions, TakesSeparateAndEqualsValues) {
  const BenchOptions o = parse_bench_options({"--sessions", "10,20", "--rss=30", "--workers=2", "--operator", "/x/op",
                                              "--kubeconfig=/k", "--baseline-apply", "--timeout", "60"});
  EXPECT_EQ(o.sessions, (std::vector<int>{10, 20}));
  EXPECT_EQ(o.rss, (std::vector<int>{30}));
  EXPECT_EQ(o.workers, 2);
  EXPECT_EQ(o.operator_path, "/x/op");
  EXPECT_EQ(o.kubeconfig, "/k");
  EXPECT_TRUE(o.baseline_apply);
  EXPECT_EQ(o.timeout_seconds, 60);
}

TEST(BenchOptions, AStackRunsTheNodeTierFigure) {
  EXPECT_TRUE(parse_bench_options({}).stack_info.empty()) << "the control-plane phases by default";
  EXPECT_EQ(parse_bench_options({}).node_sessions, 20) << "the issue's 20 sessions";
  const BenchOptions o = parse_bench_options({"--stack", "/c/stack/stack.json", "--node-sessions=5"});
  EXPECT_EQ(o.stack_info, "/c/stack/stack.json");
  EXPECT_EQ(o.node_sessions, 5);
  EXPECT_THROW(parse_bench_options({"--node-sessions", "0"}), std::invalid_argument);
  EXPECT_THROW(parse_bench_options({"--stack"}), std::invalid_argument);
}

TEST(BenchOptions, AnEmptyRssListSkipsThatPhase) { EXPECT_TRUE(parse_bench_options({"--rss="}).rss.empty()); }

TEST(BenchOptions, RefusesWhatItCannotUse) {
  EXPECT_THROW(parse_bench_options({"--sessions", "10,x"}), std::invalid_argument);
  EXPECT_THROW(parse_bench_options({"--sessions", "10,"}), std::invalid_argument);
  EXPECT_THROW(parse_bench_options({"--sessions", "0"}), std::invalid_argument);
  EXPECT_THROW(parse_bench_options({"--workers", "-1"}), std::invalid_argument);
  EXPECT_THROW(parse_bench_options({"--workers", "65"}), std::invalid_argument);
  EXPECT_THROW(parse_bench_options({"--session-workers", "65"}), std::invalid_argument);
  EXPECT_EQ(parse_bench_options({"--session-workers=16"}).session_workers, 16);
  EXPECT_THROW(parse_bench_options({"--workers"}), std::invalid_argument);
  EXPECT_THROW(parse_bench_options({"--no-such-flag"}), std::invalid_argument);
  EXPECT_THROW(parse_bench_options({"--baseline-apply=yes"}), std::invalid_argument);
  EXPECT_THROW(parse_bench_options({"--timeout", "0"}), std::invalid_argument);
  EXPECT_THROW(parse_bench_options({"--creators", "65"}), std::invalid_argument);
  EXPECT_THROW(parse_bench_options({"stray"}), std::invalid_argument);
  EXPECT_THROW(parse_bench_options({"--sessions", "10", "--sessions", "20"}), std::invalid_argument);
  EXPECT_TRUE(parse_bench_options({"-h"}).show_help);
}

TEST(BenchOptions, ParseIntListNamesTheFlag) {
  try {
    parse_int_list("--rss", "5,abc");
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("--rss"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("abc"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace droid::bench
