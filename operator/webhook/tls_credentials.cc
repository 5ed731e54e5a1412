#include "webhook/tls_credentials.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <fstream>
#include <sstream>
#include <utility>

#include "log/log.h"

namespace droid::op {
namespace {

const log::Logger& logger() {
  static const log::Logger l("webhook.tls");
  return l;
}

// The queued OpenSSL errors as one line (and the queue cleared).
std::string openssl_errors() {
  std::string out;
  while (const unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw TlsCredentialsError("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

BioPtr memory_bio(const std::string& data) {
  BioPtr bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
  if (!bio) throw TlsCredentialsError("out of memory");
  return bio;
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

}  // namespace

TlsCredentials::TlsCredentials(const std::string& cert_pem, const std::string& key_pem) {
  ERR_clear_error();
  struct Cleanup {  // frees what was built when the constructor throws
    TlsCredentials* self;
    bool armed = true;
    ~Cleanup() {
      if (!armed) return;
      X509_free(self->leaf_);
      sk_X509_pop_free(self->chain_, X509_free);
      EVP_PKEY_free(self->key_);
    }
  } cleanup{this};

  BioPtr certs = memory_bio(cert_pem);
  leaf_ = PEM_read_bio_X509(certs.get(), nullptr, nullptr, nullptr);
  if (leaf_ == nullptr) throw TlsCredentialsError("the certificate file holds no PEM certificate: " + openssl_errors());
  chain_ = sk_X509_new_null();
  if (chain_ == nullptr) throw TlsCredentialsError("out of memory");
  while (X509* more = PEM_read_bio_X509(certs.get(), nullptr, nullptr, nullptr)) {
    if (sk_X509_push(chain_, more) == 0) {
      X509_free(more);
      throw TlsCredentialsError("out of memory");
    }
  }
  ERR_clear_error();  // the loop ends on a "no start line" error

  BioPtr key = memory_bio(key_pem);
  key_ = PEM_read_bio_PrivateKey(key.get(), nullptr, nullptr, nullptr);
  if (key_ == nullptr) throw TlsCredentialsError("the key file holds no PEM private key: " + openssl_errors());
  if (X509_check_private_key(leaf_, key_) != 1)
    throw TlsCredentialsError("the private key does not match the certificate: " + openssl_errors());

  BioPtr text(BIO_new(BIO_s_mem()));
  if (!text) throw TlsCredentialsError("out of memory");
  X509_NAME_print_ex(text.get(), X509_get_subject_name(leaf_), 0, XN_FLAG_RFC2253);
  subject_ = bio_text(text.get());
  BioPtr time(BIO_new(BIO_s_mem()));
  if (!time) throw TlsCredentialsError("out of memory");
  ASN1_TIME_print(time.get(), X509_get0_notAfter(leaf_));
  not_after_ = bio_text(time.get());
  BIGNUM* serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(leaf_), nullptr);
  if (serial != nullptr) {
    char* hex = BN_bn2hex(serial);
    if (hex != nullptr) serial_ = hex;
    OPENSSL_free(hex);
    BN_free(serial);
  }
  cleanup.armed = false;
}

TlsCredentials::~TlsCredentials() {
  X509_free(leaf_);
  sk_X509_pop_free(chain_, X509_free);
  EVP_PKEY_free(key_);
}

bool TlsCredentials::install(SSL_CTX* ctx) const {
  // TLS 1.2 minimum; no compression (CRIME), no renegotiation.
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) return false;
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (SSL_CTX_use_certificate(ctx, leaf_) != 1) return false;
  // set1: the context takes its own references, so a reload may free ours.
  if (SSL_CTX_set1_chain(ctx, chain_) != 1) return false;
  if (SSL_CTX_use_PrivateKey(ctx, key_) != 1) return false;
  return SSL_CTX_check_private_key(ctx) == 1;
}

ReloadingCredentials::ReloadingCredentials(std::string cert_file, std::string key_file)
    : cert_file_(std::move(cert_file)), key_file_(std::move(key_file)) {
  const std::string cert = read_file(cert_file_);
  const std::string key = read_file(key_file_);
  try {
    current_ = std::make_shared<const TlsCredentials>(cert, key);
  } catch (const TlsCredentialsError& e) {
    throw TlsCredentialsError(cert_file_ + ", " + key_file_ + ": " + e.what());
  }
  loaded_content_ = cert + key;
  logger().info("serving certificate loaded", {{"cert_file", cert_file_},
                                               {"subject", current_->subject()},
                                               {"serial", current_->serial()},
                                               {"not_after", current_->not_after()}});
}

bool ReloadingCredentials::reload() {
  std::string cert;
  std::string key;
  try {
    cert = read_file(cert_file_);
    key = read_file(key_file_);
  } catch (const TlsCredentialsError& e) {
    // A Secret volume swaps its files through a symlink: a missing file is
    // usually a moment in that swap, retried at the next reload.
    logger().warn("cannot read the serving certificate; keeping the one in use", {{"error", e.what()}});
    return false;
  }
  std::string content = cert + key;
  {
    const std::lock_guard lock(mu_);
    if (content == loaded_content_ || content == rejected_content_) return false;
  }
  std::shared_ptr<const TlsCredentials> fresh;
  try {
    fresh = std::make_shared<const TlsCredentials>(cert, key);
  } catch (const TlsCredentialsError& e) {
    const std::lock_guard lock(mu_);
    rejected_content_ = std::move(content);
    logger().error("new serving certificate refused; keeping the one in use", {{"cert_file", cert_file_},
                                                                               {"key_file", key_file_},
                                                                               {"error", e.what()},
                                                                               {"serial_in_use", current_->serial()}});
    return false;
  }
  const std::lock_guard lock(mu_);
  current_ = fresh;
  loaded_content_ = std::move(content);
  rejected_content_.clear();
  logger().info("serving certificate reloaded", {{"cert_file", cert_file_},
                                                 {"subject", fresh->subject()},
                                                 {"serial", fresh->serial()},
                                                 {"not_after", fresh->not_after()}});
  return true;
}

std::shared_ptr<const TlsCredentials> ReloadingCredentials::current() const {
  const std::lock_guard lock(mu_);
  return current_;
}

bool ReloadingCredentials::install(SSL_CTX* ctx) const { return current()->install(ctx); }

}  // namespace droid::op
