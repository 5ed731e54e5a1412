#include "metrics/test_http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <stdexcept>

#include <cpprest/http_client.h>

namespace droid::op::testing {

namespace {

// A socket bound to 127.0.0.1:0; the port the kernel chose is stored in *port.
int bind_loopback_port_zero(std::uint16_t* port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API takes sockaddr*
  auto* generic = reinterpret_cast<sockaddr*>(&addr);
  if (::bind(fd, generic, sizeof addr) != 0 || ::getsockname(fd, generic, &len) != 0) {
    const int err = errno;
    ::close(fd);
    throw std::runtime_error("binding 127.0.0.1:0 failed: errno " + std::to_string(err));
  }
  *port = ntohs(addr.sin_port);
  return fd;
}

}  // namespace

std::uint16_t free_port() {
  std::uint16_t port = 0;
  ::close(bind_loopback_port_zero(&port));
  return port;
}

ListeningSocket::ListeningSocket() : fd_(bind_loopback_port_zero(&port_)) {
  if (::listen(fd_, 1) != 0) {
    ::close(fd_);
    throw std::runtime_error("listen() failed");
  }
}

ListeningSocket::~ListeningSocket() { ::close(fd_); }

HttpReply http_request(const std::string& method, const std::string& base_url, const std::string& path_and_query) {
  web::http::client::http_client_config config;
  config.set_timeout(std::chrono::seconds(5));
  web::http::client::http_client client(base_url, config);
  web::http::http_request request(method);
  request.set_request_uri(path_and_query);
  web::http::http_response response = client.request(request).get();
  HttpReply reply;
  reply.status = response.status_code();
  reply.body = response.extract_utf8string(/*ignore_content_type=*/true).get();
  reply.content_type = response.headers().content_type();
  if (const auto it = response.headers().find("Allow"); it != response.headers().end()) reply.allow = it->second;
  return reply;
}

}  // namespace droid::op::testing
