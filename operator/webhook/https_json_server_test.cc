#include "webhook/https_json_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <stdexcept>
#include <thread>
#include <vector>

#include "webhook/tls_testing.h"

namespace droid::op {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace std::chrono_literals;
using testing::http_request;
using testing::https_request;
using testing::IssuedCert;
using testing::post_request;
using testing::TestCa;

void write(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

class HttpsJsonServerTest : public ::testing::Test {
 protected:
  static constexpr std::size_t kMaxBody = 4096;

  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("https-json-server-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    install(ca_.issue("webhook-one", {.ip_sans = {"127.0.0.1"}, .serial = 0x101}));
    // cpprestsdk cannot bind port 0 and tell us the port: pick one, retry if taken meanwhile.
    for (int attempt = 0; attempt < 5 && !server_; ++attempt) {
      auto server = std::make_unique<HttpsJsonServer>(
          HttpsJsonServerOptions{.address = "127.0.0.1",
                                 .port = testing::free_tcp_port(),
                                 .cert_file = (dir_ / "tls.crt").string(),
                                 .key_file = (dir_ / "tls.key").string(),
                                 .max_body_bytes = kMaxBody,
                                 .reload_interval = 100ms},
          std::map<std::string, JsonHandler>{
              {"/echo",
               [](const json& in) {
                 return json{{"got", in}};
               }},
              {"/throw", [](const json&) -> json { throw std::runtime_error("handler bug"); }}});
      try {
        server->start();
        server_ = std::move(server);
      } catch (const std::runtime_error& e) {
        std::cerr << "start failed, retrying on another port: " << e.what() << "\n";
      }
    }
    ASSERT_TRUE(server_) << "could not start the server";
  }
  void TearDown() override {
    server_.reset();
    fs::remove_all(dir_);
  }
  void install(const IssuedCert& c) {
    write(dir_ / "tls.crt", c.cert_pem);
    write(dir_ / "tls.key", c.key_pem);
  }
  int port() const { return server_->options().port; }
  testing::HttpsAnswer send(const std::string& request) { return https_request(port(), ca_.cert_pem(), request); }

  TestCa ca_{"ca-one"};
  fs::path dir_;
  std::unique_ptr<HttpsJsonServer> server_;
};

TEST_F(HttpsJsonServerTest, PostOfJsonGetsTheHandlersAnswer) {
  const auto a = send(post_request("/echo?timeout=10s", R"({"x":[1,2,"three"]})"));
  EXPECT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(json::parse(a.body), json::parse(R"({"got":{"x":[1,2,"three"]}})"));
  EXPECT_NE(a.headers.find("application/json"), std::string::npos) << a.headers;
  EXPECT_EQ(a.peer_subject, "CN=webhook-one");
  EXPECT_EQ(a.peer_serial, "0101");
}

TEST_F(HttpsJsonServerTest, UnknownPathIs404) {
  const auto a = send(post_request("/nothing-here", "{}"));
  EXPECT_EQ(a.status, 404);
  EXPECT_TRUE(json::parse(a.body).contains("error"));
}

TEST_F(HttpsJsonServerTest, OtherMethodsAre405WithAllow) {
  for (const char* method : {"GET", "PUT", "DELETE", "PATCH"}) {
    const auto a = send(http_request(method, "/echo", ""));
    EXPECT_EQ(a.status, 405) << method;
    EXPECT_NE(a.headers.find("Allow: POST"), std::string::npos) << a.headers;
  }
}

TEST_F(HttpsJsonServerTest, ABodyThatIsNotJsonIs400WithAClearMessage) {
  for (const std::string body : {"not json", "{\"a\":", "", "\xff\xfe"}) {
    const auto a = send(post_request("/echo", body));
    EXPECT_EQ(a.status, 400) << body;
    EXPECT_EQ(json::parse(a.body).value("error", ""), "the request body is not a JSON document");
  }
}

TEST_F(HttpsJsonServerTest, ABodyOverTheLimitIs413ByLengthAndChunked) {
  const std::string big = "{\"pad\":\"" + std::string(kMaxBody, 'x') + "\"}";
  const auto by_length = send(post_request("/echo", big));
  EXPECT_EQ(by_length.status, 413);
  EXPECT_NE(by_length.body.find("larger than 4096 bytes"), std::string::npos) << by_length.body;
  const auto chunked = send(http_request("POST", "/echo", big, /*chunked=*/true));
  EXPECT_EQ(chunked.status, 413);
  // A chunked body within the limit is served.
  const auto small = send(http_request("POST", "/echo", R"({"small":true})", /*chunked=*/true));
  EXPECT_EQ(small.status, 200) << small.body;
  EXPECT_EQ(json::parse(small.body)["got"]["small"], true);
}

TEST_F(HttpsJsonServerTest, AHandlerExceptionIs500AndTheServerGoesOn) {
  const auto a = send(post_request("/throw", "{}"));
  EXPECT_EQ(a.status, 500);
  EXPECT_EQ(a.body.find("handler bug"), std::string::npos) << "internal details stay in the log";
  EXPECT_EQ(send(post_request("/echo", "1")).status, 200);
}

TEST_F(HttpsJsonServerTest, RefusesTls11) {
  EXPECT_THROW(https_request(port(), ca_.cert_pem(), post_request("/echo", "{}"), TLS1_1_VERSION), std::runtime_error);
  EXPECT_EQ(https_request(port(), ca_.cert_pem(), post_request("/echo", "{}"), TLS1_2_VERSION).status, 200);
}

TEST_F(HttpsJsonServerTest, ServesConcurrentClients) {
  std::vector<std::future<int>> results;
  for (int t = 0; t < 8; ++t)
    results.push_back(std::async(std::launch::async, [this, t] {
      int ok = 0;
      for (int i = 0; i < 5; ++i) {
        const auto a = send(post_request("/echo", json{{"t", t}, {"i", i}}.dump()));
        ok += a.status == 200 && json::parse(a.body)["got"] == json{{"t", t}, {"i", i}} ? 1 : 0;
      }
      return ok;
    }));
  int ok = 0;
  for (auto& r : results) ok += r.get();
  EXPECT_EQ(ok, 40);
}

TEST_F(HttpsJsonServerTest, NewConnectionsGetARotatedCertificateOnTheSamePort) {
  const int port_before = port();
  ASSERT_EQ(send(post_request("/echo", "{}")).peer_serial, "0101");
  TestCa second("ca-two");
  install(second.issue("webhook-two", {.ip_sans = {"127.0.0.1"}, .serial = 0x202}));

  // The reload thread (every 100 ms) picks the files up: poll, at most 10 s.
  testing::HttpsAnswer rotated;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      rotated = https_request(port_before, second.cert_pem(), post_request("/echo", "{}"));
      break;
    } catch (const std::runtime_error&) {
      std::this_thread::sleep_for(50ms);  // not yet: the old certificate does not verify against ca-two
    }
  }
  EXPECT_EQ(rotated.status, 200);
  EXPECT_EQ(rotated.peer_serial, "0202");
  EXPECT_EQ(rotated.peer_subject, "CN=webhook-two");
  EXPECT_EQ(server_->credentials()->serial(), "0202");
  EXPECT_EQ(port(), port_before);
  // Clients that trust only the first CA now refuse the server.
  EXPECT_THROW(send(post_request("/echo", "{}")), std::runtime_error);
}

