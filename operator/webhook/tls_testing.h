// Test helpers for TLS servers (unit and e2e tests only, never the operator):
// a throw-away certificate authority issuing server certificates (OpenSSL C
// API, EC P-256), and a minimal HTTPS/1.1 client on raw sockets that verifies
// the server against a given CA and reports the certificate it was shown.
//
//   TestCa ca("test-ca");
//   IssuedCert leaf = ca.issue("webhook", {.ip_sans = {"127.0.0.1"}, .serial = 7});
//   HttpsAnswer a = https_request(port, ca.cert_pem(), post_request("/validate", "{}"));
//   EXPECT_EQ(a.status, 200); EXPECT_EQ(a.peer_serial, "07");
#pragma once

#include <string>
#include <vector>

namespace droid::op::testing {

struct IssueOptions {
  std::vector<std::string> ip_sans;   // e.g. "127.0.0.1"
  std::vector<std::string> dns_sans;  // e.g. "localhost"
  long serial = 1;
  int days = 1;
};

struct IssuedCert {
  std::string cert_pem;
  std::string key_pem;
};

class TestCa {
 public:
  explicit TestCa(const std::string& common_name);
  const std::string& cert_pem() const { return ca_.cert_pem; }
  // A server certificate (CN=common_name, serverAuth) signed by this CA.
  IssuedCert issue(const std::string& common_name, const IssueOptions& options) const;

 private:
  IssuedCert ca_;
};

struct HttpsAnswer {
  int status = 0;
  std::string headers;       // raw header block, lower-cased names not guaranteed
  std::string body;          // de-chunked
  std::string peer_subject;  // leaf subject (RFC 2253)
  std::string peer_serial;   // leaf serial, upper-case hex (as TlsCredentials::serial())
};

// "POST path HTTP/1.1" with a Content-Length body, Connection: close.
std::string post_request(const std::string& path, const std::string& body,
                         const std::string& content_type = "application/json");
// Any request line and body with Connection: close; chunked sends the body
// with Transfer-Encoding: chunked instead of Content-Length.
std::string http_request(const std::string& method, const std::string& path, const std::string& body,
                         bool chunked = false);

// Connects to 127.0.0.1:port, verifies the server's certificate against
// ca_pem and the IP 127.0.0.1, sends `request` and reads the answer.
// max_tls_version (e.g. TLS1_1_VERSION) caps the client's protocol; 0: none.
// Throws std::runtime_error on connection, handshake or verification failure.
HttpsAnswer https_request(int port, const std::string& ca_pem, const std::string& request, int max_tls_version = 0);

// A TCP port on 127.0.0.1 that was free a moment ago.
int free_tcp_port();

}  // namespace droid::op::testing
