#include "tls/client_tls.h"

#include <arpa/inet.h>

#include <memory>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace droid::tls {
namespace {

using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;

Bio memory_bio(const std::string& pem) {
  return Bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
}

// The oldest error on OpenSSL's queue as text (the queue is cleared).
std::string openssl_error() {
  const unsigned long code = ERR_get_error();  // NOLINT(google-runtime-int): OpenSSL's type
  ERR_clear_error();
  if (code == 0) return "unknown error";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

void use_certificate_chain(SSL_CTX* ctx, const std::string& pem, const std::string& name) {
  Bio bio = memory_bio(pem);
  X509* leaf = bio ? PEM_read_bio_X509_AUX(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (leaf == nullptr) throw TlsConfigError(name + ": no PEM certificate found");
  const int used = SSL_CTX_use_certificate(ctx, leaf);
  X509_free(leaf);
  if (used != 1) throw TlsConfigError(name + ": " + openssl_error());
  SSL_CTX_clear_chain_certs(ctx);
  while (X509* intermediate = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    if (SSL_CTX_add0_chain_cert(ctx, intermediate) != 1) {  // takes ownership when it succeeds
      X509_free(intermediate);
      throw TlsConfigError(name + ": " + openssl_error());
    }
  }
  ERR_clear_error();  // the read that ended the loop left "no start line" behind
}

void use_private_key(SSL_CTX* ctx, const std::string& pem, const MaterialNames& names) {
  Bio bio = memory_bio(pem);
  EVP_PKEY* key = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (key == nullptr) throw TlsConfigError(names.key + ": no PEM private key found");
  const int used = SSL_CTX_use_PrivateKey(ctx, key);  // checks it against the certificate
  EVP_PKEY_free(key);
  if (used != 1 || SSL_CTX_check_private_key(ctx) != 1)
    throw TlsConfigError(names.key + ": does not match the " + names.cert + " (" + openssl_error() + ")");
}

}  // namespace

int install_ca(SSL_CTX* ctx, const std::string& pem) {
  Bio bio = memory_bio(pem);
  if (!bio) return 0;
  X509_STORE* store = X509_STORE_new();
  int count = 0;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    if (X509_STORE_add_cert(store, cert) == 1) ++count;
    X509_free(cert);
  }
  ERR_clear_error();                   // the read that ended the loop left "no start line" behind
  SSL_CTX_set_cert_store(ctx, store);  // takes ownership of store
  return count;
}

void configure_client(SSL_CTX* ctx, const ClientMaterial& material, const MaterialNames& names) {
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1)
    throw TlsConfigError("cannot require TLS 1.2: " + openssl_error());
  if (!material.ca_pem.empty() && install_ca(ctx, material.ca_pem) == 0)
    throw TlsConfigError(names.ca + ": no PEM certificate found");
  if (!material.cert_pem.empty()) {
    if (material.key_pem.empty()) throw TlsConfigError(names.key + ": missing (the " + names.cert + " needs it)");
    use_certificate_chain(ctx, material.cert_pem, names.cert);
    use_private_key(ctx, material.key_pem, names);
  } else if (!material.key_pem.empty()) {
    throw TlsConfigError(names.cert + ": missing (the " + names.key + " needs it)");
  }
}

bool is_ip_literal(const std::string& host) {
  std::string h = host;
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  unsigned char buf[16];
  return inet_pton(AF_INET, h.c_str(), buf) == 1 || inet_pton(AF_INET6, h.c_str(), buf) == 1;
}

}  // namespace droid::tls
