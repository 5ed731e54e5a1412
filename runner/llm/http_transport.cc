#include "llm/http_transport.h"

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cpprest/http_client.h>

#include "llm/cancel_watchdog.h"
#include "llm/error.h"
#include "tls/client_tls.h"

namespace droid::llm {
namespace {

using web::http::client::http_client;
using web::http::client::http_client_config;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string read_file(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(std::string(what) + " " + path + " cannot be read");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string percent_decode(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) != 0 &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2])) != 0) {
      out.push_back(static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// Why the last TLS handshake failed: cpprestsdk reports only "Error in SSL
// handshake", so an info callback on the context notes the alert the handshake
// ended with and the certificate verification result.
class TlsDiagnostics {
 public:
  explicit TlsDiagnostics(std::string host) : host_(std::move(host)) {}

  void install(SSL_CTX* ctx) {
    SSL_CTX_set_ex_data(ctx, index(), this);
    SSL_CTX_set_info_callback(ctx, &TlsDiagnostics::on_info);
  }

  // The last failure noted at or after `since` ("" when none).
  std::string since(std::chrono::steady_clock::time_point since) {
    std::lock_guard lock(mu_);
    return at_ >= since ? last_ : "";
  }

 private:
  // A slot of our own: boost::asio keeps its callbacks in the context's app data (slot 0).
  static int index() {
    static const int slot = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return slot;
  }

  static void on_info(const SSL* ssl, int where, int ret) {
    if ((where & SSL_CB_ALERT) == 0) return;
    auto* self = static_cast<TlsDiagnostics*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), index()));
    if (self == nullptr) return;
    const int description = ret & 0xff;
    if (description == SSL3_AD_CLOSE_NOTIFY) return;
    std::string why;
    if ((where & SSL_CB_WRITE) != 0) {  // we refused the server
      const long verify = SSL_get_verify_result(ssl);
      // X509_V_ERR_UNSPECIFIED: the chain was fine and the RFC 2818 name check said no.
      const bool name_refused =
          verify == X509_V_ERR_UNSPECIFIED ||
          (verify == X509_V_OK && (description == SSL3_AD_BAD_CERTIFICATE ||
                                   description == SSL3_AD_CERTIFICATE_UNKNOWN || description == TLS1_AD_UNKNOWN_CA));
      if (name_refused) {
        why = "certificate verify failed: the gateway's certificate is not valid for host " + self->host_;
      } else if (verify != X509_V_OK) {
        why = std::string("certificate verify failed: ") + X509_verify_cert_error_string(verify);
      } else {
        why = std::string("TLS alert sent: ") + SSL_alert_desc_string_long(ret);
      }
    } else {
      why = std::string("the gateway refused the handshake: ") + SSL_alert_desc_string_long(ret);
    }
    std::lock_guard lock(self->mu_);
    self->last_ = why;
    self->at_ = std::chrono::steady_clock::now();
  }

  std::string host_;
  std::mutex mu_;
  std::string last_;
  std::chrono::steady_clock::time_point at_;
};

struct TlsMaterial {
  std::string ca_pem;  // empty: the system store
  std::string cert_pem;
  std::string key_pem;
};

void configure_tls(boost::asio::ssl::context& ctx, const TlsMaterial& tls) {
  try {
    droid::tls::configure_client(ctx.native_handle(), {tls.ca_pem, tls.cert_pem, tls.key_pem},
                                 {"gateway CA bundle", "gateway client certificate", "gateway client key"});
  } catch (const droid::tls::TlsConfigError& e) {
    throw ConfigError(e.what());
  }
}

}  // namespace

std::string HttpHead::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

struct HttpTransport::Impl {
  web::uri base;
  std::string origin;  // scheme://authority, for messages
  std::string proxy_display;
  std::shared_ptr<TlsDiagnostics> tls_diagnostics;
  std::unique_ptr<http_client> client;
  std::chrono::milliseconds connect_timeout{0};
};

