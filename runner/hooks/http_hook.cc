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
#include "tls/client_tls.h"

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
  cfg.set_tlsext_sni_enabled(!droid::tls::is_ip_literal(target.host()));
  const droid::tls::MaterialNames names{"CA bundle " + ca_file, "client certificate", "client key"};
  try {
    boost::asio::ssl::context probe(boost::asio::ssl::context::sslv23);
    droid::tls::configure_client(probe.native_handle(), {ca_pem, "", ""}, names);
  } catch (const droid::tls::TlsConfigError& e) {
    return failure(e.what());
  }
  cfg.set_ssl_context_callback([ca_pem, names](boost::asio::ssl::context& ctx) {
    droid::tls::configure_client(ctx.native_handle(), {ca_pem, "", ""}, names);
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
