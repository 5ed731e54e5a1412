#include "scrape.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

namespace droid::bench {
namespace {

const char* kExposition = R"(# HELP droid_workqueue_depth Keys waiting in a controller's work queue.
# TYPE droid_workqueue_depth gauge
droid_workqueue_depth{controller="droidsession"} 7
droid_workqueue_depth{controller="orgpolicy"} 2
droid_workqueue_depth_extra 100
droid_reconcile_duration_seconds_sum{controller="droidsession"} 1.5
droid_reconcile_duration_seconds_count{controller="droidsession"} 30
apiserver_request_total{code="201",verb="POST"} 40
apiserver_request_total{code="429",verb="POST"} 3
apiserver_request_total{code="429",verb="PATCH"} 2
)";

TEST(Scrape, MetricSumAddsTheMatchingSeries) {
  EXPECT_EQ(metric_sum(kExposition, "droid_workqueue_depth"), 9);  // not droid_workqueue_depth_extra
  EXPECT_EQ(metric_sum(kExposition, "droid_workqueue_depth", "controller=\"droidsession\""), 7);
  EXPECT_EQ(metric_sum(kExposition, "droid_workqueue_depth{controller=\"orgpolicy\""), 2);
  EXPECT_EQ(metric_sum(kExposition, "apiserver_request_total", "code=\"429\""), 5);
  EXPECT_EQ(metric_sum(kExposition, "droid_reconcile_duration_seconds_count"), 30);
  EXPECT_EQ(metric_sum(kExposition, "no_such_metric"), 0);
}

TEST(Scrape, ParsesProcStatusFields) {
  const std::string status = "Name:\tdroid-operator\nVmHWM:\t   20480 kB\nVmRSS:\t   10240 kB\n";
  EXPECT_EQ(parse_status_kib(status, "VmRSS"), 10240);
  EXPECT_EQ(parse_status_kib(status, "VmHWM"), 20480);
  EXPECT_FALSE(parse_status_kib(status, "VmSwap"));
  const auto self = proc_status_kib(getpid(), "VmRSS");
  ASSERT_TRUE(self);
  EXPECT_GT(*self, 0);
}

TEST(Scrape, HttpGetReadsStatusAndBody) {
  const int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(s, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(s, 1), 0);
  ASSERT_EQ(getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  std::string request;
  std::thread server([&] {
    const int c = accept(s, nullptr, nullptr);
    char buf[1024];
    const ssize_t n = recv(c, buf, sizeof buf, 0);
    if (n > 0) request.assign(buf, static_cast<std::size_t>(n));
    const std::string answer = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 8\r\n\r\nnot yet\n";
    send(c, answer.data(), answer.size(), 0);
    close(c);
  });
  const HttpAnswer a = http_get_local(ntohs(addr.sin_port), "/readyz");
  server.join();
  close(s);
  EXPECT_EQ(a.status, 503);
  EXPECT_EQ(a.body, "not yet\n");
  EXPECT_EQ(request.rfind("GET /readyz HTTP/1.0\r\n", 0), 0u) << request;
}

TEST(Scrape, HttpGetWithoutAServerHasNoStatus) {
  // Bind a port and close it without listening: nothing answers there.
  const int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  close(s);
  EXPECT_EQ(http_get_local(ntohs(addr.sin_port), "/metrics", 1000).status, 0);
}

}  // namespace
}  // namespace droid::bench
