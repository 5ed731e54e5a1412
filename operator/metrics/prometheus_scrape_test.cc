// A real Prometheus server (/usr/bin/prometheus, installed by `make setup`)
// scrapes the ops server every second; the test queries its HTTP API and checks
// the values it set through Metrics, including one changed after the first scrape.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "metrics/metrics.h"
#include "metrics/ops_server.h"
#include "metrics/test_http.h"
#include "process/subprocess.h"

namespace droid::op {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr const char* kPrometheus = "/usr/bin/prometheus";
constexpr const char* kPromtool = "/usr/bin/promtool";  // from the same Debian package
constexpr const char* kJob = "droid-operator";

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Percent-encodes a PromQL expression for a query string.
std::string url_encode(const std::string& text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// A Prometheus server run as a child process in its own process group, with its
// config, TSDB and log in a private temporary directory. The destructor kills it
// (SIGTERM, then SIGKILL) and removes the directory, also when a test fails.
class PrometheusServer {
 public:
  PrometheusServer(std::uint16_t target_port, std::uint16_t web_port) : port_(web_port) {
    std::string templ = (fs::temp_directory_path() / "droid-prometheus-XXXXXX").string();
    if (::mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = templ;
    {
      std::ofstream config(dir_ / "prometheus.yml");
      config << "global:\n"
             << "  scrape_interval: 1s\n"
             << "  evaluation_interval: 1s\n"
             << "scrape_configs:\n"
             << "  - job_name: " << kJob << "\n"
             << "    scrape_interval: 1s\n"
             << "    scrape_timeout: 1s\n"
             << "    static_configs:\n"
             << "      - targets: ['127.0.0.1:" << target_port << "']\n";
    }
    const std::vector<std::string> args = {
        kPrometheus,
        "--config.file=" + (dir_ / "prometheus.yml").string(),
        "--storage.tsdb.path=" + (dir_ / "data").string(),
        "--web.listen-address=127.0.0.1:" + std::to_string(web_port),
    };
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    // Everything the child needs is prepared before fork: after it, only
    // async-signal-safe calls (this process has cpprestsdk threads).
    const int log_fd = ::open((dir_ / "prometheus.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (log_fd < 0 || null_fd < 0) throw std::runtime_error("cannot open the Prometheus log or /dev/null");
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setpgid(0, 0);
      ::dup2(null_fd, 0);
      ::dup2(log_fd, 1);
      ::dup2(log_fd, 2);
      ::execv(kPrometheus, argv.data());
      ::_exit(127);
    }
    ::close(log_fd);
    ::close(null_fd);
    if (pid_ < 0) throw std::runtime_error("fork failed");
    ::setpgid(pid_, pid_);  // also from the parent, so the group exists before any kill
  }

  ~PrometheusServer() {
    if (pid_ > 0 && !reaped_) {
      ::kill(-pid_, SIGTERM);
      const auto deadline = Clock::now() + std::chrono::seconds(10);
      while (!exited() && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(50));
      if (!reaped_) {
        ::kill(-pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
      }
    }
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  PrometheusServer(const PrometheusServer&) = delete;
  PrometheusServer& operator=(const PrometheusServer&) = delete;

  // True once the child is gone (reaps it).
  bool exited() {
    if (reaped_) return true;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      reaped_ = true;
      exit_status_ = status;
    }
    return reaped_;
  }

  std::string exit_description() const {
    if (!reaped_) return "running";
    if (WIFEXITED(exit_status_)) return "exited " + std::to_string(WEXITSTATUS(exit_status_));
    return "killed by signal " + std::to_string(WTERMSIG(exit_status_));
  }

  std::string log() const { return read_file(dir_ / "prometheus.log"); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // GET /api/v1/query for an instant vector; returns the "data.result" array, or
  // nullopt while the server does not answer (still starting).
  std::optional<nlohmann::json> query(const std::string& promql) const {
    testing::HttpReply reply;
    try {
      reply = testing::http_request("GET", url(), "/api/v1/query?query=" + url_encode(promql));
    } catch (const std::exception&) {
      return std::nullopt;
    }
    if (reply.status != 200) return std::nullopt;
    const auto body = nlohmann::json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded() || body.value("status", "") != "success") return std::nullopt;
    return body.at("data").at("result");
  }

  // The single value of an instant vector with exactly one element.
  std::optional<double> scalar(const std::string& promql) const {
    const auto result = query(promql);
    if (!result || result->size() != 1) return std::nullopt;
    return std::stod(result->at(0).at("value").at(1).get<std::string>());
  }

  std::string targets() const {
    try {
      return testing::http_request("GET", url(), "/api/v1/targets").body;
    } catch (const std::exception& e) {
      return std::string("(targets unavailable: ") + e.what() + ")";
    }
  }

 private:
  std::uint16_t port_;
  fs::path dir_;
  pid_t pid_ = -1;
  bool reaped_ = false;
  int exit_status_ = 0;
};

// Polls `condition` every 100 ms until it holds or `timeout` passes.
bool wait_for(const std::function<bool()>& condition, std::chrono::seconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return condition();
}

TEST(PrometheusScrape, ARealPrometheusScrapesTheOpsServer) {
  ASSERT_TRUE(fs::exists(kPrometheus)) << kPrometheus
                                       << " is missing: run `make setup` (scripts/setup.sh installs the Debian "
                                          "package prometheus) - this test needs the real server";

  Metrics metrics;
  metrics.set_sessions_by_phase({{"Running", 3}, {"Pending", 2}, {"Failed", 1}});
  for (int i = 0; i < 5; ++i) metrics.observe_reconcile("session", 0.004, false);
  metrics.observe_reconcile("session", 0.8, true);
  metrics.observe_reconcile("policy", 0.002, true);
  metrics.observe_session_start(Metrics::kStagePodCreated, 0.2);
  metrics.observe_session_start(Metrics::kStageRunning, 7);
  metrics.set_queue_depth("session", 12);
  metrics.inc_watch_relists("droidsessions");
  metrics.set_leader(true);

  OpsServer ops(metrics, {.address = {"127.0.0.1", testing::free_port()},
                          .readiness =
                              [] {
                                return std::pair{true, std::string()};
                              },
                          .liveness = {}});
  ops.start();
  PrometheusServer prom(ops.address().port, testing::free_port());
  const auto diagnostics = [&prom] {
    return "\n--- exit status: " + prom.exit_description() + "\n--- targets ---\n" + prom.targets() +
           "\n--- prometheus log ---\n" + prom.log();
  };

  const std::string up = std::string("up{job=\"") + kJob + "\"}";
  const bool scraped = wait_for(
      [&] {
        if (prom.exited()) return true;  // reported below
        const auto value = prom.scalar(up);
        return value && *value == 1.0;
      },
      std::chrono::seconds(90));
  ASSERT_FALSE(prom.exited()) << "prometheus exited early" << diagnostics();
  ASSERT_TRUE(scraped) << "the target never came up" << diagnostics();

  EXPECT_EQ(prom.scalar("droid_sessions{phase=\"Running\"}"), 3.0) << diagnostics();
  EXPECT_EQ(prom.scalar("droid_sessions{phase=\"Pending\"}"), 2.0);
  EXPECT_EQ(prom.scalar("droid_sessions{phase=\"Cancelled\"}"), 0.0);
  EXPECT_EQ(prom.scalar("count(droid_sessions)"), 8.0);
  EXPECT_EQ(prom.scalar("sum(droid_sessions)"), 6.0);
  EXPECT_EQ(prom.scalar("sum(droid_reconcile_total)"), 7.0);
  EXPECT_EQ(prom.scalar("sum by (result) (droid_reconcile_total{result=\"error\"})"), 2.0);
  EXPECT_EQ(prom.scalar("droid_reconcile_errors_total{controller=\"session\"}"), 1.0);
  EXPECT_EQ(prom.scalar("droid_reconcile_duration_seconds_count{controller=\"session\"}"), 6.0);
  EXPECT_EQ(prom.scalar("droid_reconcile_duration_seconds_bucket{controller=\"session\",le=\"0.005\"}"), 5.0);
  // Five of six observations are at 4 ms: the median lies in the (2.5 ms, 5 ms] bucket.
  const auto median = prom.scalar(
      "histogram_quantile(0.5, sum by (le) (droid_reconcile_duration_seconds_bucket{controller=\"session\"}))");
  ASSERT_TRUE(median.has_value());
  EXPECT_GT(*median, 0.0025);
  EXPECT_LE(*median, 0.005);
  EXPECT_EQ(prom.scalar("droid_session_start_seconds_count{stage=\"running\"}"), 1.0);
  EXPECT_EQ(prom.scalar("droid_session_start_seconds_sum{stage=\"pod_created\"}"), 0.2);
  EXPECT_EQ(prom.scalar("droid_workqueue_depth{controller=\"session\"}"), 12.0);
  EXPECT_EQ(prom.scalar("droid_watch_relists_total{resource=\"droidsessions\"}"), 1.0);
  EXPECT_EQ(prom.scalar("droid_leader"), 1.0);

  const auto build = prom.query("droid_build_info");
  ASSERT_TRUE(build.has_value());
  ASSERT_EQ(build->size(), 1u) << build->dump();
  EXPECT_EQ(build->at(0).at("metric").value("version", ""), DROID_VERSION);

  // A change after the first scrape shows up at a later scrape.
  metrics.set_sessions_by_phase({{"Running", 5}, {"Succeeded", 9}});
  metrics.set_leader(false);
  const bool updated = wait_for(
      [&] { return prom.scalar("droid_sessions{phase=\"Running\"}") == 5.0 && prom.scalar("droid_leader") == 0.0; },
      std::chrono::seconds(20));
  EXPECT_TRUE(updated) << diagnostics();
  EXPECT_EQ(prom.scalar("droid_sessions{phase=\"Pending\"}"), 0.0);
  EXPECT_EQ(prom.scalar("droid_sessions{phase=\"Succeeded\"}"), 9.0);
}

// promtool's linter (naming, units, help, types) accepts every family, each with
// series, as served on /metrics.
TEST(PrometheusScrape, PromtoolFindsNoProblemInTheExposition) {
  ASSERT_TRUE(fs::exists(kPromtool)) << kPromtool << " is missing: run `make setup` (Debian package prometheus)";
  Metrics metrics;
  metrics.set_sessions_by_phase({{"Running", 1}});
  metrics.observe_reconcile("session", 0.01, true);
  metrics.observe_session_start(Metrics::kStagePodCreated, 0.1);
  metrics.observe_session_start(Metrics::kStageRunning, 3);
  metrics.set_queue_depth("session", 1);
  metrics.inc_queue_retries("session");
  metrics.inc_watch_restarts("pods");
  metrics.inc_watch_relists("pods");
  metrics.set_leader(true);
  metrics.inc_events_dropped();
  metrics.inc_admission("CREATE", false);
  const std::string text = metrics.serialize();
  for (const char* family :
       {"droid_build_info", "droid_sessions", "droid_reconcile_duration_seconds", "droid_reconcile_total",
        "droid_reconcile_errors_total", "droid_session_start_seconds", "droid_workqueue_depth",
        "droid_workqueue_retries_total", "droid_watch_restarts_total", "droid_watch_relists_total", "droid_leader",
        "droid_events_dropped_total", "droid_admission_reviews_total"}) {
    EXPECT_NE(text.find(std::string("# TYPE ") + family + " "), std::string::npos) << family;
  }
  const auto result = droid::process::run({kPromtool, "check", "metrics"}, text, std::chrono::seconds(30));
  EXPECT_TRUE(result.ok()) << result.describe();
  EXPECT_EQ(result.out + result.err, "") << result.describe();
}

}  // namespace
}  // namespace droid::op
