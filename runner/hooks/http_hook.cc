#include "hooks/http_hook.h"

#include <condition_variable>
#include <exception>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cpprest/http_client.h>

#include "hooks/timeout_text.h"
#include "llm/cancel_watchdog.h"

namespace droid::runner::hooks {
namespace {

using web::http::client::http_client;
using web::http::client::http_client_config;

constexpr std::size_t kMaxBody = std::size_t{1} << 20;

HookResult failure(const std::string& why) {
  HookResult r;
  r.failed = true;
  r.error = why;
  return r;
}

// The trust store becomes exactly the certificates of `pem`; false if there are none.
bool install_ca(SSL_CTX* ctx, const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  if (!bio) return false;
  X509_STORE* store = X509_STORE_new();
  int count = 0;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    if (X509_STORE_add_cert(store, cert) == 1) ++count;
    X509_free(cert);
  }
  ERR_clear_error();  // the read that ended the loop left "no start line" behind
  SSL_CTX_set_cert_store(ctx, store);
  return count > 0;
}

bool is_ip_literal(std::string host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  return !ec;
}

}  // namespace

HookResult run_http_hook(Event event, const std::string& url, const std::map<std::string, std::string>& headers,
                         const std::string& input_json, std::chrono::milliseconds timeout, const std::string& ca_file) {
  // OpenSSL before cpprestsdk's thread pool: its exit handler must run after the
  // pool's threads have ended.
  OPENSSL_init_ssl(0, nullptr);
  std::string ca_pem;
  if (!ca_file.empty()) {
    std::ifstream in(ca_file, std::ios::binary);
    if (!in) return failure("CA bundle " + ca_file + " cannot be read");
    std::ostringstream s;
    s << in.rdbuf();
    ca_pem = s.str();
  }
  web::uri target;
  try {
    target = web::uri(url);
  } catch (const web::uri_exception& e) {
    return failure(std::string("not a URL: ") + e.what());
  }

  http_client_config cfg;
  // Longer than the deadline: the watchdog below is what ends a slow exchange.
  cfg.set_timeout(std::chrono::duration_cast<std::chrono::microseconds>(timeout + std::chrono::seconds(1)));
  cfg.set_validate_certificates(true);
  cfg.set_tlsext_sni_enabled(!is_ip_literal(target.host()));
  bool ca_ok = true;
  {
    boost::asio::ssl::context probe(boost::asio::ssl::context::sslv23);
    if (!ca_pem.empty()) ca_ok = install_ca(probe.native_handle(), ca_pem);
  }
  if (!ca_ok) return failure("CA bundle " + ca_file + ": no PEM certificate found");
  cfg.set_ssl_context_callback([ca_pem](boost::asio::ssl::context& ctx) {
    ctx.set_options(boost::asio::ssl::context::no_sslv2 | boost::asio::ssl::context::no_sslv3 |
                    boost::asio::ssl::context::no_tlsv1 | boost::asio::ssl::context::no_tlsv1_1);
    if (!ca_pem.empty()) install_ca(ctx.native_handle(), ca_pem);
  });

  web::uri_builder origin;
  origin.set_scheme(target.scheme()).set_host(target.host()).set_port(target.port());
  web::http::http_request request(web::http::methods::POST);
  request.set_request_uri(target.resource());
  for (const auto& [name, value] : headers) request.headers().add(name, value);
  request.set_body(input_json, "application/json");

  pplx::cancellation_token_source source;
  const auto started = std::chrono::steady_clock::now();
  try {
    http_client client(origin.to_uri(), cfg);
    llm::CancelWatchdog deadline(std::chrono::steady_clock::now() + timeout, source);
    try {
      web::http::http_response response = client.request(request, source.get_token()).get();
      const int status = response.status_code();
      std::string body;
      auto stream = response.body().streambuf();
      std::vector<std::uint8_t> chunk(std::size_t{16} * 1024);
      for (;;) {
        const std::size_t n = stream.getn(chunk.data(), chunk.size()).get();
        if (n == 0) break;
        body.append(chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(n));
        if (body.size() > kMaxBody) {
          source.cancel();
          return failure("answer longer than " + std::to_string(kMaxBody) + " bytes");
        }
      }
      return parse_http_result(event, status, body);
    } catch (const std::exception& e) {
      if (deadline.fired() || std::chrono::steady_clock::now() - started >= timeout) {
        return failure("timed out after " + timeout_text(timeout));
      }
      source.cancel();
      return failure(std::string("no answer: ") + e.what());
    }
  } catch (const std::exception& e) {
    return failure(std::string("no answer: ") + e.what());
  }
}

}  // namespace droid::runner::hooks
