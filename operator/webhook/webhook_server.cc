#include "webhook/webhook_server.h"

#include <openssl/evp.h>

#include <utility>

#include "log/log.h"

namespace droid::op {
namespace {

using json = nlohmann::json;

const log::Logger& logger() {
  static const log::Logger l("webhook.admission");
  return l;
}

std::string string_at(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

// One line per decision: who asked what and the answer, never the object.
void log_decision(const char* endpoint, const json& review, const json& answer) {
  const json empty = json::object();
  const auto req_it = review.find("request");
  const json& request = req_it != review.end() && req_it->is_object() ? *req_it : empty;
  const auto resp_it = answer.find("response");
  const json& response = resp_it != answer.end() && resp_it->is_object() ? *resp_it : empty;
  const auto kind_it = request.find("kind");
  const json& kind = kind_it != request.end() && kind_it->is_object() ? *kind_it : empty;
  const auto user_it = request.find("userInfo");
  const json& user = user_it != request.end() && user_it->is_object() ? *user_it : empty;
  const auto status_it = response.find("status");
  const json& status = status_it != response.end() && status_it->is_object() ? *status_it : empty;
  const auto allowed_it = response.find("allowed");
  const bool allowed = allowed_it != response.end() && allowed_it->is_boolean() && allowed_it->get<bool>();

  json fields = {{"uid", string_at(request, "uid")},
                 {"endpoint", endpoint},
                 {"kind", string_at(kind, "group") + "/" + string_at(kind, "kind")},
                 {"operation", string_at(request, "operation")},
                 {"namespace", string_at(request, "namespace")},
                 {"name", string_at(request, "name")},
                 {"user", string_at(user, "username")},
                 {"allowed", allowed}};
  if (!allowed) {
    fields["code"] = status.value("code", 0);
    fields["reason"] = string_at(status, "reason");
    fields["message"] = string_at(status, "message");
  } else if (response.contains("patch")) {
    fields["patched"] = true;
  }
  logger().info(allowed ? "admitted" : "refused", fields);
}

}  // namespace

std::map<std::string, JsonHandler> webhook_routes(AdmissionContextProvider context) {
  auto provider = std::make_shared<const AdmissionContextProvider>(std::move(context));
  auto validating = [provider](const char* endpoint) {
    return [provider, endpoint](const json& review) {
      const AdmissionContext ctx = *provider ? (*provider)() : AdmissionContext{};
      json answer = validate(review, ctx);
      log_decision(endpoint, review, answer);
      return answer;
    };
  };
  return {{kMutateSessionPath,
           [](const json& review) {
             json answer = mutate(review);
             log_decision(kMutateSessionPath, review, answer);
             return answer;
           }},
          {kValidateSessionPath, validating(kValidateSessionPath)},
          {kValidatePolicyPath, validating(kValidatePolicyPath)}};
}

WebhookServer::WebhookServer(HttpsJsonServerOptions options, AdmissionContextProvider context)
    : server_(std::move(options), webhook_routes(std::move(context))) {}

namespace {

json client_config(const WebhookClientConfig& client, const std::string& path) {
  // caBundle is the base64 of the PEM bundle.
  const std::string& pem = client.ca_bundle_pem;
  std::string b64(4 * ((pem.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()),
                                reinterpret_cast<const unsigned char*>(pem.data()), static_cast<int>(pem.size()));
  b64.resize(static_cast<std::size_t>(n));
  json config = {{"caBundle", b64}};
  if (!client.url.empty()) {
    config["url"] = client.url + path;
  } else {
    config["service"] = {{"namespace", client.service_namespace},
                         {"name", client.service_name},
                         {"port", client.service_port},
                         {"path", path}};
  }
  return config;
}

json namespace_selector(const WebhookRegistration& r) {
  json selector = json::object();
  if (!r.excluded_namespaces.empty())
    selector["matchExpressions"] = json::array(
        {{{"key", "kubernetes.io/metadata.name"}, {"operator", "NotIn"}, {"values", r.excluded_namespaces}}});
  if (!r.namespace_match_labels.empty()) selector["matchLabels"] = r.namespace_match_labels;
  return selector;
}

json webhook(const WebhookRegistration& r, const std::string& name, const std::string& path, const char* plural,
             json operations) {
  json w = {{"name", name},
            {"clientConfig", client_config(r.client, path)},
            {"rules", json::array({{{"apiGroups", {"droid.dev"}},
                                    {"apiVersions", {"*"}},
                                    {"operations", std::move(operations)},
                                    {"resources", {plural}},
                                    {"scope", "*"}}})},
            {"failurePolicy", "Fail"},
            {"matchPolicy", "Equivalent"},
            {"sideEffects", "None"},
            {"timeoutSeconds", r.timeout_seconds},
            {"admissionReviewVersions", {"v1"}},
            {"namespaceSelector", namespace_selector(r)}};
  if (!r.object_match_labels.empty()) w["objectSelector"] = {{"matchLabels", r.object_match_labels}};
  return w;
}

}  // namespace

WebhookConfigurations webhook_configurations(const WebhookRegistration& r) {
  json mutating_hook =
      webhook(r, "mutate.droidsessions.droid.dev", kMutateSessionPath, "droidsessions", json::array({"CREATE"}));
  mutating_hook["reinvocationPolicy"] = "Never";
  WebhookConfigurations out;
  out.mutating = {{"apiVersion", "admissionregistration.k8s.io/v1"},
                  {"kind", "MutatingWebhookConfiguration"},
                  {"metadata", {{"name", r.name}}},
                  {"webhooks", json::array({mutating_hook})}};
  out.validating = {
      {"apiVersion", "admissionregistration.k8s.io/v1"},
      {"kind", "ValidatingWebhookConfiguration"},
      {"metadata", {{"name", r.name}}},
      {"webhooks", json::array({webhook(r, "validate.droidsessions.droid.dev", kValidateSessionPath, "droidsessions",
                                        json::array({"CREATE", "UPDATE"})),
                                // OrgPolicies are cluster-scoped: the namespaceSelector does not apply to them.
                                webhook(r, "validate.orgpolicies.droid.dev", kValidatePolicyPath, "orgpolicies",
                                        json::array({"CREATE", "UPDATE"}))})}};
  return out;
}

}  // namespace droid::op
