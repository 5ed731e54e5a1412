#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without including it

#include "proxy.h"

#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include <openssl/x509v3.h>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <openssl/sha.h>

#include "credential.h"
#include "receive_pack.h"
#include "request_target.h"
#include "tls/client_tls.h"
#include "tls_client_hello.h"

namespace droid::egress {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;

namespace {

constexpr std::size_t kChunk = std::size_t{16} * 1024;
using RequestParser = http::request_parser<http::buffer_body>;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
           return std::tolower(x) == std::tolower(y);
         });
}

std::string sv(beast::string_view s) { return std::string(s.data(), s.size()); }

// The short reason label of the metrics for a refusal.
const char* refusal_label(Refusal r) {
  switch (r) {
    case Refusal::NoToken: return "no_token";
    case Refusal::UnknownToken: return "unknown_token";
    case Refusal::Finished: return "finished";
    case Refusal::Expired: return "expired";
    case Refusal::WrongSource: return "wrong_source";
    case Refusal::PodPending: return "pod_pending";
    case Refusal::None: break;
  }
  return "none";
}

template <class Stream>
beast::tcp_stream& lowest(Stream& s) {
  return beast::get_lowest_layer(s);
}

// A request the gateway answers itself (refusals, upstream failures).
awaitable<void> answer(beast::tcp_stream& client, http::status status, const std::string& text) {
  http::response<http::string_body> res{status, 11};
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.set(http::field::server, "droid-egress");
  if (status == http::status::proxy_authentication_required)
    res.set(http::field::proxy_authenticate, "Basic realm=\"droid-egress\"");
  res.keep_alive(false);
  res.body() = "droid-egress: " + text + "\n";
  res.prepare_payload();
  co_await http::async_write(client, res, use_awaitable);
}

// Writes one piece of a buffer_body message; need_buffer is the normal end of a piece.
template <class Stream, class Serializer>
awaitable<void> write_piece(Stream& out, Serializer& sr, http::buffer_body::value_type& body, char* data,
                            std::size_t size, bool more) {
  body.data = size == 0 ? nullptr : data;
  body.size = size;
  body.more = more;
  beast::error_code ec;
  co_await http::async_write(out, sr, asio::redirect_error(use_awaitable, ec));
  if (ec && ec != http::error::need_buffer) throw beast::system_error(ec);
}

// Reads what has arrived of a message's body into buf; returns the byte count.
template <class Stream, class Parser>
awaitable<std::size_t> read_piece(Stream& in, beast::flat_buffer& buffer, Parser& parser, char* buf) {
  auto& body = parser.get().body();
  body.data = buf;
  body.size = kChunk;
  beast::error_code ec;
  co_await http::async_read_some(in, buffer, parser, asio::redirect_error(use_awaitable, ec));
  if (ec && ec != http::error::need_buffer) throw beast::system_error(ec);
  co_return kChunk - parser.get().body().size;
}

std::string normalized_source(const tcp::endpoint& peer) {
  auto address = peer.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  return address.to_string();
}

// Copies bytes from one side of a tunnel to the other until either side ends, then
// closes both. Coroutine parameters, not lambda captures: a lambda coroutine's
// captures die with the closure, before the coroutine ends.
awaitable<void> pump(beast::tcp_stream& from, beast::tcp_stream& to, std::uint64_t& count, std::chrono::seconds idle) {
  std::array<char, kChunk> buf{};
  try {
    for (;;) {
      from.expires_after(idle);
      const std::size_t n = co_await from.async_read_some(asio::buffer(buf), use_awaitable);
      to.expires_after(idle);
      co_await asio::async_write(to, asio::buffer(buf.data(), n), use_awaitable);
      count += n;
    }
  } catch (const std::exception&) {
  }
  beast::error_code ignored;
  from.socket().close(ignored);
  to.socket().close(ignored);
}

// The end of a tunnel's second direction, awaited by the first.
struct TunnelEnd {
  explicit TunnelEnd(asio::io_context& io) : timer(io, asio::steady_timer::time_point::max()) {}
  asio::steady_timer timer;
  std::uint64_t bytes = 0;
  bool finished = false;
};

