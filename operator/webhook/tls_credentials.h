// A TLS server certificate and private key read from PEM files and re-read when
// the files change, for a server that must not restart (or drop its port) when
// cert-manager or a Secret volume rotates them.
//
//   ReloadingCredentials creds("/certs/tls.crt", "/certs/tls.key");  // throws if unusable
//   creds.reload();              // re-reads the files; a bad new pair keeps the old one
//   creds.install(ssl_ctx);      // per connection: TLS >= 1.2, the current cert/key
//
// The certificate file may hold a chain (leaf first, then intermediates). A new
// pair is taken only whole: it must parse and the key must match the leaf.
// Otherwise the error is logged (logger "webhook.tls") once per distinct bad
// content and the previous pair stays in use; a half-written rotation (new
// certificate, old key) is simply retried at the next reload. Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

#include <openssl/x509.h>

namespace droid::op {

class TlsCredentialsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One parsed, consistent certificate chain and key (immutable once built).
class TlsCredentials {
 public:
  // Throws TlsCredentialsError naming what is wrong.
  TlsCredentials(const std::string& cert_pem, const std::string& key_pem);
  ~TlsCredentials();
  TlsCredentials(const TlsCredentials&) = delete;
  TlsCredentials& operator=(const TlsCredentials&) = delete;

  // Puts them on `ctx` with a TLS 1.2 minimum. Returns false (never throws) when
  // OpenSSL refuses; the caller then drops the connection.
  bool install(SSL_CTX* ctx) const;

  const std::string& subject() const { return subject_; }  // of the leaf, one line (RFC 2253)
  const std::string& serial() const { return serial_; }    // of the leaf, upper-case hex
  const std::string& not_after() const { return not_after_; }

 private:
  X509* leaf_ = nullptr;
  STACK_OF(X509) * chain_ = nullptr;  // intermediates, may be empty
  EVP_PKEY* key_ = nullptr;
  std::string subject_;
  std::string serial_;
  std::string not_after_;
};

class ReloadingCredentials {
 public:
  // Reads both files now; throws TlsCredentialsError when they cannot be used.
  ReloadingCredentials(std::string cert_file, std::string key_file);

  // Re-reads the files; takes a changed, valid pair. Returns true when the
  // credentials in use changed. Never throws.
  bool reload();

  // The pair in use (never null).
  std::shared_ptr<const TlsCredentials> current() const;

  // current()->install(ctx).
  bool install(SSL_CTX* ctx) const;

  const std::string& cert_file() const { return cert_file_; }
  const std::string& key_file() const { return key_file_; }

 private:
  std::string cert_file_;
  std::string key_file_;
  mutable std::mutex mu_;
  std::shared_ptr<const TlsCredentials> current_;
  std::string loaded_content_;    // cert + key bytes of the pair in use
  std::string rejected_content_;  // of the last pair refused (logged once)
};

}  // namespace droid::op
