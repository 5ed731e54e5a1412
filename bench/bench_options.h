// The command line of droid-operator-bench (bench/operator_bench.cc). Every
// flag has a default, so `droid-operator-bench` alone runs the full benchmark
// against $KUBECONFIG with the droid-operator of the same build.
// parse_bench_options() throws std::invalid_argument naming the flag at fault.
#pragma once
#include <string>
#include <vector>

namespace droid::bench {

struct BenchOptions {
  std::string kubeconfig;                // default: $KUBECONFIG
  std::string operator_path;             // default: the droid-operator of this build
  std::vector<int> sessions{100, 1000};  // the N of each throughput/latency run
  std::vector<int> rss{1000, 5000};      // session counts at which the operator's RSS is read
  int workers = 4;                       // the baseline's threads
  int session_workers = 0;               // operator --session-workers; 0: the operator's default
  int creators = 4;                      // threads creating DroidSessions
  bool baseline_apply = false;           // baseline: server-side apply (as the operator) instead of POST
  std::string log_dir = "/tmp";          // where the operator's log goes
  int timeout_seconds = 1800;            // per phase: waiting for pods / reconciles
  std::string stack_info;                // --stack: only the node-tier figure, on that test bed
  int node_sessions = 20;                // the node-tier figure's sessions
  bool show_help = false;
};

// "100,1000" -> {100, 1000}; every item a positive integer; "" -> {}.
std::vector<int> parse_int_list(const std::string& flag, const std::string& text);

// With libdroid/cli: "--flag value" and "--flag=value"; -h as --help.
BenchOptions parse_bench_options(const std::vector<std::string>& args);

const char* bench_usage();

}  // namespace droid::bench