awaitable<void> pump_and_signal(beast::tcp_stream& from, beast::tcp_stream& to, std::shared_ptr<TunnelEnd> end,
                                std::chrono::seconds idle) {
  co_await pump(from, to, end->bytes, idle);
  end->finished = true;
  end->timer.cancel();
}

// The key of an upstream TLS configuration: destinations (of any session) with the same
// trust anchors and client certificate share one context (and its session cache).
std::string tls_id(const UpstreamTls& t) {
  std::string text;
  for (const std::string* part : {&t.ca_pem, &t.cert_pem, &t.key_pem}) {
    text += std::to_string(part->size());
    text += ':';
    text += *part;
  }
  std::array<unsigned char, SHA256_DIGEST_LENGTH> md{};
  SHA256(reinterpret_cast<const unsigned char*>(text.data()),  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
         text.size(), md.data());
  return {reinterpret_cast<const char*>(md.data()), md.size()};  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
}

}  // namespace

struct Proxy::Impl {
  ProxyOptions options;
  std::mutex tls_mu;
  std::map<std::string, std::shared_ptr<ssl::context>> tls;  // by tls_id()
  std::shared_ptr<SessionRegistry> sessions;
  std::shared_ptr<AuditLog> audit;
  std::shared_ptr<Metrics> metrics;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::optional<tcp::acceptor> ops;
  std::vector<std::thread> threads;

  // One request's bookkeeping: the audit record and the clock.
  struct Exchange {
    AuditRecord record;
    std::string session_uid;  // the identified session's DroidSession uid, for refusal events
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  };

  void done(Exchange& ex, const std::string& decision, const std::string& reason = "") {
    ex.record.decision = decision;
    ex.record.reason = reason;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - ex.start).count();
    ex.record.duration_ms = seconds * 1000;
    audit->write(ex.record);
    metrics->request(ex.record.destination.empty() ? "-" : ex.record.destination, decision, seconds);
    metrics->bytes(ex.record.bytes_up, ex.record.bytes_down);
  }

  // The request's session, from its token and source address (ex.record.source); a request
  // that has none is refused here (407 without a token, 403 otherwise).
  template <class Request>
  awaitable<Identity> identify(beast::tcp_stream& client, Exchange& ex, const Request& req) {
    const std::string token = session_token(sv(req[http::field::proxy_authorization]));
    Identity id = sessions->identify(token, ex.record.source, Clock::now());
    // A runner may start before the pod watch has its address: wait a little for it.
    if (id.refusal == Refusal::PodPending) {
      asio::steady_timer timer(client.get_executor());
      const auto deadline = std::chrono::steady_clock::now() + options.pod_wait;
      while (id.refusal == Refusal::PodPending && std::chrono::steady_clock::now() < deadline) {
        timer.expires_after(std::chrono::milliseconds(20));
        co_await timer.async_wait(use_awaitable);
        id = sessions->identify(token, ex.record.source, Clock::now());
      }
    }
    if (id.session) {
      ex.record.session = id.session->id;
      ex.session_uid = id.session->uid;
    }
    if (id.refusal != Refusal::None)
      co_await refuse(
          client, ex,
          id.refusal == Refusal::NoToken ? http::status::proxy_authentication_required : http::status::forbidden,
          refusal_label(id.refusal), to_string(id.refusal));
    co_return id;
  }

  awaitable<void> refuse(beast::tcp_stream& client, Exchange& ex, http::status status, const std::string& label,
                         const std::string& why) {
    ex.record.status = static_cast<int>(status);
    metrics->refusal(label);
    done(ex, "denied", why);
    if (options.on_refusal) options.on_refusal(ex.record, ex.session_uid);
    co_await answer(client, status, why);
  }

  static std::vector<const Destination*> allowed_for(const Session& s) {
    std::vector<const Destination*> out;
    out.reserve(s.destinations.size());
    for (const auto& d : s.destinations) out.push_back(&d);
    return out;
  }

  // The TLS client context for a destination's trust anchors and client certificate
  // (built on first use, shared by every destination with the same). Throws
  // droid::tls::TlsConfigError naming the destination.
  std::shared_ptr<ssl::context> tls_context(const Destination& d) {
    const std::string id = tls_id(d.tls);
    std::lock_guard lock(tls_mu);
    if (auto it = tls.find(id); it != tls.end()) return it->second;
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
    droid::tls::configure_client(
        ctx->native_handle(), {d.tls.ca_pem, d.tls.cert_pem, d.tls.key_pem},
        {"destination " + d.name + " CA bundle", "destination " + d.name + " client certificate",
         "destination " + d.name + " client key"});
    ctx->set_verify_mode(ssl::verify_peer);
    if (tls.size() >= 256) tls.clear();  // bounded: grants rarely differ in TLS material
    tls.emplace(id, ctx);
    return ctx;
  }

  awaitable<tcp::resolver::results_type> resolve(const Destination& d, const std::string& host, int port) {
    tcp::resolver resolver(io);
    co_return co_await resolver.async_resolve(d.address.empty() ? host : d.address, std::to_string(port),
                                              use_awaitable);
  }

  awaitable<beast::tcp_stream> connect(const Destination& d, const std::string& host, int port) {
    auto endpoints = co_await resolve(d, host, port);
    beast::tcp_stream up(io);
    up.expires_after(options.connect_timeout);
    co_await up.async_connect(endpoints, use_awaitable);
    up.socket().set_option(tcp::no_delay(true));
    co_return up;
  }

  awaitable<void> serve(tcp::socket socket);
  awaitable<bool> handle(beast::tcp_stream& client, beast::flat_buffer& buffer, RequestParser& parser,
                         const std::string& source);
  awaitable<void> tunnel(beast::tcp_stream& client, beast::flat_buffer& buffer, RequestParser& parser, Exchange& ex);
  template <class Stream>
  awaitable<bool> forward(beast::tcp_stream& client, beast::flat_buffer& buffer, RequestParser& parser, Stream& up,
                          const Destination& d, const RequestTarget& target, std::string& held, Exchange& ex);
  awaitable<void> serve_ops(tcp::socket socket);
  awaitable<void> accept_loop(tcp::acceptor& acceptor, bool ops_listener);
};

