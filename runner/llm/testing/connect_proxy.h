// A minimal HTTP CONNECT proxy for tests: accepts tunnels on a loopback port,
// records each CONNECT request (target and Proxy-Authorization), answers 200 and
// relays bytes both ways. Enough to show that the client goes through the proxy
// named by HTTPS_PROXY (and skips it for NO_PROXY hosts); nothing more.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace droid::llm::testing {

class ConnectProxy {
 public:
  ConnectProxy();  // listens on 127.0.0.1, an ephemeral port
  ~ConnectProxy();
  ConnectProxy(const ConnectProxy&) = delete;
  ConnectProxy& operator=(const ConnectProxy&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  struct Tunnel {
    std::string target;               // host:port from the CONNECT line
    std::string proxy_authorization;  // the header's value, as sent
  };
  std::vector<Tunnel> tunnels() const;

 private:
  void accept_loop();
  void serve(int client);

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mu_;
  std::vector<Tunnel> tunnels_;
  std::vector<std::thread> workers_;
  std::thread acceptor_;
};

}  // namespace droid::llm::testing
