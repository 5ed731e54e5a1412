#include "metrics/ops_server.h"

#include <charconv>
#include <exception>
#include <stdexcept>

#include <cpprest/http_listener.h>

#include "log/log.h"

namespace droid::op {

namespace {

const droid::log::Logger& logger() {
  static const droid::log::Logger kLogger("ops-server");
  return kLogger;
}

// Runs a check; an exception is a failed check with its message.
std::pair<bool, std::string> run_check(const OpsServer::Check& check) {
  try {
    return check();
  } catch (const std::exception& e) {
    return {false, std::string("check failed: ") + e.what()};
  } catch (...) {
    return {false, "check failed"};
  }
}

OpsResponse probe_answer(const std::pair<bool, std::string>& result) {
  if (result.first) return {200, "ok"};
  return {503, result.second.empty() ? std::string("not ok") : result.second};
}

}  // namespace

ListenAddress parse_listen_address(std::string_view text) {
  const auto bad = [&text](const char* why) {
    return std::invalid_argument("listen address \"" + std::string(text) + "\": " + why +
                                 " (expected host:port or :port)");
  };
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) throw bad("no port");
  const std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  if (host.find_first_of("[]:") != std::string_view::npos) {
    // cpprestsdk's listener splits "host:port" at the first colon: no IPv6 literal.
    throw bad("IPv6 addresses are not supported by the listener; use an IPv4 address or a host name");
  }
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size()) throw bad("invalid port");
  if (port == 0 || port > 65535) throw bad("port out of range 1..65535");
  ListenAddress address;
  address.host = host.empty() ? std::string("0.0.0.0") : std::string(host);
  address.port = static_cast<std::uint16_t>(port);
  return address;
}

struct OpsServer::Impl {
  std::unique_ptr<web::http::experimental::listener::http_listener> listener;
};

OpsServer::OpsServer(const Metrics& metrics, Options options)
    : metrics_(metrics), options_(std::move(options)), impl_(std::make_unique<Impl>()) {
  if (!options_.readiness) throw std::invalid_argument("OpsServer: a readiness check is required");
  if (options_.address.port == 0) throw std::invalid_argument("OpsServer: port 0 is not supported");
}

OpsServer::~OpsServer() {
  try {
    stop();
  } catch (const std::exception& e) {
    logger().error("stopping the ops server failed", {{"error", e.what()}});
  }
}

std::string OpsServer::url() const {
  return "http://" + options_.address.host + ":" + std::to_string(options_.address.port);
}

OpsResponse OpsServer::respond(std::string_view method, std::string_view path) const {
  const bool known = path == "/metrics" || path == "/healthz" || path == "/readyz";
  if (!known) return {404, "not found"};
  if (method != "GET") return {405, "method not allowed"};
  if (path == "/metrics") return {200, metrics_.serialize(), kMetricsContentType};
  if (shutting_down()) return {503, "shutting down"};
  if (path == "/healthz")
    return options_.liveness ? probe_answer(run_check(options_.liveness)) : OpsResponse{200, "ok"};
  return probe_answer(run_check(options_.readiness));
}

void OpsServer::start() {
  const std::lock_guard lock(lifecycle_mu_);
  if (impl_->listener) throw std::logic_error("OpsServer: already started");
  auto listener = std::make_unique<web::http::experimental::listener::http_listener>(url() + "/");
  listener->support([this](const web::http::http_request& request) {
    OpsResponse answer;
    try {
      answer = respond(request.method(), request.relative_uri().path());
    } catch (const std::exception& e) {
      answer = {500, std::string("internal error: ") + e.what()};
    }
    web::http::http_response response(static_cast<web::http::status_code>(answer.status));
    if (answer.status == 405) response.headers().add("Allow", "GET");
    response.set_body(std::move(answer.body), answer.content_type);
    // The reply fails when the client went away; observe that so pplx does not
    // terminate on an unobserved exception. The antecedent is complete when this
    // task-based continuation runs, so get() does not block.
    request.reply(response).then([](const pplx::task<void>& sent) {
      try {
        sent.get();
      } catch (const std::exception& e) {
        logger().debug("ops reply not sent", {{"error", e.what()}});
      }
    });
  });
  try {
    listener->open().wait();
  } catch (const std::exception& e) {
    throw std::runtime_error("ops server: cannot listen on " + url() + ": " + e.what());
  }
  impl_->listener = std::move(listener);
  logger().info("ops server listening", {{"url", url()}});
}

void OpsServer::begin_shutdown() { shutting_down_.store(true); }

bool OpsServer::shutting_down() const { return shutting_down_.load(); }

void OpsServer::stop() {
  const std::lock_guard lock(lifecycle_mu_);
  if (!impl_->listener) return;
  auto listener = std::move(impl_->listener);
  listener->close().wait();
  logger().info("ops server stopped", {{"url", url()}});
}

}  // namespace droid::op
