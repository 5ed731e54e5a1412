// policy_bench: the latency of one policy decision (Policy::check, what
// `droid-runner policy check` runs after loading settings) over every command
// of the corpus, many times, next to a baseline in the same run: splitting the
// same commands on whitespace. Prints p50/p99/max in microseconds.
//   policy_bench [ITERATIONS] [CORPUS.tsv]
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

std::vector<std::string> load_commands(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::size_t tab = line.rfind('\t');
    if (tab == std::string::npos) continue;
    std::string cmd = line.substr(tab + 1);
    // The corpus writes newlines and tabs as \n and \t.
    std::string decoded;
    for (std::size_t i = 0; i < cmd.size(); ++i) {
      if (cmd[i] == '\\' && i + 3 < cmd.size() && cmd[i + 1] == 'x' &&
          std::isxdigit(static_cast<unsigned char>(cmd[i + 2])) &&
          std::isxdigit(static_cast<unsigned char>(cmd[i + 3]))) {
        decoded += static_cast<char>(std::stoi(cmd.substr(i + 2, 2), nullptr, 16));
        i += 3;
        continue;
      }
      if (cmd[i] == '\\' && i + 1 < cmd.size() && (cmd[i + 1] == 'n' || cmd[i + 1] == 't')) {
        decoded += cmd[i + 1] == 'n' ? '\n' : '\t';
        ++i;
      } else {
        decoded += cmd[i];
      }
    }
    out.push_back(decoded);
  }
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
  std::string corpus = argc > 2 ? argv[2] : std::string(DROID_POLICY_TESTDATA) + "/corpus.tsv";
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
  std::printf("commands: %zu, iterations: %d, samples: %zu (sink %zu)\n", commands.size(), iterations, check_us.size(),
              sink);
  std::printf("policy check      p50 %8.2f us  p99 %8.2f us  max %8.2f us\n", c.p50, c.p99, c.max);
  std::printf("whitespace split  p50 %8.2f us  p99 %8.2f us  max %8.2f us\n", b.p50, b.p99, b.max);
  std::printf("ratio (check/split)  p50 %.1fx  p99 %.1fx\n", c.p50 / b.p50, c.p99 / b.p99);
  std::printf("target: p99 < 100 us: %s\n", c.p99 < 100.0 ? "met" : "NOT met");
  return 0;
}
