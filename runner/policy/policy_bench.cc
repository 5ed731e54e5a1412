// policy_bench: the latency of one policy decision (Policy::check, what
// `droid-runner policy check` runs after loading settings) over every command
// of the corpus, many times, next to a baseline in the same run: splitting the
// same commands on whitespace. Prints p50/p99/max in microseconds.
//   policy_bench [ITERATIONS] [CORPUS.tsv of testdata/; default: every corpus]
//   policy_bench --check AUTONOMY 'CMD'   (prints one verdict, for debugging)
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "policy/corpus.h"
#include "policy/policy.h"

namespace {

using droid::runner::policy::Autonomy;
using droid::runner::policy::Policy;

const char* kSettings = R"({
  "commandAllowlist": ["git status", "npm test", "make"],
  "commandDenylist": ["git push", "curl"],
  "commandBlocklist": ["rm -rf /", "rm -rf ~", "mkfs", "dd if=/dev/zero", "git push --force"]
})";

struct Stats {
  double p50, p99, max;
};

Stats stats(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  auto at = [&](double q) {
    return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
  };
  return {at(0.50), at(0.99), v.back()};
}

std::vector<std::string> load_commands(const std::string& file) {
  std::vector<std::string> out;
  for (const auto& line : droid::runner::policy::load_corpus(DROID_POLICY_TESTDATA, file))
    if (!line.kind.empty()) out.push_back(line.command);
  return out;
}

std::size_t split_words(const std::string& s, std::vector<std::string>& words) {
  words.clear();
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n')) ++i;
    std::size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != '\t' && s[j] != '\n') ++j;
    if (j > i) words.emplace_back(s, i, j - i);
    i = j;
  }
  return words.size();
}

}  // namespace

int main(int argc, char** argv) {
  Policy policy(nlohmann::json::parse(kSettings), "/workspace");
  if (argc == 4 && std::string(argv[1]) == "--check") {
    auto level = droid::runner::policy::parse_autonomy(argv[2]);
    if (!level) return 2;
    std::cout << policy.check(argv[3], *level).to_json().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
              << "\n";
    return 0;
  }
  int iterations = argc > 1 ? std::max(1, static_cast<int>(std::strtol(argv[1], nullptr, 10))) : 200;
  std::string corpus = argc > 2 ? argv[2] : std::string();  // a file of testdata/, or every corpus
  std::vector<std::string> commands = load_commands(corpus);
  if (commands.empty()) {
    std::cerr << "policy_bench: no commands in " << corpus << "\n";
    return 1;
  }
  using Clock = std::chrono::steady_clock;
  std::vector<double> check_us, split_us;
  check_us.reserve(commands.size() * static_cast<std::size_t>(iterations));
  split_us.reserve(commands.size() * static_cast<std::size_t>(iterations));
  std::size_t sink = 0;
  std::vector<std::string> words;
  for (int it = 0; it < iterations; ++it) {
    for (const auto& cmd : commands) {
      auto t0 = Clock::now();
      auto verdict = policy.check(cmd, Autonomy::Medium);
      auto t1 = Clock::now();
      sink += verdict.reasons.size();
      sink += split_words(cmd, words);
      auto t2 = Clock::now();
      check_us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
      split_us.push_back(std::chrono::duration<double, std::micro>(t2 - t1).count());
    }
  }
  Stats c = stats(check_us), b = stats(split_us);
  // Each command's median over the iterations, then percentiles across commands: a figure
  // that a loaded machine's preemptions do not dominate.
  std::vector<double> per_command, per_command_split;
  for (std::size_t k = 0; k < commands.size(); ++k) {
    std::vector<double> v, w;
    for (int it = 0; it < iterations; ++it) {
      v.push_back(check_us[static_cast<std::size_t>(it) * commands.size() + k]);
      w.push_back(split_us[static_cast<std::size_t>(it) * commands.size() + k]);
    }
    per_command.push_back(stats(v).p50);
    per_command_split.push_back(stats(w).p50);
  }
  Stats m = stats(per_command), ms = stats(per_command_split);
  std::printf("commands: %zu, iterations: %d, samples: %zu (sink %zu)\n", commands.size(), iterations, check_us.size(),
              sink);
  std::printf("policy check      p50 %8.2f us  p99 %8.2f us  max %8.2f us\n", c.p50, c.p99, c.max);
  std::printf("whitespace split  p50 %8.2f us  p99 %8.2f us  max %8.2f us\n", b.p50, b.p99, b.max);
  std::printf("ratio (check/split)  p50 %.1fx  p99 %.1fx\n", c.p50 / b.p50, c.p99 / b.p99);
  std::printf(
      "per-command median: policy check p50 %.2f us  p99 %.2f us  max %.2f us;"
      " whitespace split p99 %.2f us\n",
      m.p50, m.p99, m.max, ms.p99);
  std::printf("target: p99 < 100 us: %s (all samples), %s (per-command medians)\n", c.p99 < 100.0 ? "met" : "NOT met",
              m.p99 < 100.0 ? "met" : "NOT met");
  return 0;
}
