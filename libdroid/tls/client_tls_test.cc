#include "tls/client_tls.h"

#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace droid::tls {
namespace {

struct Identity {
  std::string cert_pem;
  std::string key_pem;
};

std::string drain(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);  // NOLINT(google-runtime-int): OpenSSL's type
  return {data, static_cast<std::size_t>(n)};
}

// A self-signed P-256 certificate that is its own CA.
Identity self_signed(const char* common_name) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), -60);
  X509_gmtime_adj(X509_getm_notAfter(x), 3600);
  X509_set_pubkey(x, key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name), -1, -1, 0);
  X509_set_issuer_name(x, name);
  X509_EXTENSION* ca = X509V3_EXT_conf_nid(nullptr, nullptr, NID_basic_constraints, "critical,CA:TRUE");
  X509_add_ext(x, ca, -1);
  X509_EXTENSION_free(ca);
  X509_sign(x, key, EVP_sha256());
  BIO* cert = BIO_new(BIO_s_mem());
  BIO* pkey = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(cert, x);
  PEM_write_bio_PrivateKey(pkey, key, nullptr, nullptr, 0, nullptr, nullptr);
  Identity out{drain(cert), drain(pkey)};
  BIO_free(cert);
  BIO_free(pkey);
  X509_free(x);
  EVP_PKEY_free(key);
  return out;
}

using Ctx = std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)>;

Ctx server_context(const Identity& id, int max_version) {
  Ctx ctx(SSL_CTX_new(TLS_server_method()), SSL_CTX_free);
  // The oldest protocols need security level 0 in OpenSSL 3: a server of the past.
  SSL_CTX_set_security_level(ctx.get(), 0);
  SSL_CTX_set_cipher_list(ctx.get(), "DEFAULT:@SECLEVEL=0");
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_VERSION);
  SSL_CTX_set_max_proto_version(ctx.get(), max_version);
  ClientMaterial own{"", id.cert_pem, id.key_pem};
  configure_client(ctx.get(), own);  // loads the certificate and key (the protocol floor is set again below)
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_VERSION);
  return ctx;
}

// A client context as lax as OpenSSL allows, before configure_client() is applied.
Ctx lax_client_context() {
  Ctx ctx(SSL_CTX_new(TLS_client_method()), SSL_CTX_free);
  SSL_CTX_set_security_level(ctx.get(), 0);
  SSL_CTX_set_cipher_list(ctx.get(), "DEFAULT:@SECLEVEL=0");
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_VERSION);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  return ctx;
}

struct Handshake {
  bool ok = false;
  std::string version;  // the protocol agreed on
  std::string error;    // the client's error when it failed
};

// Client and server over a pair of memory BIOs, in this thread.
Handshake handshake(SSL_CTX* client_ctx, SSL_CTX* server_ctx) {
  SSL* client = SSL_new(client_ctx);
  SSL* server = SSL_new(server_ctx);
  BIO* client_end = nullptr;
  BIO* server_end = nullptr;
  BIO_new_bio_pair(&client_end, 0, &server_end, 0);
  SSL_set_bio(client, client_end, client_end);
  SSL_set_bio(server, server_end, server_end);
  SSL_set_connect_state(client);
  SSL_set_accept_state(server);
  Handshake h;
  const auto blocked = [](SSL* ssl, int rc) {
    const int e = SSL_get_error(ssl, rc);
    return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE;
  };
  ERR_clear_error();
  for (int round = 0; round < 64; ++round) {
    const int c = SSL_do_handshake(client);
    if (c <= 0 && !blocked(client, c)) {
      char text[256];
      ERR_error_string_n(ERR_get_error(), text, sizeof text);
      h.error = text;
      break;
    }
    const int s = SSL_do_handshake(server);
    if (c == 1 && s == 1) {
      h.ok = true;
      h.version = SSL_get_version(client);
      break;
    }
    if (s <= 0 && !blocked(server, s)) {
      // The server's alert reaches the client at its next step.
      const int last = SSL_do_handshake(client);
      char text[256] = "the server gave up";
      if (last <= 0 && !blocked(client, last)) ERR_error_string_n(ERR_get_error(), text, sizeof text);
      h.error = text;
      break;
    }
  }
  ERR_clear_error();
  SSL_free(client);
  SSL_free(server);
  return h;
}

