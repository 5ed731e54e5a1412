#include "llm/testing/scripted_gateway.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cpprest/http_listener.h>
#include <cpprest/producerconsumerstream.h>
#include <openssl/ssl.h>

#include "log/log.h"

namespace droid::llm::testing {
namespace {

using nlohmann::json;
using web::http::http_request;
using web::http::http_response;
using web::http::methods;
using web::http::experimental::listener::http_listener;
using web::http::experimental::listener::http_listener_config;

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A port nothing listens on right now (the listener binds it a moment later;
// a clash is retried).
int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&  // NOLINT(*-reinterpret-cast)
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {  // NOLINT(*-reinterpret-cast)
    port = ntohs(addr.sin_port);
  }
  close(fd);
  if (port == 0) throw std::runtime_error("no free port");
  return port;
}

void configure_tls(boost::asio::ssl::context& ctx, const GatewayOptions& o) {
  ctx.set_options(boost::asio::ssl::context::default_workarounds | boost::asio::ssl::context::no_sslv2 |
                  boost::asio::ssl::context::no_sslv3);
  ctx.use_certificate_chain_file(o.tls_cert_file);
  ctx.use_private_key_file(o.tls_key_file, boost::asio::ssl::context::pem);
  if (!o.client_ca_file.empty()) {
    ctx.load_verify_file(o.client_ca_file);
    ctx.set_verify_mode(boost::asio::ssl::verify_peer | boost::asio::ssl::verify_fail_if_no_peer_cert);
  }
}

bool is_secret_header(const std::string& name) {
  const std::string n = lower(name);
  return n == "authorization" || n == "x-api-key" || n == "proxy-authorization" || n == "cookie";
}

}  // namespace

struct ScriptedGateway::Impl {
  GatewayOptions options;
  std::string url;
  log::Logger log{"scripted-gateway"};

  mutable std::mutex mu;
  Script script;
  std::vector<std::size_t> failures_served;  // per turn
  std::vector<bool> used;                    // per turn
  json recorded = json::array();
  int seq = 0;

  std::unique_ptr<http_listener> listener;
  std::mutex threads_mu;
  std::condition_variable threads_cv;
  int active = 0;
  bool stopping = false;

  void reset(Script s) {
    std::lock_guard lock(mu);
    script = std::move(s);
    failures_served.assign(script.turns.size(), 0);
    used.assign(script.turns.size(), false);
  }

