#include "webhook/tls_testing.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <system_error>

namespace droid::op::testing {
namespace {

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free>>;
using SslCtxPtr = std::unique_ptr<SSL_CTX, Deleter<SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, Deleter<SSL_free>>;

[[noreturn]] void fail(const std::string& what) {
  std::string detail;
  while (const unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    detail += std::string(detail.empty() ? "" : "; ") + buf;
  }
  throw std::runtime_error(what + (detail.empty() ? "" : ": " + detail));
}

PkeyPtr new_key() {
  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) fail("EC key generation");
  return key;
}

std::string pem_of(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) fail("PEM_write_bio_X509");
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::string pem_of(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    fail("PEM_write_bio_PrivateKey");
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

X509Ptr x509_from_pem(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) fail("PEM_read_bio_X509");
  return cert;
}

PkeyPtr key_from_pem(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) fail("PEM_read_bio_PrivateKey");
  return key;
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) fail("extension " + value);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// An unsigned certificate for `key` named CN=common_name, issued by `issuer` (itself when null).
X509Ptr make_cert(const std::string& common_name, EVP_PKEY* key, X509* issuer, long serial, int days) {
  X509Ptr cert(X509_new());
  if (!cert) fail("X509_new");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 60L * 60 * 24 * days);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                             -1, 0);
  X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer) : name);
  return cert;
}

void sign(X509* cert, EVP_PKEY* key) {
  if (X509_sign(cert, key, EVP_sha256()) == 0) fail("X509_sign");
}

}  // namespace

TestCa::TestCa(const std::string& common_name) {
  PkeyPtr key = new_key();
  X509Ptr cert = make_cert(common_name, key.get(), nullptr, 1, 2);
  add_extension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_extension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  add_extension(cert.get(), cert.get(), NID_subject_key_identifier, "hash");
  sign(cert.get(), key.get());
  ca_ = {pem_of(cert.get()), pem_of(key.get())};
}

