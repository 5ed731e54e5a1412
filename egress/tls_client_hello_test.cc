#include "tls_client_hello.h"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

namespace droid::egress {
namespace {

// A real ClientHello, as OpenSSL writes it, for `sni` ("" for none).
std::string client_hello(const std::string& sni) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL* ssl = SSL_new(ctx);
  BIO* in = BIO_new(BIO_s_mem());
  BIO* out = BIO_new(BIO_s_mem());
  SSL_set_bio(ssl, in, out);
  if (!sni.empty()) SSL_set_tlsext_host_name(ssl, sni.c_str());
  SSL_set_connect_state(ssl);
  SSL_do_handshake(ssl);  // wants to read: the hello is in `out`
  char* data = nullptr;
  const long n = BIO_get_mem_data(out, &data);
  std::string hello(data, static_cast<std::size_t>(n));
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  return hello;
}

TEST(ClientHello, ReadsTheServerName) {
  const std::string hello = client_hello("PyPI.Mirror.corp");
  std::string name, error;
  ASSERT_EQ(read_client_hello_sni(hello, name, error), HelloStatus::Ok) << error;
  EXPECT_EQ(name, "pypi.mirror.corp");
  ASSERT_EQ(read_client_hello_sni(client_hello(""), name, error), HelloStatus::Ok) << error;
  EXPECT_EQ(name, "");
}

TEST(ClientHello, TruncatedIsNeedMoreAndGarbageIsMalformed) {
  const std::string hello = client_hello("a.corp");
  std::string name, error;
  for (std::size_t cut : {std::size_t{0}, std::size_t{4}, std::size_t{5}, hello.size() / 2, hello.size() - 1})
    EXPECT_EQ(read_client_hello_sni(hello.substr(0, cut), name, error), HelloStatus::NeedMore) << cut;
  EXPECT_EQ(read_client_hello_sni("GET / HTTP/1.1\r\n\r\n", name, error), HelloStatus::Malformed);
  std::string bad = hello;
  bad[5] = 2;  // a ServerHello
  EXPECT_EQ(read_client_hello_sni(bad, name, error), HelloStatus::Malformed);
  // Every single-byte corruption is either parsed or refused, never read out of bounds.
  for (std::size_t i = 5; i < hello.size(); ++i) {
    std::string c = hello;
    c[i] = static_cast<char>(c[i] ^ 0xff);
    (void)read_client_hello_sni(c, name, error);
  }
}

}  // namespace
}  // namespace droid::egress
