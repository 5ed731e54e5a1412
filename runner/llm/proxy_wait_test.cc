#include "llm/proxy_wait.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

namespace droid::llm {
namespace {

using namespace std::chrono_literals;

TEST(ProxyAddress, FromTheUrlsAuthority) {
  ProxyAddress a;
  ASSERT_TRUE(parse_proxy_address("http://droid:tok%40en@droid-egress.droid-system.svc:3128", a));
  EXPECT_EQ(a.host, "droid-egress.droid-system.svc");
  EXPECT_EQ(a.port, 3128);
  ASSERT_TRUE(parse_proxy_address("http://[fd00::1]:8080/", a));
  EXPECT_EQ(a.host, "fd00::1");
  EXPECT_EQ(a.port, 8080);
  ASSERT_TRUE(parse_proxy_address("proxy.corp", a));
  EXPECT_EQ(a.host, "proxy.corp");
  EXPECT_EQ(a.port, 1080) << "curl's default proxy port";
  for (const char* bad : {"", "http://", "http://u:p@:3128", "http://h:0", "http://h:65536", "http://h:31x",
                          "http://[fd00::1", "http://[fd00::1]x"})
    EXPECT_FALSE(parse_proxy_address(bad, a)) << bad;
}

// A loopback socket bound to a free port; listening or not.
class Port {
 public:
  Port() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    socklen_t len = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~Port() { close(fd_); }
  Port(const Port&) = delete;
  Port& operator=(const Port&) = delete;
  void listen_now() { EXPECT_EQ(::listen(fd_, 4), 0); }
  std::string url() const { return "http://droid:token@127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST(WaitForProxy, ReturnsAtOnceWhenTheProxyListens) {
  Port p;
  p.listen_now();
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(wait_for_proxy(p.url(), 5s));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

TEST(WaitForProxy, WaitsUntilTheProxyAcceptsConnections) {
  Port p;  // bound, not listening: connections are refused, as while the policy is not programmed
  std::thread later([&] {
    std::this_thread::sleep_for(400ms);
    p.listen_now();
  });
  const auto start = std::chrono::steady_clock::now();
  const bool reached = wait_for_proxy(p.url(), 10s);
  const auto took = std::chrono::steady_clock::now() - start;
  later.join();
  EXPECT_TRUE(reached);
  EXPECT_GE(took, 350ms);
  EXPECT_LT(took, 5s);
}

TEST(WaitForProxy, GivesUpAfterTheTimeLimit) {
  Port p;  // never listens
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(wait_for_proxy(p.url(), 500ms));
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, 400ms);
  EXPECT_LT(took, 3s);
  EXPECT_FALSE(wait_for_proxy("http://u:p@:3128", 5s)) << "no host: false at once";
}

}  // namespace
}  // namespace droid::llm