awaitable<void> Proxy::Impl::accept_loop(tcp::acceptor& from, bool ops_listener) {
  for (;;) {
    tcp::socket socket = co_await from.async_accept(use_awaitable);
    // One strand per connection: its coroutines (a tunnel has two) never run at once.
    asio::co_spawn(asio::make_strand(io), ops_listener ? serve_ops(std::move(socket)) : serve(std::move(socket)),
                   asio::detached);
  }
}

awaitable<void> Proxy::Impl::serve(tcp::socket socket) {
  metrics->connection_opened();
  try {
    socket.set_option(tcp::no_delay(true));
    const std::string source = normalized_source(socket.remote_endpoint());
    beast::tcp_stream client(std::move(socket));
    beast::flat_buffer buffer;
    for (;;) {
      RequestParser parser;
      parser.header_limit(64 * 1024);
      // Bodies stream through; nothing is held whole. (Not boost::none: Beast 1.74 compares
      // a Content-Length against an empty limit as if it were exceeded.)
      parser.body_limit(std::numeric_limits<std::uint64_t>::max());
      client.expires_after(options.idle_timeout);
      co_await http::async_read_header(client, buffer, parser, use_awaitable);
      if (!co_await handle(client, buffer, parser, source)) break;
    }
    beast::error_code ignored;
    client.socket().shutdown(tcp::socket::shutdown_send, ignored);
  } catch (const std::exception&) {
    // The client went away, timed out or sent something unparseable: the connection ends.
  }
  metrics->connection_closed();
}

