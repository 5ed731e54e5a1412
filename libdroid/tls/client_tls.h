// The TLS settings of every HTTPS client of the project (the Kubernetes client,
// the LLM gateway client, HTTP hooks), in one place so they cannot drift:
//   - TLS 1.2 at least, whatever the system's OpenSSL configuration would allow;
//   - with a CA bundle, its certificates are the only trust anchors (client-go's
//     behaviour; the system's roots are not consulted), else the system's roots;
//   - a client certificate chain and its key for mutual TLS, checked to match.
// configure_client() throws TlsConfigError naming the piece at fault with the
// caller's words for it ("certificate-authority: no PEM certificate found").
#pragma once

#include <stdexcept>
#include <string>

#include <openssl/types.h>

namespace droid::tls {

class TlsConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ClientMaterial {
  std::string ca_pem;    // empty: the system's roots
  std::string cert_pem;  // empty: no client certificate
  std::string key_pem;
};

// How the caller's configuration names each piece, for the errors.
struct MaterialNames {
  std::string ca = "CA bundle";
  std::string cert = "client certificate";
  std::string key = "client key";
};

void configure_client(SSL_CTX* ctx, const ClientMaterial& material, const MaterialNames& names = {});

// Makes the certificates of `pem` the context's only trust anchors; returns how many.
int install_ca(SSL_CTX* ctx, const std::string& pem);

// An IPv4 or IPv6 literal ("10.0.0.1", "[::1]"): not a valid SNI name.
bool is_ip_literal(const std::string& host);

}  // namespace droid::tls