HttpTransport::HttpTransport(const GatewayConfig& config) : impl_(std::make_unique<Impl>()) {
  // OpenSSL before cpprestsdk's thread pool: its exit handler must run after the
  // pool's threads have ended, or their per-thread error state is never freed.
  OPENSSL_init_ssl(0, nullptr);
  web::uri parsed;
  try {
    parsed = web::uri(config.base_url);
  } catch (const web::uri_exception& e) {
    throw ConfigError("gateway base URL \"" + config.base_url + "\" is not a URL: " + e.what());
  }
  const std::string scheme = lower(parsed.scheme());
  if ((scheme != "http" && scheme != "https") || parsed.host().empty()) {
    throw ConfigError("gateway base URL \"" + config.base_url + "\" must be http:// or https://host[:port][/path]");
  }
  web::uri_builder origin;
  origin.set_scheme(scheme).set_host(parsed.host()).set_port(parsed.port());
  impl_->base = origin.to_uri();
  impl_->origin = impl_->base.to_string();
  if (!impl_->origin.empty() && impl_->origin.back() == '/') impl_->origin.pop_back();

  TlsMaterial tls;
  if (!config.ca_file.empty()) tls.ca_pem = read_file(config.ca_file, "gateway CA bundle");
  if (!config.ca_pem.empty()) tls.ca_pem += "\n" + config.ca_pem;
  if (config.client_cert_file.empty() != config.client_key_file.empty()) {
    throw ConfigError("gateway client certificate and key must be given together");
  }
  if (!config.client_cert_file.empty()) {
    tls.cert_pem = read_file(config.client_cert_file, "gateway client certificate");
    tls.key_pem = read_file(config.client_key_file, "gateway client key");
  }
  {
    // Fail here, naming the file, rather than in the first handshake.
    boost::asio::ssl::context probe(boost::asio::ssl::context::sslv23);
    configure_tls(probe, tls);
  }

  if (config.connect_timeout.count() <= 0 || config.idle_timeout.count() <= 0) {
    throw ConfigError("gateway connect and idle timeouts must be positive");
  }
  impl_->connect_timeout = config.connect_timeout;
  http_client_config cfg;
  cfg.set_timeout(std::chrono::duration_cast<std::chrono::microseconds>(config.idle_timeout));
  cfg.set_validate_certificates(true);
  cfg.set_tlsext_sni_enabled(!droid::tls::is_ip_literal(parsed.host()));
  impl_->tls_diagnostics = std::make_shared<TlsDiagnostics>(parsed.host());
  cfg.set_ssl_context_callback([tls, diagnostics = impl_->tls_diagnostics](boost::asio::ssl::context& ctx) {
    configure_tls(ctx, tls);
    diagnostics->install(ctx.native_handle());
  });

  const int port = parsed.port() > 0 ? parsed.port() : (scheme == "https" ? 443 : 80);
  const std::string proxy = proxy_for(scheme, parsed.host(), port, config.proxy);
  if (!proxy.empty()) {
    web::uri proxy_uri;
    try {
      proxy_uri = web::uri(proxy);
    } catch (const web::uri_exception&) {
      throw ConfigError("the proxy URL in HTTPS_PROXY/HTTP_PROXY is not a URL");  // it may hold credentials
    }
    if (lower(proxy_uri.scheme()) != "http") {
      throw ConfigError("proxy " + lower(proxy_uri.scheme()) + "://" + proxy_uri.host() +
                        " is not supported: only http:// proxies (https is tunnelled through CONNECT)");
    }
    web::uri_builder plain;
    plain.set_scheme("http").set_host(proxy_uri.host()).set_port(proxy_uri.port());
    web::web_proxy web_proxy(plain.to_uri());
    if (const std::string info = proxy_uri.user_info(); !info.empty()) {
      const auto colon = info.find(':');
      web_proxy.set_credentials(
          web::credentials(percent_decode(info.substr(0, colon)),
                           colon == std::string::npos ? "" : percent_decode(info.substr(colon + 1))));
    }
    cfg.set_proxy(web_proxy);
    impl_->proxy_display = plain.to_string();
  }
  impl_->client = std::make_unique<http_client>(impl_->base, cfg);
}

HttpTransport::~HttpTransport() = default;

const std::string& HttpTransport::proxy() const { return impl_->proxy_display; }

