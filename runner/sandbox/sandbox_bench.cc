// sandbox_bench [N] [COMMAND]: runs COMMAND (default /bin/true) N times (default
// 500) under the sandbox and N times with a bare fork/execve/waitpid, in the
// same run, interleaved, and prints mean/p50/p99 wall time of each and the ratios.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <numeric>
#include <string>
#include <vector>

#include "sandbox/sandbox.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace sb = droid::runner::sandbox;

double micros(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

struct Stats {
  double mean, p50, p99;
};

Stats stats(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  auto at = [&](double q) {
    return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
  };
  return {std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size()), at(0.50), at(0.99)};
}

bool bare_run(const char* path) {
  pid_t pid = fork();
  if (pid == 0) {
    char* const argv[] = {const_cast<char*>(path), nullptr};
    char* const envp[] = {nullptr};
    execve(path, argv, envp);
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? static_cast<int>(std::strtol(argv[1], nullptr, 10)) : 500;
  const std::string command = argc > 2 ? argv[2] : "/bin/true";
  if (n <= 0) return 2;
  std::string ws = (std::filesystem::temp_directory_path() / "droid-sandbox-bench-XXXXXX").string();
  if (mkdtemp(ws.data()) == nullptr) return 1;
  sb::Spec spec;
  spec.argv = {command};
  spec.workspace = ws;
  int abi = 0;
  std::vector<double> sandboxed, bare;
  for (int i = 0; i < n; ++i) {
    auto t0 = Clock::now();
    sb::Outcome o = sb::run_sandboxed(spec);
    auto t1 = Clock::now();
    if (o.exit_code != 0) {
      std::fprintf(stderr, "sandboxed run failed: %d %s %s\n", o.exit_code, o.error.c_str(), o.err.c_str());
      return 1;
    }
    abi = o.landlock_abi;
    if (!bare_run(command.c_str())) return 1;
    auto t2 = Clock::now();
    sandboxed.push_back(micros(t1 - t0));
    bare.push_back(micros(t2 - t1));
  }
  // The share of the Landlock ruleset (path expansion and rules) in that cost.
  std::vector<double> ruleset;
  sb::FsPolicy policy;
  policy.writable = {ws};
  policy.readable = sb::default_readable_paths();
  policy.device_files = sb::default_device_files();
  policy.denied = sb::default_denied_paths();
  for (int i = 0; i < n; ++i) {
    auto t0 = Clock::now();
    sb::Ruleset r = sb::build_ruleset(policy);
    ruleset.push_back(micros(Clock::now() - t0));
  }
  std::filesystem::remove_all(ws);
  Stats s = stats(sandboxed), b = stats(bare);
  std::printf("%s, %d runs each, Landlock ABI %d\n", command.c_str(), n, abi);
  std::printf("%-16s %10s %10s %10s  (microseconds)\n", "", "mean", "p50", "p99");
  std::printf("%-16s %10.0f %10.0f %10.0f\n", "sandboxed", s.mean, s.p50, s.p99);
  std::printf("%-16s %10.0f %10.0f %10.0f\n", "bare fork/exec", b.mean, b.p50, b.p99);
  std::printf("%-16s %10.1f %10.1f %10.1f\n", "ratio", s.mean / b.mean, s.p50 / b.p50, s.p99 / b.p99);
  std::printf("%-16s %10.0f %10.0f %10.0f\n", "added cost", s.mean - b.mean, s.p50 - b.p50, s.p99 - b.p99);
  Stats r = stats(ruleset);
  std::printf("%-16s %10.0f %10.0f %10.0f\n", "of which ruleset", r.mean, r.p50, r.p99);
  return 0;
}
