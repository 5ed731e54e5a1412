#include "llm/testing/connect_proxy.h"

#include <cstring>
#include <stdexcept>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace droid::llm::testing {
namespace {

std::string header_value(const std::string& head, const std::string& name) {
  std::string lower_head = head;
  for (auto& c : lower_head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const auto at = lower_head.find("\r\n" + name + ":");
  if (at == std::string::npos) return "";
  auto begin = at + 2 + name.size() + 1;
  while (begin < head.size() && head[begin] == ' ') ++begin;
  return head.substr(begin, head.find("\r\n", begin) - begin);
}

int connect_to(const std::string& target) {
  const auto colon = target.rfind(':');
  if (colon == std::string::npos) return -1;
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(target.substr(0, colon).c_str(), target.substr(colon + 1).c_str(), &hints, &found) != 0) return -1;
  int fd = -1;
  for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  return fd;
}

bool send_all(int fd, const char* data, std::size_t n) {
  while (n > 0) {
    const ssize_t w = send(fd, data, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    data += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

}  // namespace

ConnectProxy::ConnectProxy() {
  listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (listen_fd_ < 0 || bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||  // NOLINT
      listen(listen_fd_, 16) != 0 ||
      getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {  // NOLINT
    throw std::runtime_error("connect proxy: cannot listen");
  }
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

ConnectProxy::~ConnectProxy() {
  stopping_ = true;
  shutdown(listen_fd_, SHUT_RDWR);
  close(listen_fd_);
  acceptor_.join();
  for (auto& w : workers_) w.join();
}

std::vector<ConnectProxy::Tunnel> ConnectProxy::tunnels() const {
  std::lock_guard lock(mu_);
  return tunnels_;
}

void ConnectProxy::accept_loop() {
  while (!stopping_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    const int client = accept(listen_fd_, nullptr, nullptr);
    if (client < 0) continue;
    std::lock_guard lock(mu_);
    workers_.emplace_back([this, client] { serve(client); });
  }
}

void ConnectProxy::serve(int client) {
  std::string head;
  char buf[16384];
  while (head.find("\r\n\r\n") == std::string::npos && head.size() < 65536) {
    const ssize_t n = recv(client, buf, sizeof buf, 0);
    if (n <= 0) {
      close(client);
      return;
    }
    head.append(buf, static_cast<std::size_t>(n));
  }
  const auto end_of_head = head.find("\r\n\r\n") + 4;
  const std::string rest = head.substr(end_of_head);
  head.resize(end_of_head);
  std::string method = head.substr(0, head.find(' '));
  const auto target_begin = method.size() + 1;
  const std::string target = head.substr(target_begin, head.find(' ', target_begin) - target_begin);
  {
    std::lock_guard lock(mu_);
    tunnels_.push_back({target, header_value(head, "proxy-authorization")});
  }
  const int upstream = method == "CONNECT" ? connect_to(target) : -1;
  if (upstream < 0) {
    const std::string refusal = "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    send_all(client, refusal.data(), refusal.size());
    close(client);
    return;
  }
  const std::string ok = "HTTP/1.1 200 Connection established\r\n\r\n";
  bool open = send_all(client, ok.data(), ok.size()) && send_all(upstream, rest.data(), rest.size());
  while (open && !stopping_) {
    pollfd fds[2] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}};
    if (poll(fds, 2, 100) <= 0) continue;
    for (int i = 0; i < 2 && open; ++i) {
      if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      const ssize_t n = recv(fds[i].fd, buf, sizeof buf, 0);
      open = n > 0 && send_all(fds[1 - i].fd, buf, static_cast<std::size_t>(n));
    }
  }
  close(upstream);
  close(client);
}

}  // namespace droid::llm::testing
