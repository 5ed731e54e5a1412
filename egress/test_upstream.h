// Test support: a scripted HTTP/1.1 upstream on loopback (plain sockets, one
// thread) that records each request it receives (head and body, as bytes) and
// answers with fixed response pieces, writing piece i > 0 only once the test has
// released it (release(i)), so a test can prove what a client saw before the
// upstream sent the rest (no buffering in between). And a raw client for the proxy.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace droid::egress::testing {

class TestUpstream {
 public:
  explicit TestUpstream(std::vector<std::string> pieces);
  ~TestUpstream();
  int port() const { return port_; }
  void release(std::size_t piece);            // lets pieces up to `piece` go out
  std::vector<std::string> requests() const;  // what was received, one string per request
  bool wait_for_requests(std::size_t n, std::chrono::milliseconds timeout) const;

 private:
  void serve();
  std::vector<std::string> pieces_;
  int listen_fd_ = -1;
  int port_ = 0;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::size_t released_ = 0;
  bool stopping_ = false;
  std::vector<std::string> requests_;
  std::thread thread_;
};

// A connected TCP socket to 127.0.0.1:port from `source` (a 127.x.y.z address).
class RawClient {
 public:
  RawClient(int port, const std::string& source = "127.0.0.1");
  ~RawClient();
  void send(const std::string& bytes);
  // Reads until `needle` has arrived (returns everything read so far) or the
  // timeout or the end of the stream (returns what arrived).
  std::string read_until(const std::string& needle, std::chrono::milliseconds timeout);
  std::string read_all(std::chrono::milliseconds timeout);  // until the peer closes
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  std::string received_;
};

// A free loopback TCP port (bound and released: good enough for a test).
int free_port();

}  // namespace droid::egress::testing
