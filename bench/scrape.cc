#include "scrape.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace droid::bench {
namespace {

// Closes the socket on every path.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

bool wait_fd(int fd, short events, int timeout_ms) {
  pollfd p{fd, events, 0};
  return poll(&p, 1, timeout_ms) == 1;
}

}  // namespace

HttpAnswer http_get_local(int port, const std::string& path, int timeout_ms) {
  const Fd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (fd.get() < 0) return {};
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    if (errno != EINPROGRESS || !wait_fd(fd.get(), POLLOUT, timeout_ms)) return {};
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) return {};
  }
  const std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  std::size_t sent = 0;
  while (sent < request.size()) {
    if (!wait_fd(fd.get(), POLLOUT, timeout_ms)) return {};
    const ssize_t n = send(fd.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return {};
    sent += static_cast<std::size_t>(n);
  }
  std::string response;
  char buf[16384];
  for (;;) {
    if (!wait_fd(fd.get(), POLLIN, timeout_ms)) return {};
    const ssize_t n = recv(fd.get(), buf, sizeof buf, 0);
    if (n < 0) return {};
    if (n == 0) break;
    response.append(buf, static_cast<std::size_t>(n));
  }
  // "HTTP/1.1 200 OK\r\n...\r\n\r\nbody"
  HttpAnswer a;
  const auto sp = response.find(' ');
  const auto header_end = response.find("\r\n\r\n");
  if (response.rfind("HTTP/", 0) != 0 || sp == std::string::npos || header_end == std::string::npos) return {};
  a.status = static_cast<int>(std::strtol(response.c_str() + sp + 1, nullptr, 10));
  a.body = response.substr(header_end + 4);
  return a;
}

double metric_sum(const std::string& exposition, const std::string& series_prefix, const std::string& contains) {
  double sum = 0;
  std::istringstream in(exposition);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line.rfind(series_prefix, 0) != 0) continue;
    // A bare metric name must be the whole name: "droid_x" does not match "droid_x_total".
    const char next = line.size() > series_prefix.size() ? line[series_prefix.size()] : '\0';
    if (series_prefix.find('{') == std::string::npos && next != '{' && next != ' ') continue;
    if (!contains.empty() && line.find(contains) == std::string::npos) continue;
    const auto sp = line.rfind(' ');
    if (sp == std::string::npos) continue;
    sum += std::strtod(line.c_str() + sp + 1, nullptr);
  }
  return sum;
}

std::optional<long> parse_status_kib(const std::string& status_text, const std::string& field) {
  std::istringstream in(status_text);
  std::string line;
  const std::string key = field + ":";
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) != 0) continue;
    return std::strtol(line.c_str() + key.size(), nullptr, 10);
  }
  return std::nullopt;
}

std::optional<long> proc_status_kib(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_status_kib(ss.str(), field);
}

}  // namespace droid::bench
