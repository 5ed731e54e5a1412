// Test support for the ops server tests: a free loopback TCP port, and a plain
// HTTP request through cpprestsdk's http_client (called from the test thread,
// never from a pplx continuation).
#pragma once

#include <cstdint>
#include <string>

namespace droid::op::testing {

// A port on 127.0.0.1 that was free a moment ago: binds port 0 and reads back
// what the kernel chose. Throws std::runtime_error when no socket can be bound.
std::uint16_t free_port();

// A TCP socket bound to a free port on 127.0.0.1 and listening (accepting
// nothing), to hold a port in use; closed by the destructor.
class ListeningSocket {
 public:
  ListeningSocket();
  ~ListeningSocket();
  ListeningSocket(const ListeningSocket&) = delete;
  ListeningSocket& operator=(const ListeningSocket&) = delete;
  std::uint16_t port() const { return port_; }

 private:
  std::uint16_t port_ = 0;  // before fd_: the constructor sets it while opening fd_
  int fd_ = -1;
};

struct HttpReply {
  int status = 0;
  std::string body;
  std::string content_type;
  std::string allow;  // the Allow header, if any
};

// Sends `method` to base_url + path_and_query with a 5 s timeout. Throws when the
// connection fails (e.g. nothing listens).
HttpReply http_request(const std::string& method, const std::string& base_url, const std::string& path_and_query);

}  // namespace droid::op::testing