IssuedCert TestCa::issue(const std::string& common_name, const IssueOptions& options) const {
  X509Ptr ca_cert = x509_from_pem(ca_.cert_pem);
  PkeyPtr ca_key = key_from_pem(ca_.key_pem);
  PkeyPtr key = new_key();
  X509Ptr cert = make_cert(common_name, key.get(), ca_cert.get(), options.serial, options.days);
  add_extension(cert.get(), ca_cert.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(cert.get(), ca_cert.get(), NID_key_usage, "critical,digitalSignature,keyEncipherment");
  add_extension(cert.get(), ca_cert.get(), NID_ext_key_usage, "serverAuth");
  add_extension(cert.get(), ca_cert.get(), NID_authority_key_identifier, "keyid:always");
  std::string sans;
  for (const auto& ip : options.ip_sans) sans += (sans.empty() ? "IP:" : ",IP:") + ip;
  for (const auto& dns : options.dns_sans) sans += (sans.empty() ? "DNS:" : ",DNS:") + dns;
  if (!sans.empty()) add_extension(cert.get(), ca_cert.get(), NID_subject_alt_name, sans);
  sign(cert.get(), ca_key.get());
  return {pem_of(cert.get()), pem_of(key.get())};
}

std::string post_request(const std::string& path, const std::string& body, const std::string& content_type) {
  return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + content_type +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

std::string http_request(const std::string& method, const std::string& path, const std::string& body, bool chunked) {
  std::string request = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  if (!chunked) return request + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  request += "Transfer-Encoding: chunked\r\n\r\n";
  constexpr std::size_t kChunk = std::size_t{64} * 1024;
  for (std::size_t at = 0; at < body.size(); at += kChunk) {
    const std::string part = body.substr(at, kChunk);
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", part.size());
    request += size + part + "\r\n";
  }
  return request + "0\r\n\r\n";
}

namespace {

std::string errno_text() { return std::error_code(errno, std::generic_category()).message(); }

struct Socket {
  int fd = -1;
  ~Socket() {
    if (fd >= 0) close(fd);
  }
};

std::string dechunk(const std::string& body) {
  std::string out;
  std::size_t at = 0;
  while (at < body.size()) {
    const std::size_t eol = body.find("\r\n", at);
    if (eol == std::string::npos) break;
    const std::size_t n = std::stoul(body.substr(at, eol - at), nullptr, 16);
    if (n == 0) break;
    out += body.substr(eol + 2, n);
    at = eol + 2 + n + 2;
  }
  return out;
}

}  // namespace

HttpsAnswer https_request(int port, const std::string& ca_pem, const std::string& request, int max_tls_version) {
  Socket sock;
  sock.fd = socket(AF_INET, SOCK_STREAM, 0);
  if (sock.fd < 0) throw std::runtime_error("socket: " + errno_text());
  timeval timeout{.tv_sec = 15, .tv_usec = 0};
  setsockopt(sock.fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt(sock.fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(sock.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    throw std::runtime_error("connect to 127.0.0.1:" + std::to_string(port) + ": " + errno_text());

  ERR_clear_error();
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) fail("SSL_CTX_new");
  if (max_tls_version != 0) {
    SSL_CTX_set_security_level(ctx.get(), 0);  // let old protocol versions be offered at all
    SSL_CTX_set_min_proto_version(ctx.get(), TLS1_VERSION);
    SSL_CTX_set_max_proto_version(ctx.get(), max_tls_version);
  }
  X509Ptr ca = x509_from_pem(ca_pem);
  if (X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx.get()), ca.get()) != 1) fail("X509_STORE_add_cert");
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  SslPtr ssl(SSL_new(ctx.get()));
  if (!ssl) fail("SSL_new");
  X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl.get()), "127.0.0.1");
  SSL_set_fd(ssl.get(), sock.fd);
  if (SSL_connect(ssl.get()) != 1) {
    const long verify = SSL_get_verify_result(ssl.get());
    fail(std::string("TLS handshake (verify: ") + X509_verify_cert_error_string(verify) + ")");
  }

  HttpsAnswer answer;
  if (X509* peer = SSL_get0_peer_certificate(ssl.get())) {
    BioPtr text(BIO_new(BIO_s_mem()));
    X509_NAME_print_ex(text.get(), X509_get_subject_name(peer), 0, XN_FLAG_RFC2253);
    char* data = nullptr;
    const long n = BIO_get_mem_data(text.get(), &data);
    answer.peer_subject.assign(data, static_cast<std::size_t>(n));
    BIGNUM* serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(peer), nullptr);
    char* hex = BN_bn2hex(serial);
    answer.peer_serial = hex;
    OPENSSL_free(hex);
    BN_free(serial);
  }

  std::size_t sent = 0;
  while (sent < request.size()) {
    const int n = SSL_write(ssl.get(), request.data() + sent, static_cast<int>(request.size() - sent));
    if (n <= 0) break;  // the server may answer (e.g. 413) and close before reading it all
    sent += static_cast<std::size_t>(n);
  }
  std::string raw;
  char buf[16384];
  for (;;) {
    const int n = SSL_read(ssl.get(), buf, sizeof buf);
    if (n <= 0) break;
    raw.append(buf, static_cast<std::size_t>(n));
    // Stop once a Content-Length answer is complete (the server may keep the connection).
    const std::size_t end = raw.find("\r\n\r\n");
    if (end == std::string::npos) continue;
    std::string head = raw.substr(0, end);
    for (auto& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::size_t cl = head.find("content-length:");
    if (cl != std::string::npos && raw.size() >= end + 4 + std::stoul(head.substr(cl + 15))) break;
  }
  const std::size_t end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.1 ", 0) != 0 || end == std::string::npos)
    throw std::runtime_error("no HTTP answer, got: " + raw.substr(0, 200));
  answer.status = std::stoi(raw.substr(9, 3));
  answer.headers = raw.substr(0, end);
  answer.body = raw.substr(end + 4);
  std::string head = answer.headers;
  for (auto& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (head.find("transfer-encoding: chunked") != std::string::npos) answer.body = dechunk(answer.body);
  return answer;
}

int free_tcp_port() {
  Socket sock;
  sock.fd = socket(AF_INET, SOCK_STREAM, 0);
  if (sock.fd < 0) throw std::runtime_error("socket: " + errno_text());
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(sock.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    throw std::runtime_error("bind: " + errno_text());
  socklen_t len = sizeof addr;
  getsockname(sock.fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin_port);
}

}  // namespace droid::op::testing
