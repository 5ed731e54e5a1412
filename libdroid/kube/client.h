// A synchronous client of the Kubernetes REST API over HTTPS (cpprestsdk, kept
// out of this header). Objects are nlohmann::json documents. Every call blocks
// the calling thread until the answer: never call it from a cpprestsdk/pplx task
// continuation (that would block its thread pool). Failures throw ApiError (with
// the Status code, reason and message) or TransportError (no answer).
//
//   Client c(load_kubeconfig(path));
//   auto cm = c.get(kConfigMaps, "ns", "name");
//   c.apply(kConfigMaps, obj, "droid-operator", /*force=*/true);   // server-side apply
//   c.patch(kDroidSessions, "ns", "s1", PatchType::Merge, {{"status", ...}}, "status");
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "kube/api.h"
#include "kube/config.h"

namespace droid::kube {

struct ClientOptions {
  // cpprestsdk applies this to every read of a response, not to the whole request.
  std::chrono::seconds request_timeout{30};
  // Client-side rate limit of requests (watches and streams excepted): `qps` per
  // second on average, bursts of `burst`; qps 0 leaves it off (kube/rate_limiter.h).
  double qps = 0;
  int burst = 0;
};

struct Response {
  int status = 0;
  std::string body;
};

// Percent-encodes a query parameter value (RFC 3986 unreserved characters kept).
std::string url_encode(const std::string& value);
// "?a=1&b=x%3Dy" from name/value pairs (empty values are left out); "" when none.
std::string query_string(const std::vector<std::pair<std::string, std::string>>& params);

class Client : public Api {
 public:
  explicit Client(Config config, ClientOptions options = {});
  ~Client() override;
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  const Config& config() const;

  nlohmann::json get(const Resource& r, const std::string& ns, const std::string& name,
                     const std::string& subresource = "") override;
  // One page of a list (a *List object with metadata.resourceVersion and metadata.continue).
  nlohmann::json list(const Resource& r, const std::string& ns, const ListOptions& options = {}) override;
  nlohmann::json create(const Resource& r, const nlohmann::json& object) override;
  nlohmann::json replace(const Resource& r, const nlohmann::json& object, const std::string& subresource = "") override;
  nlohmann::json patch(const Resource& r, const std::string& ns, const std::string& name, PatchType type,
                       const nlohmann::json& patch, const std::string& subresource = "") override;
  // Server-side apply of `object` (it names itself: apiVersion, kind, metadata.name/namespace).
  // Without force a field owned by another manager throws ApiError 409 Conflict.
  nlohmann::json apply(const Resource& r, const nlohmann::json& object, const std::string& field_manager,
                       bool force = false, const std::string& subresource = "") override;
  // Returns the server's answer (the object being deleted, or a Status).
  nlohmann::json remove(const Resource& r, const std::string& ns, const std::string& name,
                        const nlohmann::json& delete_options = nullptr) override;
  // kube::watch() (kube/watch.h) on this client.
  WatchResult watch(const Resource& r, const WatchOptions& options, const std::function<void(WatchEvent&)>& on_event,
                    CancelToken& cancel) override;

  std::string read_log(const std::string& ns, const std::string& pod, const LogOptions& options = {}) override;

  // A raw request ("/api/v1/...?query"); returns any HTTP status, throws TransportError.
  Response request(const std::string& method, const std::string& path_and_query, const std::string& body = "",
                   const std::string& content_type = "application/json");

  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace droid::kube
