#include "webhook/https_json_server.h"

#include <cpprest/http_listener.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/ssl.hpp>
#include <mutex>
#include <set>
#include <stdexcept>
#include <utility>
#include <vector>

#include "log/log.h"

namespace droid::op {
namespace {

namespace http = web::http;
using json = nlohmann::json;

const log::Logger& logger() {
  static const log::Logger l("webhook.https");
  return l;
}

// What every request handler closure shares; outlives the listener's last task.
struct Routes {
  std::map<std::string, JsonHandler> handlers;
  std::size_t max_body_bytes = 0;
};

void reply(const http::http_request& request, http::status_code code, const json& body) {
  http::http_response response(code);
  if (code == http::status_codes::MethodNotAllowed) response.headers().add(http::header_names::allow, "POST");
  response.set_body(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
  // Observe the reply's outcome (a client gone away) so pplx never reports an
  // unobserved exception; t.get() does not block: t has finished.
  request.reply(response).then([](const pplx::task<void>& t) {
    try {
      t.get();
    } catch (const std::exception& e) {
      logger().debug("reply not sent", {{"error", e.what()}});
    }
  });
}

void reply_error(const http::http_request& request, http::status_code code, const std::string& message) {
  reply(request, code, json{{"error", message}});
}

void answer(const std::shared_ptr<const Routes>& routes, const JsonHandler& handler, const std::string& path,
            const http::http_request& request, const std::vector<unsigned char>& body) {
  if (body.size() > routes->max_body_bytes) {
    reply_error(request, http::status_codes::RequestEntityTooLarge,
                "the request body is larger than " + std::to_string(routes->max_body_bytes) + " bytes");
    return;
  }
  json in = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (in.is_discarded()) {
    reply_error(request, http::status_codes::BadRequest, "the request body is not a JSON document");
    return;
  }
  json out;
  try {
    out = handler(in);
  } catch (const std::exception& e) {
    logger().error("handler failed", {{"path", path}, {"error", e.what()}});
    reply_error(request, http::status_codes::InternalError, "internal error");
    return;
  } catch (...) {
    logger().error("handler failed", {{"path", path}, {"error", "unknown exception"}});
    reply_error(request, http::status_codes::InternalError, "internal error");
    return;
  }
  reply(request, http::status_codes::OK, out);
}

void handle(const std::shared_ptr<const Routes>& routes, const http::http_request& request) {
  const std::string path = web::uri::decode(request.relative_uri().path());
  const auto route = routes->handlers.find(path);
  if (route == routes->handlers.end()) {
    reply_error(request, http::status_codes::NotFound, "no endpoint at this path");
    return;
  }
  if (request.method() != http::methods::POST) {
    reply_error(request, http::status_codes::MethodNotAllowed, "only POST is served at " + path);
    return;
  }
  // Refused from the header when it says so; cpprestsdk still reads (and drops)
  // the body before it writes the answer.
  if (request.headers().content_length() > routes->max_body_bytes) {
    reply_error(request, http::status_codes::RequestEntityTooLarge,
                "the request body is larger than " + std::to_string(routes->max_body_bytes) + " bytes");
    return;
  }
  // Continues once the body is in, without holding a pool thread meanwhile.
  request.extract_vector().then(
      [routes, handler = route->second, path, request](const pplx::task<std::vector<unsigned char>>& t) {
        std::vector<unsigned char> body;
        try {
          body = t.get();  // finished: does not block
        } catch (const std::exception& e) {
          reply_error(request, http::status_codes::BadRequest,
                      std::string("the request body could not be read: ") + e.what());
          return;
        }
        answer(routes, handler, path, request, body);
      });
}

// The address:ports this process listens on. cpprestsdk shares one acceptor per
// host:port among its listeners, and when registering a second listener on
// one fails it erases the shared acceptor, silently stopping the first
// server: refuse that case before cpprestsdk sees it.
class PortRegistry {
 public:
  bool claim(const std::string& host_port) {
    const std::lock_guard lock(mu_);
    return claimed_.insert(host_port).second;
  }
  void release(const std::string& host_port) {
    const std::lock_guard lock(mu_);
    claimed_.erase(host_port);
  }

 private:
  std::mutex mu_;
  std::set<std::string> claimed_;
};

PortRegistry& ports() {
  static PortRegistry registry;
  return registry;
}

}  // namespace

struct HttpsJsonServer::Impl {
  std::unique_ptr<http::experimental::listener::http_listener> listener;
};

HttpsJsonServer::HttpsJsonServer(HttpsJsonServerOptions options, std::map<std::string, JsonHandler> routes)
    : options_(std::move(options)), routes_(std::move(routes)), impl_(std::make_unique<Impl>()) {
  if (options_.port <= 0 || options_.port > 65535)
    throw std::invalid_argument("port must be within 1..65535 (cpprestsdk cannot report the port 0 would pick), not " +
                                std::to_string(options_.port));
  if (routes_.empty()) throw std::invalid_argument("no routes to serve");
  for (const auto& [path, handler] : routes_)
    if (path.empty() || path[0] != '/' || !handler) throw std::invalid_argument("bad route '" + path + "'");
}

HttpsJsonServer::~HttpsJsonServer() {
  try {
    stop();
  } catch (const std::exception& e) {
    logger().error("stop failed", {{"error", e.what()}});
  }
}

std::string HttpsJsonServer::base_url() const {
  return "https://" + options_.address + ":" + std::to_string(options_.port);
}

void HttpsJsonServer::start() {
  if (impl_->listener) return;
  credentials_ = std::make_shared<ReloadingCredentials>(options_.cert_file, options_.key_file);

  http::experimental::listener::http_listener_config config;
  // Called by cpprestsdk for every accepted connection, on its accept path:
  // no file I/O here, only the parsed credentials. cpprestsdk drops the
  // connection on a boost::system::system_error, and nothing else may escape.
  config.set_ssl_context_callback([credentials = credentials_](boost::asio::ssl::context& ctx) {
    if (!credentials->install(ctx.native_handle()))
      throw boost::system::system_error(
          boost::system::error_code(static_cast<int>(ERR_get_error()), boost::asio::error::get_ssl_category()),
          "cannot install the serving certificate");
  });

  auto routes = std::make_shared<Routes>();
  routes->handlers = routes_;
  routes->max_body_bytes = options_.max_body_bytes;
  auto listener = std::make_unique<http::experimental::listener::http_listener>(base_url() + "/", config);
  listener->support(
      [routes = std::shared_ptr<const Routes>(routes)](const http::http_request& request) { handle(routes, request); });
  if (!ports().claim(base_url()))
    throw std::runtime_error("cannot listen on " + base_url() + ": this process already serves it");
  try {
    listener->open().wait();  // the caller's thread, not the pool's
  } catch (const std::exception& e) {
    ports().release(base_url());
    throw std::runtime_error("cannot listen on " + base_url() + ": " + e.what());
  }
  impl_->listener = std::move(listener);
  reload_thread_ = std::jthread([this](const std::stop_token& stop) { reload_loop(stop); });
  logger().info("listening", {{"url", base_url()}, {"routes", [&] {
                                                      json paths = json::array();
                                                      for (const auto& [path, unused] : routes_) paths.push_back(path);
                                                      return paths;
                                                    }()}});
}

void HttpsJsonServer::stop() {
  if (reload_thread_.joinable()) {
    reload_thread_.request_stop();
    reload_cv_.notify_all();
    reload_thread_.join();
  }
  if (!impl_->listener) return;
  auto listener = std::move(impl_->listener);
  listener->close().wait();
  ports().release(base_url());
  logger().info("stopped", {{"url", base_url()}});
}

void HttpsJsonServer::reload_loop(const std::stop_token& stop) {
  std::unique_lock lock(reload_mu_);
  while (!stop.stop_requested()) {
    reload_cv_.wait_for(lock, stop, options_.reload_interval, [] { return false; });
    if (stop.stop_requested()) break;
    lock.unlock();
    credentials_->reload();
    lock.lock();
  }
}

bool HttpsJsonServer::reload_credentials() {
  if (!credentials_) throw std::logic_error("reload_credentials() before start()");
  return credentials_->reload();
}

std::shared_ptr<const TlsCredentials> HttpsJsonServer::credentials() const {
  return credentials_ ? credentials_->current() : nullptr;
}

}  // namespace droid::op
