// The LLM client over HTTPS against the scripted gateway: a CA generated here,
// server certificates for an IP literal and a DNS name, a missing or wrong CA,
// and client certificates (mTLS) required and presented.
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <gtest/gtest.h>

#include "llm/client.h"
#include "llm/error.h"
#include "llm/testing/connect_proxy.h"
#include "llm/testing/scripted_gateway.h"
#include "llm/testing/test_pki.h"

namespace droid::llm {
namespace {

using nlohmann::json;
using testing::GatewayOptions;
using testing::KeyPair;
using testing::ScriptedGateway;

const std::string kKey = "sk-tls-test-31415926";

class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(::testing::TempDir() + "/llm-tls-" + std::to_string(::getpid()));
    std::filesystem::create_directories(*dir_);
    const KeyPair ca = testing::make_ca("droid test CA");
    const KeyPair other_ca = testing::make_ca("some other CA");
    const KeyPair server = testing::make_certificate(ca, "gateway", {"DNS:localhost", "IP:127.0.0.1"}, true);
    const KeyPair misnamed = testing::make_certificate(ca, "elsewhere", {"DNS:elsewhere.example"}, true);
    const KeyPair client = testing::make_certificate(ca, "droid-runner", {}, false);
    const KeyPair rogue_client = testing::make_certificate(other_ca, "droid-runner", {}, false);
    testing::write_file(path("ca.crt"), ca.cert_pem);
    testing::write_file(path("other-ca.crt"), other_ca.cert_pem);
    testing::write_file(path("server.crt"), server.cert_pem);
    testing::write_file(path("server.key"), server.key_pem);
    testing::write_file(path("misnamed.crt"), misnamed.cert_pem);
    testing::write_file(path("misnamed.key"), misnamed.key_pem);
    testing::write_file(path("client.crt"), client.cert_pem);
    testing::write_file(path("client.key"), client.key_pem);
    testing::write_file(path("rogue.crt"), rogue_client.cert_pem);
    testing::write_file(path("rogue.key"), rogue_client.key_pem);
    testing::write_file(path("junk.pem"), "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }
  static std::string path(const std::string& name) { return *dir_ + "/" + name; }

  static std::unique_ptr<ScriptedGateway> start(const std::string& cert, const std::string& key,
                                                const std::string& client_ca = "") {
    GatewayOptions o;
    o.listen_url = "https://127.0.0.1:0";
    o.api_key = kKey;
    o.tls_cert_file = path(cert);
    o.tls_key_file = path(key);
    if (!client_ca.empty()) o.client_ca_file = path(client_ca);
    return std::make_unique<ScriptedGateway>(
        testing::parse_script({{"turns", {{{"repeat", true}, {"response", {{"text", "secure hello"}}}}}}}), o);
  }

  static GatewayConfig config(const std::string& url, Provider p = Provider::OpenAI) {
    GatewayConfig c;
    c.provider = p;
    c.base_url = url + (p == Provider::OpenAI ? "/v1" : "");
    c.api_key = kKey;
    c.retry.max_attempts = 1;
    return c;
  }

  static Request hello() {
    Request r;
    r.model = "m";
    r.messages = {Message::user("hello")};
    return r;
  }

  static std::string port_of(const std::string& url) { return url.substr(url.rfind(':') + 1); }

  static std::string* dir_;
};

std::string* TlsTest::dir_ = nullptr;

TEST_F(TlsTest, CustomCaTrustsTheGatewayByIpAndByName) {
  auto gw = start("server.crt", "server.key");
  ASSERT_EQ(gw->url().rfind("https://127.0.0.1:", 0), 0u) << gw->url();
  for (Provider p : {Provider::OpenAI, Provider::Anthropic}) {
    auto c = config(gw->url(), p);
    c.ca_file = path("ca.crt");
    EXPECT_EQ(make_client(c)->complete(hello()).message.text(), "secure hello");  // IP literal: no SNI, IP SAN
  }
  auto by_name = config("https://localhost:" + port_of(gw->url()));
  by_name.ca_file = path("ca.crt");
  EXPECT_EQ(make_client(by_name)->complete(hello(), [](std::string_view) {}).message.text(), "secure hello");
  // The CA given as PEM text (OrgPolicy gateways[].caBundle) works the same.
  auto inline_ca = config(gw->url());
  std::ifstream in(path("ca.crt"));
  inline_ca.ca_pem.assign(std::istreambuf_iterator<char>(in), {});
  EXPECT_EQ(make_client(inline_ca)->complete(hello()).message.text(), "secure hello");
}

TEST_F(TlsTest, WithoutTheCaTheHandshakeFailsClearly) {
  auto gw = start("server.crt", "server.key");
  for (const std::string ca : {"", "other-ca.crt"}) {
    auto c = config(gw->url());
    if (!ca.empty()) c.ca_file = path(ca);
    try {
      make_client(c)->complete(hello());
      FAIL() << "the handshake succeeded with CA " << ca;
    } catch (const TransportError& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("certificate verify failed"), std::string::npos) << what;
      EXPECT_NE(what.find("CA bundle"), std::string::npos) << what;
      EXPECT_EQ(what.find(kKey), std::string::npos);
    }
  }
  EXPECT_TRUE(gw->requests().empty());  // nothing reached the gateway
}

TEST_F(TlsTest, ACertificateForAnotherNameIsRefused) {
  auto gw = start("misnamed.crt", "misnamed.key");
  auto c = config(gw->url());
  c.ca_file = path("ca.crt");
  try {
    make_client(c)->complete(hello());
    FAIL() << "a certificate for another name was accepted";
  } catch (const TransportError& e) {
    EXPECT_NE(std::string(e.what()).find("not valid for host 127.0.0.1"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(gw->requests().empty());
}

TEST_F(TlsTest, MutualTlsRequiredAndSatisfied) {
  auto gw = start("server.crt", "server.key", "ca.crt");
  auto c = config(gw->url());
  c.ca_file = path("ca.crt");
  try {
    make_client(c)->complete(hello());
    FAIL() << "no client certificate, yet the handshake succeeded";
  } catch (const TransportError& e) {
    // With TLS 1.3 the refusal may arrive as an alert or as a closed connection, by timing.
    EXPECT_NE(std::string(e.what()).find("client certificate"), std::string::npos) << e.what();
  }
  c.client_cert_file = path("rogue.crt");
  c.client_key_file = path("rogue.key");
  EXPECT_THROW(make_client(c)->complete(hello()), TransportError);  // signed by a CA the gateway does not trust
  EXPECT_TRUE(gw->requests().empty());
  c.client_cert_file = path("client.crt");
  c.client_key_file = path("client.key");
  EXPECT_EQ(make_client(c)->complete(hello()).message.text(), "secure hello");
  EXPECT_EQ(gw->requests().size(), 1u);
}

TEST_F(TlsTest, UnusableTlsMaterialIsAConfigErrorNamingTheFile) {
  GatewayConfig c = config("https://127.0.0.1:1");
  c.ca_file = path("junk.pem");
  EXPECT_THROW(make_client(c), ConfigError);
  c.ca_file = path("missing.pem");
  try {
    make_client(c);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("missing.pem"), std::string::npos);
  }
  c.ca_file.clear();
  c.client_cert_file = path("client.crt");
  EXPECT_THROW(make_client(c), ConfigError);  // a certificate without its key
  c.client_key_file = path("server.key");     // the key of another certificate
  EXPECT_THROW(make_client(c), ConfigError);
  c = config("ftp://x");
  EXPECT_THROW(make_client(c), ConfigError);
}

TEST_F(TlsTest, HttpsProxyTunnelsAndNoProxyBypasses) {
  auto gw = start("server.crt", "server.key");
  testing::ConnectProxy proxy;
  auto c = config("https://localhost:" + port_of(gw->url()));
  c.ca_file = path("ca.crt");
  c.proxy.https_proxy = "http://runner:s%3Acret@" + proxy.url().substr(7);
  c.proxy.no_proxy = ".svc,cluster.local";
  EXPECT_EQ(make_client(c)->complete(hello()).message.text(), "secure hello");
  auto tunnels = proxy.tunnels();
  ASSERT_EQ(tunnels.size(), 1u);
  EXPECT_EQ(tunnels[0].target, "localhost:" + port_of(gw->url()));
  EXPECT_EQ(tunnels[0].proxy_authorization, "Basic cnVubmVyOnM6Y3JldA==");  // runner:s:cret

  c.proxy.no_proxy = "localhost";
  EXPECT_EQ(make_client(c)->complete(hello()).message.text(), "secure hello");
  EXPECT_EQ(proxy.tunnels().size(), 1u);  // direct: the proxy saw nothing new
  EXPECT_EQ(gw->requests().size(), 2u);
}

}  // namespace
}  // namespace droid::llm