  // Sleeps unless the gateway is stopping.
  void pause(int ms) {
    if (ms <= 0) return;
    std::unique_lock lock(threads_mu);
    threads_cv.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopping; });
  }

  bool authorized(const http_request& req) const {
    const auto& h = req.headers();
    std::string value;
    if (h.match("x-api-key", value) && value == options.api_key) return true;
    return h.match("Authorization", value) && value == "Bearer " + options.api_key;
  }

  std::string presented_key(const http_request& req) const {
    const auto& h = req.headers();
    std::string value;
    if (h.match("x-api-key", value)) return value;
    if (h.match("Authorization", value)) return value.starts_with("Bearer ") ? value.substr(7) : value;
    return "";
  }

  void record(const http_request& req, const std::string& api, const json& body, bool stream, int status,
              const std::string& turn) {
    json headers = json::object();
    for (const auto& [name, value] : req.headers())
      headers[lower(name)] = is_secret_header(name) ? "[REDACTED]" : value;
    // When the request was received (its body read), in milliseconds since the epoch: the
    // benchmark's create -> first LLM request figure (bench/README.md) reads it.
    const auto received_at_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    json entry;
    {
      std::lock_guard lock(mu);
      entry = {{"seq", ++seq},
               {"method", req.method()},
               {"path", req.relative_uri().path()},
               {"api", api},
               {"stream", stream},
               {"headers", headers},
               {"body", body},
               {"status", status},
               {"turn", turn},
               {"receivedAtMs", received_at_ms}};
      recorded.push_back(entry);
    }
    if (!options.record_file.empty()) {
      std::lock_guard lock(mu);
      std::ofstream(options.record_file, std::ios::app) << entry.dump() << "\n";
    }
  }

  static void reply_json(const http_request& req, int status, const json& body) {
    http_response resp(static_cast<web::http::status_code>(status));
    resp.set_body(body.dump(), "application/json");
    req.reply(resp).wait();
  }

  void handle(http_request req) {
    const std::string path = req.relative_uri().path();
    const std::string method = req.method();
    if (method == methods::GET && path == "/healthz") {
      http_response ok(web::http::status_codes::OK);
      ok.set_body("ok");
      req.reply(ok).wait();
      return;
    }
    const bool openai = path.ends_with("/chat/completions");
    const bool anthropic = !openai && path.ends_with("/messages");
    const Api api = anthropic ? Api::Anthropic : Api::OpenAI;
    if (!authorized(req)) {
      const std::string key = presented_key(req);
      record(req, anthropic ? "anthropic" : (openai ? "openai" : ""), nullptr, false, 401, "");
      reply_json(
          req, 401,
          error_body(api, "authentication_error", key.empty() ? "no API key presented" : "invalid API key: " + key));
      return;
    }
    if (method == methods::GET && path == "/_gateway/requests") {
      std::lock_guard lock(mu);
      http_response resp(web::http::status_codes::OK);
      resp.set_body(recorded.dump(), "application/json");
      req.reply(resp).wait();
      return;
    }
    const std::string text = req.extract_utf8string(true).get();
    if (method == methods::PUT && path == "/_gateway/script") {
      try {
        Script next = parse_script(json::parse(text));
        const std::size_t turns = next.turns.size();
        reset(std::move(next));
        reply_json(req, 200, {{"turns", turns}});
      } catch (const std::exception& e) {
        reply_json(req, 400, {{"error", e.what()}});
      }
      return;
    }
    if (method != methods::POST || (!openai && !anthropic)) {
      record(req, "", nullptr, false, 404, "");
      reply_json(req, 404, error_body(api, "not_found_error", "no route " + method + " " + path));
      return;
    }
    const std::string api_name = to_string(api);
    auto body = json::parse(text, nullptr, false);
    std::string invalid = body.is_discarded() ? "the body is not JSON" : validate_request(api, body);
    std::string version;
    if (invalid.empty() && anthropic && !req.headers().match("anthropic-version", version)) {
      invalid = "anthropic-version: header is required";
    }
    const bool stream = body.is_object() && body.value("stream", false);
    if (!invalid.empty()) {
      record(req, api_name, body.is_discarded() ? json(text) : body, stream, 400, "");
      reply_json(req, 400, error_body(api, "invalid_request_error", invalid));
      return;
    }

    // Choose the turn and what it answers, under the lock.
    std::optional<Failure> failure;
    std::optional<Turn> turn;
    int seq_now = 0;
    {
      std::lock_guard lock(mu);
      for (std::size_t i = 0; i < script.turns.size(); ++i) {
        if (used[i] || !matches(script.turns[i], api, body)) continue;
        turn = script.turns[i];
        if (failures_served[i] < turn->failures.size()) {
          failure = turn->failures[failures_served[i]++];
        } else if (!turn->repeat) {
          used[i] = true;
        }
        break;
      }
      seq_now = seq + 1;
    }
    if (!turn) {
      record(req, api_name, body, stream, 400, "");
      reply_json(req, 400,
                 error_body(api, "invalid_request_error",
                            "no scripted turn matches (last message: \"" + last_message_text(api, body).substr(0, 200) +
                                "\")"));
      return;
    }
    if (failure) {
      record(req, api_name, body, stream, failure->status, turn->name);
      http_response resp(static_cast<web::http::status_code>(failure->status));
      if (!failure->retry_after.empty()) resp.headers().add("Retry-After", failure->retry_after);
      if (!failure->retry_after_ms.empty()) resp.headers().add("retry-after-ms", failure->retry_after_ms);
      for (const auto& [name, value] : failure->headers) resp.headers().add(name, value);
      if (failure->body) {
        resp.set_body(*failure->body, "text/plain");
      } else {
        resp.set_body(error_body(api, failure->type, failure->message).dump(), "application/json");
      }
      req.reply(resp).wait();
      return;
    }
    record(req, api_name, body, stream, 200, turn->name);
    pause(turn->delay_ms);
    const ScriptedResponse& r = turn->response;
    const std::string model = body.value("model", "");
    if (r.malformed) {
      http_response resp(web::http::status_codes::OK);
      resp.set_body(stream ? "data: {\"this is not\": the API\n\n" : "{\"this is not\": the API",
                    stream ? "text/event-stream" : "application/json");
      req.reply(resp).wait();
      return;
    }
    if (!stream || r.ignore_stream) {
      reply_json(req, 200, response_body(api, r, model, seq_now));
      return;
    }
    concurrency::streams::producer_consumer_buffer<std::uint8_t> buffer;
    http_response resp(web::http::status_codes::OK);
    resp.headers().add("Cache-Control", "no-cache");
    resp.set_body(concurrency::streams::istream(buffer), "text/event-stream");
    auto replied = req.reply(resp);
    const auto write = [&](const std::string& bytes) {
      buffer.putn_nocopy(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()).wait();  // NOLINT
      buffer.sync().wait();  // hand what is written to the connection now
    };
    for (const auto& event : stream_events(api, r, model, seq_now)) {
      if (r.split_events && event.size() > 1) {
        write(event.substr(0, event.size() / 2));
        pause(std::max(r.chunk_delay_ms, 5));
        write(event.substr(event.size() / 2));
      } else {
        write(event);
      }
      pause(r.chunk_delay_ms);
    }
    buffer.close(std::ios_base::out).wait();
    replied.wait();
  }

  void spawn(const http_request& req) {
    {
      std::lock_guard lock(threads_mu);
      if (stopping) {
        req.reply(web::http::status_codes::ServiceUnavailable);
        return;
      }
      ++active;
    }
    // A thread per request: answers sleep and stream, which must not happen on
    // cpprestsdk's thread pool.
    std::thread([this, req]() {
      try {
        handle(req);
      } catch (const std::exception& e) {
        log.warn("request failed", {{"error", e.what()}});
        try {
          req.reply(web::http::status_codes::InternalError).wait();
        } catch (...) {  // the connection is gone
        }
      }
      std::lock_guard lock(threads_mu);
      --active;
      threads_cv.notify_all();
    }).detach();
  }
};