void HttpTransport::post(const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers,
                         const std::string& body, std::chrono::steady_clock::time_point deadline,
                         const std::function<void(const HttpHead&)>& on_head,
                         const std::function<void(std::string_view)>& on_body) {
  const web::uri target(url);
  web::http::http_request request(web::http::methods::POST);
  request.set_request_uri(target.resource());
  for (const auto& [name, value] : headers) request.headers().add(name, value);
  request.set_body(body, "application/json");

  const std::string where = "POST " + url;
  const auto now = std::chrono::steady_clock::now();
  if (deadline <= now) throw TimeoutError(where + ": the deadline passed before the request was sent");
  pplx::cancellation_token_source source;
  CancelWatchdog watchdog(deadline, source);
  // Connected once the request is written (TCP, proxy tunnel and TLS handshake
  // done): cpprestsdk reports upload progress after each write of the body.
  CancelWatchdog connect_watchdog(std::min(deadline, now + impl_->connect_timeout), source);
  request.set_progress_handler(
      [sent = connect_watchdog.disarmer()](web::http::message_direction::direction direction, utility::size64_t) {
        if (direction == web::http::message_direction::upload) sent();
      });
  const auto not_connected = [&] {
    return TransportError(where + (impl_->proxy_display.empty() ? "" : " via proxy " + impl_->proxy_display) +
                          ": no connection within " + std::to_string(impl_->connect_timeout.count()) +
                          " ms (connect timeout)");
  };
  const auto timed_out = [&] {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
    return TimeoutError(where + ": no complete answer within " + std::to_string(ms) + " ms");
  };
  bool answered = false;
  try {
    web::http::http_response response = impl_->client->request(request, source.get_token()).get();
    answered = true;
    HttpHead head;
    head.status = response.status_code();
    for (const auto& [name, value] : response.headers()) head.headers[lower(name)] = value;
    on_head(head);
    auto stream = response.body().streambuf();
    std::vector<std::uint8_t> chunk(std::size_t{16} * 1024);
    for (;;) {
      // getn(n) waits for n bytes or the end: ask for what is buffered, or 1 byte
      // to wait for the next piece.
      const std::size_t want = std::clamp<std::size_t>(stream.in_avail(), 1, chunk.size());
      const std::size_t n = stream.getn(chunk.data(), want).get();
      if (n == 0) break;
      on_body(std::string_view(reinterpret_cast<const char*>(chunk.data()), n));  // NOLINT(*-reinterpret-cast)
    }
  } catch (const web::http::http_exception& e) {
    if (watchdog.fired()) throw timed_out();
    if (connect_watchdog.fired()) throw not_connected();
    if (e.error_code() == std::errc::timed_out) {
      throw TransportError(where + ": the gateway sent nothing for " +
                           std::to_string(impl_->client->client_config().timeout<std::chrono::milliseconds>().count()) +
                           " ms (idle timeout)");
    }
    std::string message = e.what();
    // With TLS 1.3 a refused client certificate shows up at the first read, not in the handshake.
    const std::string tls = impl_->tls_diagnostics->since(now);
    if (!tls.empty()) message += ": " + tls;
    if (!tls.empty() || message.find("SSL") != std::string::npos) {
      message +=
          " (is the gateway's CA in the configured CA bundle, and does the gateway accept the client "
          "certificate?)";
    } else if (!answered && impl_->base.scheme() == "https") {
      message +=
          " (the gateway closed the TLS connection before answering; a gateway that requires a client "
          "certificate does so when none, or an untrusted one, is presented)";
    }
    throw TransportError(where + (impl_->proxy_display.empty() ? "" : " via proxy " + impl_->proxy_display) + ": " +
                         message);
  } catch (const pplx::task_canceled&) {
    if (watchdog.fired()) throw timed_out();
    if (connect_watchdog.fired()) throw not_connected();
    throw TransportError(where + ": cancelled");
  } catch (const std::system_error& e) {  // a body read after the connection closed
    if (watchdog.fired()) throw timed_out();
    if (connect_watchdog.fired()) throw not_connected();
    throw TransportError(where + ": " + e.what());
  } catch (...) {  // a callback refused the answer: close the connection rather than drain it
    source.cancel();
    throw;
  }
}

}  // namespace droid::llm
