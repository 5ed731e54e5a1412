#include "bench_options.h"

#include <functional>
#include <map>
#include <stdexcept>

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
  const std::map<std::string, std::function<void(const std::string&, const std::string&)>> flags = {
      {"--kubeconfig", [&](auto&, auto& v) { o.kubeconfig = v; }},
      {"--operator", [&](auto&, auto& v) { o.operator_path = v; }},
      {"--sessions", [&](auto& f, auto& v) { o.sessions = parse_int_list(f, v); }},
      {"--rss", [&](auto& f, auto& v) { o.rss = parse_int_list(f, v); }},
      {"--workers", [&](auto& f, auto& v) { o.workers = parse_positive(f, v); }},
      {"--session-workers", [&](auto& f, auto& v) { o.session_workers = parse_positive(f, v); }},
      {"--creators", [&](auto& f, auto& v) { o.creators = parse_positive(f, v); }},
      {"--log-dir", [&](auto&, auto& v) { o.log_dir = v; }},
      {"--timeout", [&](auto& f, auto& v) { o.timeout_seconds = parse_positive(f, v); }},
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    std::string value;
    bool has_value = false;
    if (const auto eq = flag.find('='); flag.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
      has_value = true;
    }
    if (flag == "-h" || flag == "--help") {
      o.show_help = true;
      continue;
    }
    if (flag == "--baseline-apply") {
      if (has_value) throw std::invalid_argument("--baseline-apply takes no value");
      o.baseline_apply = true;
      continue;
    }
    const auto it = flags.find(flag);
    if (it == flags.end()) throw std::invalid_argument("unknown flag '" + flag + "' (see --help)");
    if (!has_value) {
      if (i + 1 >= args.size()) throw std::invalid_argument(flag + " needs a value");
      value = args[++i];
    }
    it->second(flag, value);
  }
  if (o.workers > 64) throw std::invalid_argument("--workers: at most 64");
  if (o.session_workers > 64) throw std::invalid_argument("--session-workers: at most 64");
  if (o.creators > 64) throw std::invalid_argument("--creators: at most 64");
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
)";
}

}  // namespace droid::bench
