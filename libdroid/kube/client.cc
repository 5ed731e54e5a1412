#include "kube/client.h"

#include <cctype>
#include <memory>
#include <utility>

#include <cpprest/http_client.h>

#include "kube/client_impl.h"
#include "kube/error.h"
#include "tls/client_tls.h"

namespace droid::kube {
namespace {

using web::http::http_request;
using web::http::client::http_client;
using web::http::client::http_client_config;

// TLS 1.2 at least; the configured CA is the only trust anchor (client-go trusts
// only it, not the system's roots); the client certificate for mutual TLS.
void configure_tls(boost::asio::ssl::context& ctx, const Config& config) {
  try {
    tls::configure_client(ctx.native_handle(), {config.ca_pem, config.client_cert_pem, config.client_key_pem},
                          {"certificate-authority", "client-certificate", "client-key"});
  } catch (const tls::TlsConfigError& e) {
    throw ConfigError(e.what());
  }
}

nlohmann::json parse_or_throw(const Response& response) {
  if (response.status < 200 || response.status >= 300) throw api_error_from_response(response.status, response.body);
  if (response.body.empty()) return nullptr;
  auto doc = nlohmann::json::parse(response.body, nullptr, false);
  if (doc.is_discarded()) throw ApiError(response.status, "", "the response is not JSON", response.body);
  return doc;
}

std::string metadata_field(const nlohmann::json& object, const char* field) {
  if (!object.is_object()) return "";
  auto md = object.find("metadata");
  if (md == object.end() || !md->is_object()) return "";
  auto it = md->find(field);
  return it != md->end() && it->is_string() ? it->get<std::string>() : "";
}

std::string object_path(const Resource& r, const nlohmann::json& object, bool with_name,
                        const std::string& subresource = "") {
  const std::string name = metadata_field(object, "name");
  if (with_name && name.empty()) throw std::invalid_argument("the object has no metadata.name");
  const std::string ns = r.namespaced ? metadata_field(object, "namespace") : "";
  if (r.namespaced && ns.empty()) throw std::invalid_argument("the object has no metadata.namespace");
  return r.path(ns, with_name ? name : "", subresource);
}

}  // namespace

std::string Resource::path(const std::string& ns, const std::string& name, const std::string& subresource) const {
  std::string p = group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
  if (namespaced && !ns.empty()) p += "/namespaces/" + url_encode(ns);
  p += "/" + plural;
  if (!name.empty()) p += "/" + url_encode(name);
  if (!subresource.empty()) p += "/" + subresource;
  return p;
}

std::string url_encode(const std::string& value) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

std::string query_string(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string q;
  for (const auto& [name, value] : params) {
    if (value.empty()) continue;
    q += q.empty() ? "?" : "&";
    q += name + "=" + url_encode(value);
  }
  return q;
}

Client::Impl::Impl(Config c, ClientOptions o)
    : config(std::move(c)),
      options(o),
      http(make_http_client(options.request_timeout)),
      limiter(options.qps, options.burst) {}

http_client Client::Impl::make_http_client(std::chrono::seconds read_timeout) const {
  http_client_config cfg;
  cfg.set_timeout(read_timeout);
  cfg.set_validate_certificates(!config.insecure_skip_tls_verify);
  const web::uri base(config.server);
  // cpprestsdk sends the URI's host as SNI, and an IP literal is not a valid SNI name:
  // OpenSSL or the server may refuse the handshake. Only send SNI for DNS names.
  cfg.set_tlsext_sni_enabled(!tls::is_ip_literal(base.host()));
  Config tls = config;  // the callback runs on cpprestsdk's threads for every new connection
  cfg.set_ssl_context_callback([tls](boost::asio::ssl::context& ctx) { configure_tls(ctx, tls); });
  return http_client(base, cfg);
}

http_request Client::Impl::make_request(const std::string& method, const std::string& path_and_query) const {
  http_request req(method);
  req.set_request_uri(web::uri(path_and_query));
  req.headers().add("Accept", "application/json");
  req.headers().add("User-Agent", "droid-operator/" DROID_VERSION);
  if (const std::string token = config.bearer_token(); !token.empty()) {
    req.headers().add("Authorization", "Bearer " + token);
  }
  return req;
}

Client::Client(Config config, ClientOptions options) {
  if (config.server.empty()) throw ConfigError("no API server address");
  {
    // Fail here, with the field's name, rather than inside cpprestsdk's first handshake.
    boost::asio::ssl::context probe(boost::asio::ssl::context::sslv23);
    configure_tls(probe, config);
  }
  impl_ = std::make_unique<Impl>(std::move(config), options);
}

Client::~Client() = default;

const Config& Client::config() const { return impl_->config; }

Response Client::request(const std::string& method, const std::string& path_and_query, const std::string& body,
                         const std::string& content_type) {
  impl_->limiter.wait();
  auto req = impl_->make_request(method, path_and_query);
  if (!body.empty()) req.set_body(body, content_type);
  try {
    auto response = impl_->http.request(req).get();
    Response out;
    out.status = response.status_code();
    out.body = response.extract_utf8string(/*ignore_content_type=*/true).get();
    return out;
  } catch (const web::http::http_exception& e) {
    throw TransportError(method + " " + impl_->config.server + path_and_query + ": " + e.what());
  } catch (const pplx::task_canceled&) {
    throw TransportError(method + " " + impl_->config.server + path_and_query + ": cancelled");
  }
}

nlohmann::json Client::get(const Resource& r, const std::string& ns, const std::string& name,
                           const std::string& subresource) {
  return parse_or_throw(request("GET", r.path(ns, name, subresource)));
}

std::string Client::read_log(const std::string& ns, const std::string& pod, const LogOptions& o) {
  const std::string q = query_string({{"container", o.container},
                                      {"tailLines", o.tail_lines > 0 ? std::to_string(o.tail_lines) : ""},
                                      {"limitBytes", o.limit_bytes > 0 ? std::to_string(o.limit_bytes) : ""}});
  Response r = request("GET", kPods.path(ns, pod, "log") + q);
  if (r.status < 200 || r.status >= 300) throw api_error_from_response(r.status, r.body);
  return std::move(r.body);
}

nlohmann::json Client::list(const Resource& r, const std::string& ns, const ListOptions& o) {
  const std::string q = query_string({{"labelSelector", o.label_selector},
                                      {"fieldSelector", o.field_selector},
                                      {"limit", o.limit > 0 ? std::to_string(o.limit) : ""},
                                      {"continue", o.continue_token},
                                      {"resourceVersion", o.resource_version},
                                      {"resourceVersionMatch", o.resource_version_match}});
  return parse_or_throw(request("GET", r.path(ns) + q));
}

nlohmann::json Client::create(const Resource& r, const nlohmann::json& object) {
  return parse_or_throw(request("POST", object_path(r, object, false), object.dump()));
}

nlohmann::json Client::replace(const Resource& r, const nlohmann::json& object, const std::string& subresource) {
  return parse_or_throw(request("PUT", object_path(r, object, true, subresource), object.dump()));
}

nlohmann::json Client::patch(const Resource& r, const std::string& ns, const std::string& name, PatchType type,
                             const nlohmann::json& patch, const std::string& subresource) {
  const char* content_type = type == PatchType::Merge  ? "application/merge-patch+json"
                             : type == PatchType::Json ? "application/json-patch+json"
                                                       : "application/strategic-merge-patch+json";
  return parse_or_throw(request("PATCH", r.path(ns, name, subresource), patch.dump(), content_type));
}

nlohmann::json Client::apply(const Resource& r, const nlohmann::json& object, const std::string& field_manager,
                             bool force, const std::string& subresource) {
  if (field_manager.empty()) throw std::invalid_argument("server-side apply needs a field manager");
  // JSON is YAML: the apply patch type accepts the JSON document as it is.
  const std::string q = query_string({{"fieldManager", field_manager}, {"force", force ? "true" : ""}});
  return parse_or_throw(
      request("PATCH", object_path(r, object, true, subresource) + q, object.dump(), "application/apply-patch+yaml"));
}

nlohmann::json Client::remove(const Resource& r, const std::string& ns, const std::string& name,
                              const nlohmann::json& delete_options) {
  return parse_or_throw(
      request("DELETE", r.path(ns, name), delete_options.is_null() ? std::string() : delete_options.dump()));
}

}  // namespace droid::kube