TEST(ClientTls, ATls11OnlyServerIsRefusedEvenWhereOpenSslWouldAllowIt) {
  const Identity server = self_signed("old-server");
  const Ctx old_server = server_context(server, TLS1_1_VERSION);

  // The server does speak TLS 1.1 here: a client without the project's settings agrees to it.
  Ctx lax = lax_client_context();
  ASSERT_EQ(install_ca(lax.get(), server.cert_pem), 1);
  const Handshake agreed = handshake(lax.get(), old_server.get());
  ASSERT_TRUE(agreed.ok) << agreed.error;
  EXPECT_EQ(agreed.version, "TLSv1.1");

  // The same lax context with configure_client() applied refuses it.
  Ctx ours = lax_client_context();
  configure_client(ours.get(), {server.cert_pem, "", ""});
  EXPECT_EQ(SSL_CTX_get_min_proto_version(ours.get()), TLS1_2_VERSION);
  const Handshake refused = handshake(ours.get(), old_server.get());
  EXPECT_FALSE(refused.ok) << "agreed on " << refused.version;
  EXPECT_NE(refused.error.find("protocol"), std::string::npos) << "[" << refused.error << "]";

  // And a current server is fine.
  const Ctx current = server_context(server, 0);  // 0: the highest the library has
  const Handshake fine = handshake(ours.get(), current.get());
  ASSERT_TRUE(fine.ok) << fine.error;
  EXPECT_EQ(fine.version, "TLSv1.3");
}

TEST(ClientTls, TheCaIsTheOnlyTrustAnchorAndAClientCertificateIsPresented) {
  const Identity server = self_signed("server");
  const Identity stranger = self_signed("stranger");
  const Identity client = self_signed("client");
  const Ctx srv = server_context(server, 0);
  SSL_CTX_set_verify(srv.get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  install_ca(srv.get(), client.cert_pem);

  Ctx wrong_ca = lax_client_context();
  configure_client(wrong_ca.get(), {stranger.cert_pem, client.cert_pem, client.key_pem});
  EXPECT_FALSE(handshake(wrong_ca.get(), srv.get()).ok) << "a server the CA did not sign was trusted";

  Ctx no_cert = lax_client_context();
  configure_client(no_cert.get(), {server.cert_pem, "", ""});
  const Handshake anonymous = handshake(no_cert.get(), srv.get());
  // With TLS 1.3 the client learns of the refusal after its side of the handshake is done.
  EXPECT_TRUE(!anonymous.ok || anonymous.version == "TLSv1.3");

  Ctx mtls = lax_client_context();
  configure_client(mtls.get(), {server.cert_pem, client.cert_pem, client.key_pem});
  const Handshake h = handshake(mtls.get(), srv.get());
  EXPECT_TRUE(h.ok) << h.error;
}

TEST(ClientTls, ErrorsNameThePieceInTheCallersWords) {
  const Identity a = self_signed("a");
  const Identity b = self_signed("b");
  const MaterialNames kube{"certificate-authority", "client-certificate", "client-key"};
  const auto error_of = [&](const ClientMaterial& m) {
    Ctx ctx(SSL_CTX_new(TLS_client_method()), SSL_CTX_free);
    try {
      configure_client(ctx.get(), m, kube);
    } catch (const TlsConfigError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(error_of({"not a certificate", "", ""}), "certificate-authority: no PEM certificate found");
  EXPECT_EQ(error_of({"", "garbage", "garbage"}), "client-certificate: no PEM certificate found");
  EXPECT_EQ(error_of({"", a.cert_pem, ""}), "client-key: missing (the client-certificate needs it)");
  EXPECT_EQ(error_of({"", "", a.key_pem}), "client-certificate: missing (the client-key needs it)");
  EXPECT_NE(error_of({"", a.cert_pem, b.key_pem}).find("client-key: does not match the client-certificate"),
            std::string::npos)
      << error_of({"", a.cert_pem, b.key_pem});
  EXPECT_EQ(error_of({a.cert_pem, a.cert_pem, a.key_pem}), "");
}

TEST(ClientTls, IpLiteralsAreRecognisedForSni) {
  EXPECT_TRUE(is_ip_literal("10.0.0.1"));
  EXPECT_TRUE(is_ip_literal("::1"));
  EXPECT_TRUE(is_ip_literal("[fd00::1]"));
  EXPECT_FALSE(is_ip_literal("kubernetes.default.svc"));
  EXPECT_FALSE(is_ip_literal("10.0.0.300"));
}

}  // namespace
}  // namespace droid::tls
