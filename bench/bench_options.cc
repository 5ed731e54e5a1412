#include "bench_options.h"

#include <stdexcept>

#include "cli/flags.h"

namespace droid::bench {
namespace {

int parse_positive(const std::string& flag, const std::string& text) {
  std::size_t used = 0;
  int v = 0;
  try {
    v = std::stoi(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || v <= 0)
    throw std::invalid_argument(flag + ": expected a positive integer, got '" + text + "'");
  return v;
}

}  // namespace

std::vector<int> parse_int_list(const std::string& flag, const std::string& text) {
  std::vector<int> out;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t comma = text.find(',', start);
    const std::size_t end = comma == std::string::npos ? text.size() : comma;
    out.push_back(parse_positive(flag, text.substr(start, end - start)));
    if (comma == std::string::npos) break;
    start = comma + 1;
    if (start == text.size()) {
      std::string message = flag;
      message += ": trailing comma in '";
      message += text;
      message += "'";
      throw std::invalid_argument(message);
    }
  }
  return out;
}

BenchOptions parse_bench_options(const std::vector<std::string>& args) {
  BenchOptions o;
  cli::Flags f({{"kubeconfig", cli::Flags::Value},
                {"operator", cli::Flags::Value},
                {"sessions", cli::Flags::Value},
                {"rss", cli::Flags::Value},
                {"workers", cli::Flags::Value},
                {"session-workers", cli::Flags::Value},
                {"creators", cli::Flags::Value},
                {"log-dir", cli::Flags::Value},
                {"timeout", cli::Flags::Value},
                {"stack", cli::Flags::Value},
                {"node-sessions", cli::Flags::Value},
                {"baseline-apply", cli::Flags::Bool},
                {"help", cli::Flags::Bool}});
  std::vector<std::string> spelled;
  spelled.reserve(args.size());
  for (const auto& a : args) spelled.push_back(a == "-h" ? "--help" : a);
  f.parse(spelled);  // cli::FlagError is a std::invalid_argument naming the flag
  if (!f.positional().empty())
    throw std::invalid_argument("unexpected argument '" + f.positional().front() + "' (see --help)");
  o.show_help = f.has("help");
  o.baseline_apply = f.has("baseline-apply");
  o.kubeconfig = f.value("kubeconfig");
  o.operator_path = f.value("operator");
  o.log_dir = f.value("log-dir", o.log_dir);
  if (f.has("sessions")) o.sessions = parse_int_list("--sessions", f.value("sessions"));
  if (f.has("rss")) o.rss = parse_int_list("--rss", f.value("rss"));
  o.workers = static_cast<int>(f.integer("workers", o.workers, 1, 64));
  o.session_workers = static_cast<int>(f.integer("session-workers", o.session_workers, 1, 64));
  o.creators = static_cast<int>(f.integer("creators", o.creators, 1, 64));
  o.timeout_seconds = static_cast<int>(f.integer("timeout", o.timeout_seconds, 1, 86400));
  o.stack_info = f.value("stack");
  o.node_sessions = static_cast<int>(f.integer("node-sessions", o.node_sessions, 1, 1000));
  return o;
}

const char* bench_usage() {
  return R"(droid-operator-bench: the operator's create-to-pod-created latency and throughput next to
a baseline client creating the same objects directly, and the operator's RSS. Needs a cluster
with the droid.dev CRDs (scripts/bench.sh sets one up); prints figures, not pass/fail.

  --kubeconfig FILE   admin kubeconfig (default: $KUBECONFIG)
  --operator PATH     droid-operator binary (default: the one of this build)
  --sessions LIST     session counts of the latency/throughput runs (default 100,1000)
  --rss LIST          session counts at which the operator's VmRSS is read (default 1000,5000; "" none)
  --workers N         the baseline's threads (default 4)
  --session-workers N operator --session-workers (default: the operator's own default)
  --creators N        threads creating DroidSessions (default 4)
  --baseline-apply    baseline uses server-side apply, as the operator does (default: POST create)
  --log-dir DIR       where the operator's log goes (default /tmp)
  --timeout SECONDS   limit of each wait (default 1800)
  --stack FILE        only the node-tier figure (what a developer waits for), on a cluster with a
                      node and scripts/cluster/stack.sh's test bed (its stack.json): sessions
                      created at once, create -> pod Running, session Running, first LLM request
                      at the gateway, Succeeded, p50/p99 (scripts/bench.sh --node runs it)
  --node-sessions N   the node-tier figure's sessions (default 20)
)";
}

}  // namespace droid::bench
