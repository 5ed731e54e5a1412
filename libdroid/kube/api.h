// What a controller needs of the Kubernetes API server, as an interface (the
// seam for unit tests): kube::Client talks to a real server over HTTPS;
// kube::MemoryApi (kube/memory_api.h) is an in-memory twin that answers like one
// (resourceVersion, 409 on a stale write or an existing name, 404, watches that
// expire). Objects are nlohmann::json documents; failures throw ApiError
// (kube/error.h). Reflectors (kube/reflector.h) list and watch through it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "kube/watch_event.h"

namespace droid::kube {

// A resource type: the REST path of its collection is built from these.
struct Resource {
  std::string group;  // "" for the core group
  std::string version;
  std::string plural;
  bool namespaced = true;

  // "/api/v1/namespaces/NS/configmaps/NAME/SUB"; an empty namespace of a
  // namespaced resource addresses all namespaces (lists and watches only).
  std::string path(const std::string& ns = "", const std::string& name = "", const std::string& subresource = "") const;
};

inline const Resource kConfigMaps{"", "v1", "configmaps", true};
inline const Resource kNamespaces{"", "v1", "namespaces", false};
inline const Resource kPods{"", "v1", "pods", true};
inline const Resource kDroidSessions{"droid.dev", "v1alpha1", "droidsessions", true};
inline const Resource kOrgPolicies{"droid.dev", "v1alpha1", "orgpolicies", false};
inline const Resource kSecrets{"", "v1", "secrets", true};
inline const Resource kServiceAccounts{"", "v1", "serviceaccounts", true};
inline const Resource kNetworkPolicies{"networking.k8s.io", "v1", "networkpolicies", true};
inline const Resource kLeases{"coordination.k8s.io", "v1", "leases", true};
inline const Resource kEvents{"events.k8s.io", "v1", "events", true};
inline const Resource kValidatingWebhookConfigurations{"admissionregistration.k8s.io", "v1",
                                                       "validatingwebhookconfigurations", false};
inline const Resource kMutatingWebhookConfigurations{"admissionregistration.k8s.io", "v1",
                                                     "mutatingwebhookconfigurations", false};

struct ListOptions {
  std::string label_selector;
  std::string field_selector;
  int limit = 0;  // 0: no paging
  std::string continue_token;
  std::string resource_version;        // "" : the latest, from etcd (consistent read)
  std::string resource_version_match;  // "", "NotOlderThan" or "Exact"
};

enum class PatchType { Merge, Json, StrategicMerge };

// A read of a container's log (GET pods/NAME/log).
struct LogOptions {
  std::string container;         // "": the pod's only container
  int tail_lines = 0;            // the last N lines; 0: all of it
  std::int64_t limit_bytes = 0;  // at most this many bytes from the start of what is returned; 0: no limit
};

class Api {
 public:
  virtual ~Api() = default;

  virtual nlohmann::json get(const Resource& r, const std::string& ns, const std::string& name,
                             const std::string& subresource = "") = 0;
  // One page of a list (a *List object with metadata.resourceVersion and metadata.continue).
  virtual nlohmann::json list(const Resource& r, const std::string& ns, const ListOptions& options = {}) = 0;
  virtual nlohmann::json create(const Resource& r, const nlohmann::json& object) = 0;
  // PUT: metadata.resourceVersion, when set, must be the stored one (else 409 Conflict).
  virtual nlohmann::json replace(const Resource& r, const nlohmann::json& object,
                                 const std::string& subresource = "") = 0;
  virtual nlohmann::json patch(const Resource& r, const std::string& ns, const std::string& name, PatchType type,
                               const nlohmann::json& patch, const std::string& subresource = "") = 0;
  // Server-side apply of `object` (it names itself: apiVersion, kind, metadata.name/namespace).
  // Without force a field owned by another manager throws ApiError 409 Conflict.
  virtual nlohmann::json apply(const Resource& r, const nlohmann::json& object, const std::string& field_manager,
                               bool force = false, const std::string& subresource = "") = 0;
  // Returns the server's answer (the object being deleted, or a Status).
  virtual nlohmann::json remove(const Resource& r, const std::string& ns, const std::string& name,
                                const nlohmann::json& delete_options = nullptr) = 0;
  // A container's log as text (pods/log needs its own RBAC verb: get pods/log).
  virtual std::string read_log(const std::string& ns, const std::string& pod, const LogOptions& options = {}) = 0;
  // Streams the changes of `r` after options.resource_version to on_event (which may
  // take the event's object) until the server ends the watch, the version has
  // expired (End::Expired: relist), or `cancel` is cancelled. ApiError for a
  // refused watch.
  virtual WatchResult watch(const Resource& r, const WatchOptions& options,
                            const std::function<void(WatchEvent&)>& on_event, CancelToken& cancel) = 0;

 protected:
  Api() = default;
  Api(const Api&) = default;
  Api& operator=(const Api&) = default;
};

}  // namespace droid::kube
