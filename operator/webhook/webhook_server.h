// The operator's admission webhook endpoints on an HttpsJsonServer:
//   POST /mutate-droidsession   -> mutate()   (stamps droid.dev/requester)
//   POST /validate-droidsession -> validate() (policy at create, requester immutable)
//   POST /validate-orgpolicy    -> validate() (settings valid)
// validate() gets the AdmissionContext from `context` for every request; the
// operator builds it from its informer caches. It runs on cpprestsdk's thread
// pool, so it must only read memory (no API call, no waiting).
//
// Every decision is logged (logger "webhook.admission") as
//   {"uid","endpoint","kind","operation","namespace","name","user","allowed","code","reason","message"}
// and never with the object's content (a session's prompt may hold secrets).
//
// Registration on the apiserver (see README.md beside this file for why):
//   validating: failurePolicy Fail, timeoutSeconds 5, sideEffects None,
//               admissionReviewVersions [v1], matchPolicy Equivalent;
//   mutating:   failurePolicy Fail (a session without a requester would run
//               unattributed), same timeout and options, reinvocationPolicy Never;
//   both:       namespaceSelector excluding the operator's namespace and
//               kube-system (DroidSessions only; OrgPolicies are cluster-scoped).
// webhook_configurations() builds those objects.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "webhook/admission.h"
#include "webhook/https_json_server.h"

namespace droid::op {

inline constexpr const char* kMutateSessionPath = "/mutate-droidsession";
inline constexpr const char* kValidateSessionPath = "/validate-droidsession";
inline constexpr const char* kValidatePolicyPath = "/validate-orgpolicy";

using AdmissionContextProvider = std::function<AdmissionContext()>;

// The three routes, each logging its decisions.
std::map<std::string, JsonHandler> webhook_routes(AdmissionContextProvider context);

class WebhookServer {
 public:
  WebhookServer(HttpsJsonServerOptions options, AdmissionContextProvider context);
  void start() { server_.start(); }
  void stop() { server_.stop(); }
  HttpsJsonServer& https() { return server_; }

 private:
  HttpsJsonServer server_;
};

// Where the apiserver reaches the webhook: either a Service or a URL.
struct WebhookClientConfig {
  std::string url;                // "https://host:port" (no path), or empty
  std::string service_namespace;  // with service_name, when url is empty
  std::string service_name;
  int service_port = 443;
  std::string ca_bundle_pem;  // the CA that signed the serving certificate
};

struct WebhookRegistration {
  std::string name = "droid-operator";  // of both configuration objects
  WebhookClientConfig client;
  // Namespaces whose DroidSessions the webhooks must not see (deadlock
  // avoidance): matched on the kubernetes.io/metadata.name label. The
  // operator adds its own namespace.
  std::vector<std::string> excluded_namespaces = {"kube-system"};
  // Extra namespaceSelector matchLabels (e.g. tests scope the webhooks to
  // their own namespaces); empty: every other namespace.
  std::map<std::string, std::string> namespace_match_labels;
  // objectSelector matchLabels on every webhook; empty: none. The only way to
  // scope the OrgPolicy webhook (cluster-scoped objects ignore namespaceSelector).
  std::map<std::string, std::string> object_match_labels;
  int timeout_seconds = 5;
};

struct WebhookConfigurations {
  nlohmann::json mutating;    // admissionregistration.k8s.io/v1 MutatingWebhookConfiguration
  nlohmann::json validating;  // admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration
};

WebhookConfigurations webhook_configurations(const WebhookRegistration& registration);

}  // namespace droid::op
