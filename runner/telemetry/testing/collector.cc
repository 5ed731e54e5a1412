#include "telemetry/testing/collector.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

extern char** environ;

namespace droid::runner::telemetry::testing {

namespace fs = std::filesystem;
using std::chrono::steady_clock;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::runtime_error("cannot find a free port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

namespace {

bool accepts_connections(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

bool wait_for(const std::function<bool()>& done, std::chrono::seconds timeout) {
  const auto deadline = steady_clock::now() + timeout;
  while (!done()) {
    if (steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return true;
}

Collector::Collector(const fs::path& dir, const std::string& tls_cert, const std::string& tls_key)
    : dir_(dir), port_(free_port()), tls_(!tls_cert.empty()) {
  const char* binary = std::getenv("DROID_OTELCOL");  // NOLINT(concurrency-mt-unsafe): test setup
  if (binary == nullptr || *binary == '\0') {
    throw std::runtime_error(
        "DROID_OTELCOL is not set: it must name the test bed's OpenTelemetry Collector "
        "(scripts/build-tools.sh otelcol builds it; scripts/test.sh sets the variable)");
  }
  if (::access(binary, X_OK) != 0) {
    throw std::runtime_error(std::string("DROID_OTELCOL=") + binary +
                             " is not an executable: run scripts/build-tools.sh otelcol");
  }
  const fs::path config = dir_ / "collector.yaml";
  std::ofstream(config) << "receivers:\n"
                           "  otlp:\n"
                           "    protocols:\n"
                           "      http:\n"
                           "        endpoint: 127.0.0.1:"
                        << port_ << "\n"
                        << (tls_ ? "        tls:\n          cert_file: " + tls_cert +
                                       "\n          key_file: " + tls_key + "\n"
                                 : std::string())
                        << "processors:\n"
                           "  batch:\n"
                           "    timeout: 100ms\n"
                           "exporters:\n"
                           "  file:\n"
                           "    path: "
                        << output().string()
                        << "\n"
                           "    flush_interval: 100ms\n"
                           "  debug:\n"
                           "    verbosity: detailed\n"
                           "service:\n"
                           "  telemetry:\n"
                           "    metrics:\n"
                           "      level: none\n"
                           "  pipelines:\n"
                           "    traces: {receivers: [otlp], processors: [batch], exporters: [file, debug]}\n"
                           "    metrics: {receivers: [otlp], processors: [batch], exporters: [file, debug]}\n"
                           "    logs: {receivers: [otlp], processors: [batch], exporters: [file, debug]}\n";
  const std::string log = log_path().string();
  const std::string config_flag = "--config=" + config.string();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<char*> argv = {const_cast<char*>(binary), const_cast<char*>(config_flag.c_str()), nullptr};
  const int rc = posix_spawn(&pid_, binary, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error(std::string("cannot start ") + binary);
  const bool ready = wait_for(
      [this] {
        int status = 0;
        if (pid_ > 0 && ::waitpid(pid_, &status, WNOHANG) == pid_) pid_ = -1;  // exited
        return pid_ < 0 || accepts_connections(port_);
      },
      std::chrono::seconds(60));
  if (pid_ < 0 || !ready) {
    const std::string why = pid_ < 0 ? "exited" : "did not listen within 60 s";
    throw std::runtime_error("the collector " + why + "; its log:\n" + read_file(log_path()));
  }
}

Collector::~Collector() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  if (!wait_for([this, &status] { return ::waitpid(pid_, &status, WNOHANG) == pid_; }, std::chrono::seconds(20))) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
  }
}

}  // namespace droid::runner::telemetry::testing
