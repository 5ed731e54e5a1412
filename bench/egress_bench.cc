// droid-egress-bench: what the egress gateway adds to an LLM request, and how many
// requests one core of it forwards. Figures, not a test (bench/README.md).
//
//   droid-egress-bench [--requests N] [--seconds S] [--clients C] [--tls]
//
// The scripted LLM gateway runs in this process (plain HTTP, or HTTPS with --tls);
// droid-egress runs as a child process from a sessions file (local mode)
// written here (one thread: --threads 1). The runner's own LLM client calls the
// gateway N times directly and N times through droid-egress, alternating, so both
// see the same machine load; then C clients drive droid-egress for S seconds and
// its CPU time (from /proc) gives requests per CPU-second.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "contract/egress_token.h"

#include "latency_stats.h"
#include "llm/client.h"
#include "llm/testing/scripted_gateway.h"
#include "llm/testing/test_pki.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace lt = droid::llm::testing;

struct Options {
  int requests = 300;
  int seconds = 10;
  int clients = 8;
  bool tls = false;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> int {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return std::stoi(argv[++i]);
    };
    if (a == "--requests") {
      o.requests = value();
    } else if (a == "--seconds") {
      o.seconds = value();
    } else if (a == "--clients") {
      o.clients = value();
    } else if (a == "--tls") {
      o.tls = true;
    } else {
      throw std::invalid_argument("unknown flag " + a +
                                  " (usage: droid-egress-bench [--requests N] [--seconds S] [--clients C] [--tls])");
    }
  }
  return o;
}

double cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(in, line);
  std::istringstream fields(line.substr(line.rfind(')') + 2));
  std::string f;
  long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i) {
    if (i == 14) utime = std::stol(f);
    if (i == 15) stime = std::stol(f);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Two distinct free loopback ports (both bound at once, then released for the child).
std::pair<int, int> free_ports() {
  int fds[2];
  int ports[2];
  for (int i = 0; i < 2; ++i) {
    fds[i] = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fds[i], reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) throw std::runtime_error("bind");
    socklen_t len = sizeof addr;
    ::getsockname(fds[i], reinterpret_cast<sockaddr*>(&addr), &len);
    ports[i] = ntohs(addr.sin_port);
  }
  ::close(fds[0]);
  ::close(fds[1]);
  return {ports[0], ports[1]};
}