TEST_F(HttpsJsonServerTest, ACorruptedReplacementKeepsTheCertificateInUse) {
  write(dir_ / "tls.crt", "-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n");
  EXPECT_FALSE(server_->reload_credentials());
  const auto a = send(post_request("/echo", "{}"));
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.peer_serial, "0101");
  // A key from another pair is refused too. Only the key is written first, so that the
  // server's own file watcher never sees a matching pair in between (it did: "other" was
  // loaded before "third" was written, and the next handshake failed on its missing IP SAN).
  write(dir_ / "tls.key", ca_.issue("other", {.serial = 0x303}).key_pem);
  write(dir_ / "tls.crt", ca_.issue("third", {.ip_sans = {"127.0.0.1"}, .serial = 0x404}).cert_pem);
  EXPECT_FALSE(server_->reload_credentials());
  EXPECT_EQ(send(post_request("/echo", "{}")).peer_serial, "0101");
}

TEST_F(HttpsJsonServerTest, StopClosesThePortAndStartReopensIt) {
  server_->stop();
  EXPECT_THROW(send(post_request("/echo", "{}")), std::runtime_error);
  server_->stop();  // idempotent
  server_->start();
  EXPECT_EQ(send(post_request("/echo", "{}")).status, 200);
}

TEST_F(HttpsJsonServerTest, ASecondServerOnThePortFailsToStart) {
  HttpsJsonServer other({.address = "127.0.0.1",
                         .port = port(),
                         .cert_file = (dir_ / "tls.crt").string(),
                         .key_file = (dir_ / "tls.key").string()},
                        {{"/x", [](const json& in) { return in; }}});
  EXPECT_THROW(other.start(), std::runtime_error);
  EXPECT_EQ(send(post_request("/echo", "{}")).status, 200);
}

TEST_F(HttpsJsonServerTest, APortHeldByAnotherSocketFailsToStart) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int port = 0;
  for (int attempt = 0; attempt < 5 && port == 0; ++attempt) {
    const int candidate = testing::free_tcp_port();
    addr.sin_port = htons(static_cast<std::uint16_t>(candidate));
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) port = candidate;
  }
  ASSERT_NE(port, 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  HttpsJsonServer other({.address = "127.0.0.1",
                         .port = port,
                         .cert_file = (dir_ / "tls.crt").string(),
                         .key_file = (dir_ / "tls.key").string()},
                        {{"/x", [](const json& in) { return in; }}});
  EXPECT_THROW(other.start(), std::runtime_error);
  ::close(fd);
}

TEST(HttpsJsonServerOptionsTest, RefusesPortZeroAndBadRoutes) {
  const auto handler = [](const json& in) { return in; };
  EXPECT_THROW(HttpsJsonServer({.port = 0}, {{"/a", handler}}), std::invalid_argument);
  EXPECT_THROW(HttpsJsonServer({.port = 70000}, {{"/a", handler}}), std::invalid_argument);
  EXPECT_THROW(HttpsJsonServer({.port = 8443}, {}), std::invalid_argument);
  EXPECT_THROW(HttpsJsonServer({.port = 8443}, {{"a", handler}}), std::invalid_argument);
}

TEST(HttpsJsonServerOptionsTest, StartFailsOnUnusableCertificateFiles) {
  HttpsJsonServer server({.address = "127.0.0.1",
                          .port = testing::free_tcp_port(),
                          .cert_file = "/nonexistent/tls.crt",
                          .key_file = "/nonexistent/tls.key"},
                         {{"/a", [](const json& in) { return in; }}});
  EXPECT_THROW(server.start(), TlsCredentialsError);
}

}  // namespace
}  // namespace droid::op