ScriptedGateway::ScriptedGateway(Script script, GatewayOptions options) : impl_(std::make_unique<Impl>()) {
  // OpenSSL before cpprestsdk's thread pool: its exit handler must run after the
  // pool's threads have ended, or their per-thread error state is never freed.
  OPENSSL_init_ssl(0, nullptr);
  if (options.api_key.empty()) throw std::invalid_argument("the scripted gateway needs an API key");
  impl_->options = std::move(options);
  impl_->reset(std::move(script));
  const GatewayOptions& o = impl_->options;
  const web::uri listen(o.listen_url);
  const bool https = listen.scheme() == "https";
  if (https && (o.tls_cert_file.empty() || o.tls_key_file.empty())) {
    throw std::invalid_argument("an https listen URL needs a certificate and a key");
  }
  http_listener_config cfg;
  if (https) {
    try {
      boost::asio::ssl::context probe(boost::asio::ssl::context::sslv23);
      configure_tls(probe, o);
    } catch (const boost::system::system_error& e) {
      throw std::runtime_error(std::string("TLS certificate, key or client CA unusable: ") + e.what());
    }
    const GatewayOptions copy = o;
    cfg.set_ssl_context_callback([copy](boost::asio::ssl::context& ctx) { configure_tls(ctx, copy); });
  }
  for (int tries = 0;; ++tries) {
    web::uri_builder b;
    b.set_scheme(listen.scheme()).set_host(listen.host()).set_port(listen.port() > 0 ? listen.port() : free_port());
    impl_->url = b.to_string();
    if (impl_->url.ends_with("/")) impl_->url.pop_back();
    impl_->listener = std::make_unique<http_listener>(b.to_uri(), cfg);
    Impl* impl = impl_.get();
    impl_->listener->support([impl](const http_request& req) { impl->spawn(req); });
    try {
      impl_->listener->open().wait();
      break;
    } catch (const std::exception& e) {
      if (listen.port() > 0 || tries >= 5) throw std::runtime_error("cannot listen on " + impl_->url + ": " + e.what());
    }
  }
}

ScriptedGateway::~ScriptedGateway() {
  {
    std::lock_guard lock(impl_->threads_mu);
    impl_->stopping = true;
  }
  impl_->threads_cv.notify_all();
  try {
    impl_->listener->close().wait();
  } catch (...) {  // closing is best effort
  }
  std::unique_lock lock(impl_->threads_mu);
  impl_->threads_cv.wait(lock, [this] { return impl_->active == 0; });
}

std::string ScriptedGateway::url() const { return impl_->url; }

json ScriptedGateway::requests() const {
  std::lock_guard lock(impl_->mu);
  return impl_->recorded;
}

void ScriptedGateway::set_script(Script script) { impl_->reset(std::move(script)); }

std::size_t ScriptedGateway::unused_turns() const {
  std::lock_guard lock(impl_->mu);
  std::size_t n = 0;
  for (std::size_t i = 0; i < impl_->used.size(); ++i) n += impl_->used[i] ? 0 : 1;
  return n;
}

}  // namespace droid::llm::testing