awaitable<bool> Proxy::Impl::handle(beast::tcp_stream& client, beast::flat_buffer& buffer, RequestParser& parser,
                                    const std::string& source) {
  auto& req = parser.get();
  Exchange ex;
  ex.record.source = source;
  ex.record.method = sv(req.method_string());
  if (req.method() == http::verb::connect) {
    co_await tunnel(client, buffer, parser, ex);
    co_return false;
  }
  RequestTarget target;
  std::string why;
  if (!parse_absolute_target(sv(req.method_string()), sv(req.target()), target, why)) {
    co_await refuse(client, ex, http::status::bad_request, "bad_request", why);
    co_return false;
  }
  ex.record.host = target.host;
  ex.record.port = target.port;
  ex.record.path = target.path;
  const Identity id = co_await identify(client, ex, req);
  if (id.refusal != Refusal::None) co_return false;
  const auto match = match_request(allowed_for(*id.session), target, why);
  if (!match) {
    co_await refuse(client, ex, http::status::forbidden, "policy", why);
    co_return false;
  }
  const Destination& d = *match->destination;
  ex.record.destination = d.name;
  if (!d.unavailable.empty()) {
    co_await refuse(client, ex, http::status::service_unavailable, "unavailable",
                    "destination " + d.name + " is unavailable: " + d.unavailable);
    co_return false;
  }

  if (iequals(sv(req[http::field::expect]), "100-continue")) {
    req.erase(http::field::expect);
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    co_await asio::async_write(client, asio::buffer(kContinue.data(), kContinue.size()), use_awaitable);
  }

  // A push: its ref updates are checked before a byte goes upstream.
  std::string held;
  if (match->git == GitService::ReceivePack) {
    const auto encoding = sv(req[http::field::content_encoding]);
    if (!encoding.empty() && !iequals(encoding, "identity")) {
      co_await refuse(client, ex, http::status::forbidden, "push",
                      "a push with Content-Encoding " + encoding + " cannot be checked");
      co_return false;
    }
    RefUpdateParser commands;
    std::array<char, kChunk> buf{};
    while (commands.state() == RefUpdateParser::State::NeedMore && !parser.is_done()) {
      client.expires_after(options.idle_timeout);
      const std::size_t n = co_await read_piece(client, buffer, parser, buf.data());
      held.append(buf.data(), n);
      commands.feed({buf.data(), n});
    }
    if (commands.state() == RefUpdateParser::State::NeedMore) commands.finish();
    std::string refused = commands.state() == RefUpdateParser::State::Error
                              ? commands.error()
                              : check_push(commands.updates(), id.session->push_branch);
    if (!refused.empty()) {
      co_await refuse(client, ex, http::status::forbidden, "push", refused);
      co_return false;
    }
  }

  bool keep = false;
  bool started = false;  // the connection is up: a failure is in the exchange
  std::string failure;
  try {
    beast::tcp_stream up = co_await connect(d, target.host, target.port);
    if (d.tls.enabled) {
      const auto context = tls_context(d);
      ssl::stream<beast::tcp_stream> tls_up(std::move(up), *context);
      SSL* handle = tls_up.native_handle();
      if (droid::tls::is_ip_literal(target.host)) {
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(handle), target.host.c_str());
      } else {
        SSL_set_tlsext_host_name(handle, target.host.c_str());
        SSL_set1_host(handle, target.host.c_str());
      }
      lowest(tls_up).expires_after(options.connect_timeout);
      co_await tls_up.async_handshake(ssl::stream_base::client, use_awaitable);
      started = true;
      keep = co_await forward(client, buffer, parser, tls_up, d, target, held, ex);
    } else {
      started = true;
      keep = co_await forward(client, buffer, parser, up, d, target, held, ex);
    }
  } catch (const std::exception& e) {
    failure = std::string(started ? "upstream exchange: " : "upstream connection: ") + e.what();
  }
  if (!failure.empty()) {
    if (ex.record.status != 0) {  // the response had begun: nothing to do but close
      done(ex, "error", failure);
      co_return false;
    }
    ex.record.status = 502;
    done(ex, "error", failure);
    co_await answer(client, http::status::bad_gateway, "cannot reach destination " + d.name);
    co_return false;
  }
  done(ex, "allowed");
  co_return keep;
}