void print_row(const char* what, const droid::bench::LatencySummary& s) {
  std::printf("  %-34s n=%-5zu p50 %8.3f ms   p99 %8.3f ms   max %8.3f ms\n", what, s.count, s.p50, s.p99, s.max);
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // figures appear as they are measured
  Options o;
  try {
    o = parse(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "droid-egress-bench: " << e.what() << "\n";
    return 2;
  }
  const auto dir = std::filesystem::temp_directory_path() / ("egress-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);

  // The LLM gateway: one turn, answered again and again.
  lt::GatewayOptions gw_options;
  gw_options.api_key = "sk-bench-key";
  std::string ca_pem;
  if (o.tls) {
    const auto ca = lt::make_ca("bench CA");
    const auto server = lt::make_certificate(ca, "llm.bench", {"DNS:llm.bench", "IP:127.0.0.1"}, true);
    lt::write_file((dir / "server.crt").string(), server.cert_pem);
    lt::write_file((dir / "server.key").string(), server.key_pem);
    lt::write_file((dir / "ca.crt").string(), ca.cert_pem);
    gw_options.listen_url = "https://127.0.0.1:0";
    gw_options.tls_cert_file = (dir / "server.crt").string();
    gw_options.tls_key_file = (dir / "server.key").string();
    ca_pem = ca.cert_pem;
  }
  lt::ScriptedGateway llm(
      lt::parse_script(nlohmann::json::parse(
          R"({"turns": [{"repeat": true, "response": {"text": "A short answer of a few words.", "chunkSize": 8}}]})")),
      gw_options);
  const int llm_port = std::stoi(llm.url().substr(llm.url().rfind(':') + 1));

  // droid-egress as a pod would run it, from files.
  const auto ports = free_ports();  // not a structured binding: lambdas capture it below
  const int egress_port = ports.first;
  const int ops_port = ports.second;
  const std::string key(40, 'k');
  const std::string uid = "0b0b0b0b-0000-4000-8000-000000000001";
  const std::string token = droid::contract::egress_token(key, {"bench", "s1", uid, "s1-runner"});
  std::filesystem::create_directories(dir / "secrets" / "llm-key");
  lt::write_file((dir / "secrets" / "llm-key" / "api-key").string(), "sk-bench-key\n");
  nlohmann::json destination = {
      {"name", "llm"},
      {"kind", "http"},
      {"hosts", {"llm.bench"}},
      {"ports", {llm_port}},
      {"scheme", o.tls ? "https" : "http"},
      {"methods", {"POST"}},
      {"pathPrefixes", {"/v1/"}},
      {"address", "127.0.0.1"},
      {"credential", {{"type", "bearer"}, {"secretRef", {{"name", "llm-key"}, {"key", "api-key"}}}}}};
  if (o.tls) destination["caBundle"] = ca_pem;
  const nlohmann::json grant = {{"version", 1},
                                {"session", {{"namespace", "bench"}, {"name", "s1"}, {"uid", uid}}},
                                {"podName", "s1-runner"},
                                {"expiresAt", "2200-01-01T00:00:00Z"},
                                {"destinations", {destination}}};
  lt::write_file((dir / "sessions.json").string(),
                 nlohmann::json{{"tokenKey", key},
                                {"secretsDir", (dir / "secrets").string()},
                                {"sessions", {{{"podIP", "127.0.0.1"}, {"grant", grant}}}}}
                     .dump());
  const pid_t egress = ::fork();
  if (egress == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, STDOUT_FILENO);  // the audit lines
    const std::string sessions = (dir / "sessions.json").string();
    const std::string listen = "127.0.0.1:" + std::to_string(egress_port);
    const std::string ops = "127.0.0.1:" + std::to_string(ops_port);
    ::execl(DROID_EGRESS_BIN, "droid-egress", "--sessions-file", sessions.c_str(), "--listen", listen.c_str(),
            "--ops-listen", ops.c_str(), "--threads", "1", "--otlp-endpoint", "", static_cast<char*>(nullptr));
    ::_exit(127);
  }

  int status = 0;
  try {
    auto config_for = [&](bool through_egress) {
      droid::llm::GatewayConfig c;
      c.retry.max_attempts = 1;
      if (through_egress) {
        c.base_url = "http://llm.bench:" + std::to_string(llm_port) + "/v1";
        c.api_key = "placeholder";
        c.proxy.http_proxy = "http://s:" + token + "@127.0.0.1:" + std::to_string(egress_port);
      } else {
        c.base_url = llm.url() + "/v1";
        c.api_key = "sk-bench-key";
        c.ca_pem = ca_pem;
      }
      return c;
    };
    droid::llm::Request request;
    request.model = "m";
    request.messages = {droid::llm::Message::user("hello")};
    auto direct = droid::llm::make_client(config_for(false));
    auto via = droid::llm::make_client(config_for(true));
    // Wait for droid-egress to listen (its first request may be refused while it starts).
    for (int i = 0;; ++i) {
      try {
        via->complete(request);
        break;
      } catch (const std::exception& e) {
        if (i == 100) {
          std::cerr << "droid-egress-bench: droid-egress does not answer: " << e.what() << "\n";
          ::kill(egress, SIGTERM);
          return 1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }

    std::printf("egress latency: %d requests each way, alternating, upstream %s, droid-egress with 1 thread\n",
                o.requests, o.tls ? "HTTPS (a TLS handshake per request through the gateway)" : "HTTP");
    for (const bool stream : {false, true}) {
      std::vector<double> d_ms, v_ms;
      for (int i = 0; i < o.requests; ++i) {
        for (const bool through : {false, true}) {
          auto& client = through ? *via : *direct;
          const auto t0 = Clock::now();
          if (stream) {
            client.complete(request, [](std::string_view) {});
          } else {
            client.complete(request);
          }
          (through ? v_ms : d_ms).push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        }
      }
      const auto ds = droid::bench::summarize(d_ms), vs = droid::bench::summarize(v_ms);
      std::printf(" %s\n", stream ? "streamed (SSE)" : "non-streamed");
      print_row("direct", ds);
      print_row("through droid-egress", vs);
      std::printf("  %-34s       p50 %+8.3f ms   p99 %+8.3f ms\n", "added", vs.p50 - ds.p50, vs.p99 - ds.p99);
    }

    // Throughput: C clients for S seconds through droid-egress; its CPU time from /proc.
    std::atomic<bool> stop{false};
    std::atomic<long> done{0}, failed{0};
    std::vector<std::thread> threads;
    threads.reserve(static_cast<std::size_t>(o.clients));
    const double cpu0 = cpu_seconds(egress);
    const auto t0 = Clock::now();
    for (int c = 0; c < o.clients; ++c) {
      threads.emplace_back([&] {
        auto client = droid::llm::make_client(config_for(true));
        while (!stop) {
          try {
            client->complete(request);
            ++done;
          } catch (const std::exception&) {
            ++failed;
          }
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::seconds(o.seconds));
    stop = true;
    for (auto& t : threads) t.join();
    const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
    const double cpu = cpu_seconds(egress) - cpu0;
    std::printf(
        "egress throughput: %d clients for %.1f s: %ld requests (%ld failed), %.0f requests/s, droid-egress CPU "
        "%.2f s (%.0f%% of one core): %.0f requests per CPU-second (the rate that saturates one core)\n",
        o.clients, wall, done.load(), failed.load(), static_cast<double>(done) / wall, cpu, 100 * cpu / wall,
        cpu > 0 ? static_cast<double>(done) / cpu : 0.0);
  } catch (const std::exception& e) {
    std::cerr << "droid-egress-bench: " << e.what() << "\n";
    status = 1;
  }
  ::kill(egress, SIGTERM);
  ::waitpid(egress, nullptr, 0);
  std::filesystem::remove_all(dir);
  return status;
}
