// The test bed's real OpenTelemetry Collector (scripts/build-tools.sh otelcol;
// its path in DROID_OTELCOL) for tests: it receives OTLP/HTTP on a free
// loopback port and writes everything it gets, as OTLP JSON lines, to
// DIR/otlp.jsonl with its file exporter (its own log: DIR/collector.log).
//
//   Collector c(dir, "", "");                  // or a TLS certificate and key
//   ... send to c.endpoint() ...
//   wait_for([&] { return read_file(c.output()).find("session") != npos; }, 60s);
// Throws std::runtime_error, saying how to build it, when DROID_OTELCOL is
// missing, and with the collector's log when it does not start.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>

namespace droid::runner::telemetry::testing {

std::string read_file(const std::filesystem::path& path);
int free_port();
// Polls `done` every 100 ms until it holds or `timeout` passes.
bool wait_for(const std::function<bool()>& done, std::chrono::seconds timeout);

class Collector {
 public:
  // With `tls_cert`/`tls_key` (PEM files) the receiver serves HTTPS.
  Collector(const std::filesystem::path& dir, const std::string& tls_cert, const std::string& tls_key);
  ~Collector();
  Collector(const Collector&) = delete;
  Collector& operator=(const Collector&) = delete;

  std::string endpoint() const { return (tls_ ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port_); }
  std::filesystem::path output() const { return dir_ / "otlp.jsonl"; }
  std::filesystem::path log_path() const { return dir_ / "collector.log"; }

 private:
  std::filesystem::path dir_;
  int port_;
  bool tls_;
  pid_t pid_ = -1;
};

}  // namespace droid::runner::telemetry::testing