template <class Stream>
awaitable<bool> Proxy::Impl::forward(beast::tcp_stream& client, beast::flat_buffer& buffer, RequestParser& parser,
                                     Stream& up, const Destination& d, const RequestTarget& target, std::string& held,
                                     Exchange& ex) {
  auto& req = parser.get();
  const bool client_keep = req.keep_alive();
  const bool request_chunked = parser.chunked();
  const bool head = req.method() == http::verb::head;
  req.target(target.query.empty() ? target.path : target.path + "?" + target.query);
  rewrite_request_headers(req.base(), d.credential);
  const bool default_port = target.port == (d.tls.enabled ? 443 : 80);
  req.set(http::field::host, default_port ? target.host : target.host + ":" + std::to_string(target.port));
  if (request_chunked) req.chunked(true);
  req.keep_alive(false);  // one upstream connection per request

  // Request: header, then the body as it arrives.
  http::request_serializer<http::buffer_body> sr{req};
  lowest(up).expires_after(options.idle_timeout);
  co_await http::async_write_header(up, sr, use_awaitable);
  std::array<char, kChunk> buf{};
  if (!held.empty()) {
    ex.record.bytes_up += held.size();
    co_await write_piece(up, sr, req.body(), held.data(), held.size(), true);
  }
  while (!parser.is_done()) {
    client.expires_after(options.idle_timeout);
    const std::size_t n = co_await read_piece(client, buffer, parser, buf.data());
    ex.record.bytes_up += n;
    lowest(up).expires_after(options.idle_timeout);
    co_await write_piece(up, sr, req.body(), buf.data(), n, true);
  }
  if (!sr.is_done()) co_await write_piece(up, sr, req.body(), nullptr, 0, false);

  // Response: header, then the body piece by piece (SSE events go out as they come).
  beast::flat_buffer up_buffer;
  http::response_parser<http::buffer_body> rp;
  rp.body_limit(std::numeric_limits<std::uint64_t>::max());
  if (head) rp.skip(true);
  lowest(up).expires_after(options.idle_timeout);
  co_await http::async_read_header(up, up_buffer, rp, use_awaitable);
  auto& res = rp.get();
  const int status = static_cast<int>(res.result_int());
  if (status < 200) throw std::runtime_error("the destination sent an interim response");
  ex.record.status = status;
  const bool has_body = !head && status != 204 && status != 304;
  const bool response_chunked = rp.chunked();
  const bool framed = response_chunked || rp.content_length().has_value();
  remove_hop_by_hop(res.base());
  if (has_body && (response_chunked || !framed)) res.chunked(true);
  res.keep_alive(client_keep);
  http::response_serializer<http::buffer_body> rs{res};
  client.expires_after(options.idle_timeout);
  co_await http::async_write_header(client, rs, use_awaitable);
  while (!rp.is_done()) {
    lowest(up).expires_after(options.idle_timeout);
    const std::size_t n = co_await read_piece(up, up_buffer, rp, buf.data());
    ex.record.bytes_down += n;
    client.expires_after(options.idle_timeout);
    co_await write_piece(client, rs, res.body(), buf.data(), n, true);
  }
  if (!rs.is_done()) co_await write_piece(client, rs, res.body(), nullptr, 0, false);
  co_return client_keep;
}

awaitable<void> Proxy::Impl::tunnel(beast::tcp_stream& client, beast::flat_buffer& buffer, RequestParser& parser,
                                    Exchange& ex) {
  auto& req = parser.get();
  std::string host, why;
  int port = 0;
  if (!parse_authority(sv(req.target()), host, port, why)) {
    co_await refuse(client, ex, http::status::bad_request, "bad_request", why);
    co_return;
  }
  ex.record.host = host;
  ex.record.port = port;
  const Identity id = co_await identify(client, ex, req);
  if (id.refusal != Refusal::None) co_return;
  const Destination* d = match_tunnel(allowed_for(*id.session), host, port);
  if (d == nullptr) {
    co_await refuse(client, ex, http::status::forbidden, "policy",
                    "CONNECT " + host + ":" + std::to_string(port) + " is not a tunnel destination of this session");
    co_return;
  }
  ex.record.destination = d->name;
  static constexpr std::string_view kEstablished = "HTTP/1.1 200 Connection established\r\n\r\n";
  co_await asio::async_write(client, asio::buffer(kEstablished.data(), kEstablished.size()), use_awaitable);

  // The ClientHello must name the host the tunnel was opened to.
  std::string hello(static_cast<const char*>(buffer.data().data()), buffer.size());
  buffer.consume(buffer.size());
  std::string sni;
  HelloStatus status = HelloStatus::NeedMore;
  while ((status = read_client_hello_sni(hello, sni, why)) == HelloStatus::NeedMore && hello.size() < 16384 + 5) {
    std::array<char, 4096> more{};
    client.expires_after(options.idle_timeout);
    const std::size_t n = co_await client.async_read_some(asio::buffer(more), use_awaitable);
    hello.append(more.data(), n);
  }
  if (status != HelloStatus::Ok || sni != host) {
    ex.record.status = 403;
    metrics->refusal("sni");
    done(ex, "denied", status == HelloStatus::Ok ? "the TLS server name \"" + sni + "\" is not the CONNECT host" : why);
    co_return;  // the tunnel closes
  }
  beast::tcp_stream up = co_await connect(*d, host, port);
  co_await asio::async_write(up, asio::buffer(hello), use_awaitable);
  ex.record.bytes_up = hello.size();
  ex.record.status = 200;

  // Bytes both ways until either side closes or falls silent: the upstream direction
  // runs beside this coroutine (same strand) and signals its end through `shared`.
  auto shared = std::make_shared<TunnelEnd>(io);
  asio::co_spawn(co_await asio::this_coro::executor, pump_and_signal(client, up, shared, options.idle_timeout),
                 asio::detached);
  co_await pump(up, client, ex.record.bytes_down, options.idle_timeout);
  if (!shared->finished) {
    beast::error_code ec;
    co_await shared->timer.async_wait(asio::redirect_error(use_awaitable, ec));
  }
  ex.record.bytes_up += shared->bytes;
  done(ex, "allowed", "tunnel");
}

