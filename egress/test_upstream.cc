#include "test_upstream.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace droid::egress::testing {
namespace {

int listen_loopback(int& port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 16) != 0)
    throw std::runtime_error("cannot listen on loopback");
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  port = ntohs(addr.sin_port);
  return fd;
}

bool wait_readable(int fd, std::chrono::milliseconds timeout) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, static_cast<int>(timeout.count())) > 0;
}

void write_all(int fd, const std::string& bytes) {
  std::size_t off = 0;
  while (off < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return;
    off += static_cast<std::size_t>(n);
  }
}

// One request: the head, then a Content-Length body (chunked bodies: to the final chunk).
std::string read_request(int fd) {
  std::string data;
  char buf[4096];
  auto more = [&] {
    if (!wait_readable(fd, std::chrono::seconds(10))) return false;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    data.append(buf, static_cast<std::size_t>(n));
    return true;
  };
  while (data.find("\r\n\r\n") == std::string::npos) {
    if (!more()) return data;
  }
  const std::size_t head_end = data.find("\r\n\r\n") + 4;
  std::string lower = data.substr(0, head_end);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (auto cl = lower.find("content-length:"); cl != std::string::npos) {
    const std::size_t length = std::stoul(lower.substr(cl + 15));
    while (data.size() < head_end + length) {
      if (!more()) break;
    }
  } else if (lower.find("transfer-encoding: chunked") != std::string::npos) {
    while (data.find("\r\n0\r\n\r\n", head_end - 2) == std::string::npos) {
      if (!more()) break;
    }
  }
  return data;
}

}  // namespace

TestUpstream::TestUpstream(std::vector<std::string> pieces) : pieces_(std::move(pieces)) {
  listen_fd_ = listen_loopback(port_);
  thread_ = std::thread([this] { serve(); });
}

TestUpstream::~TestUpstream() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  ::shutdown(listen_fd_, SHUT_RDWR);
  thread_.join();
  ::close(listen_fd_);
}

void TestUpstream::release(std::size_t piece) {
  {
    std::lock_guard lock(mu_);
    released_ = std::max(released_, piece);
  }
  cv_.notify_all();
}

std::vector<std::string> TestUpstream::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

bool TestUpstream::wait_for_requests(std::size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return requests_.size() >= n; });
}

void TestUpstream::serve() {
  for (;;) {
    if (!wait_readable(listen_fd_, std::chrono::milliseconds(100))) {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      continue;
    }
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) return;
    const std::string request = read_request(fd);
    {
      std::lock_guard lock(mu_);
      requests_.push_back(request);
    }
    cv_.notify_all();
    for (std::size_t i = 0; i < pieces_.size(); ++i) {
      std::unique_lock lock(mu_);
      if (!cv_.wait_for(lock, std::chrono::seconds(20), [&] { return stopping_ || released_ >= i; }) || stopping_)
        break;
      lock.unlock();
      write_all(fd, pieces_[i]);
    }
    ::close(fd);
  }
}

RawClient::RawClient(int port, const std::string& source) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in from{};
  from.sin_family = AF_INET;
  ::inet_pton(AF_INET, source.c_str(), &from.sin_addr);
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0)
    throw std::runtime_error("cannot bind to " + source);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(port));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0)
    throw std::runtime_error("cannot connect to the proxy");
}

RawClient::~RawClient() { ::close(fd_); }

void RawClient::send(const std::string& bytes) { write_all(fd_, bytes); }

std::string RawClient::read_until(const std::string& needle, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  while (received_.find(needle) == std::string::npos) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !wait_readable(fd_, left)) break;
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) break;
    received_.append(buf, static_cast<std::size_t>(n));
  }
  return received_;
}

std::string RawClient::read_all(std::chrono::milliseconds timeout) {
  return read_until(std::string("\0\0never\0\0", 9), timeout);
}

int free_port() {
  int port = 0;
  const int fd = listen_loopback(port);
  ::close(fd);
  return port;
}

}  // namespace droid::egress::testing