awaitable<void> Proxy::Impl::serve_ops(tcp::socket socket) {
  try {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    stream.expires_after(std::chrono::seconds(30));
    co_await http::async_read(stream, buffer, req, use_awaitable);
    http::response<http::string_body> res{http::status::ok, 11};
    res.keep_alive(false);
    std::string not_ready;
    if (req.target() == "/readyz" && options.readiness) not_ready = options.readiness();
    if (req.target() == "/metrics") {
      metrics->sessions(sessions->active(Clock::now()));
      res.set(http::field::content_type, "text/plain; version=0.0.4");
      res.body() = metrics->serialize();
    } else if (req.target() != "/healthz" && req.target() != "/readyz") {
      res.result(http::status::not_found);
      res.body() = "not found\n";
    } else if (!not_ready.empty()) {
      res.result(http::status::service_unavailable);
      res.body() = "not ready: " + not_ready + "\n";
    } else {
      res.body() = "ok\n";
    }
    res.prepare_payload();
    co_await http::async_write(stream, res, use_awaitable);
  } catch (const std::exception&) {
  }
}

Proxy::Proxy(ProxyOptions options, std::shared_ptr<SessionRegistry> sessions, std::shared_ptr<AuditLog> audit,
             std::shared_ptr<Metrics> metrics)
    : impl_(std::make_unique<Impl>()) {
  auto& m = *impl_;
  m.options = std::move(options);
  m.sessions = std::move(sessions);
  m.audit = std::move(audit);
  m.metrics = std::move(metrics);
  auto listen = [&](tcp::acceptor& acceptor, const std::string& host, int port) {
    const tcp::endpoint endpoint(asio::ip::make_address(host), static_cast<unsigned short>(port));
    acceptor.open(endpoint.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(asio::socket_base::max_listen_connections);
  };
  listen(m.acceptor, m.options.listen_host, m.options.listen_port);
  asio::co_spawn(m.io, m.accept_loop(m.acceptor, false), asio::detached);
  if (m.options.ops_port >= 0) {
    m.ops.emplace(m.io);
    listen(*m.ops, m.options.ops_host, m.options.ops_port);
    asio::co_spawn(m.io, m.accept_loop(*m.ops, true), asio::detached);
  }
  for (int i = 0; i < std::max(1, m.options.threads); ++i) m.threads.emplace_back([&m] { m.io.run(); });
}

Proxy::~Proxy() {
  impl_->io.stop();
  for (auto& t : impl_->threads) t.join();
}

int Proxy::port() const { return impl_->acceptor.local_endpoint().port(); }

int Proxy::ops_port() const { return impl_->ops ? impl_->ops->local_endpoint().port() : -1; }

}  // namespace droid::egress
