#include "errors.h"

namespace droid::kubectl {
namespace {

std::string where(const Operation& op) {
  return op.ns.empty() ? std::string(" (cluster-wide)") : " in namespace \"" + op.ns + "\"";
}

std::string kind_of(const std::string& resource) {
  if (resource == "droidsessions.droid.dev") return "droidsession";
  if (resource == "orgpolicies.droid.dev") return "orgpolicy";
  if (resource == "pods" || resource == "pods/log") return "pod";
  if (resource == "namespaces") return "namespace";
  return resource;
}

}  // namespace

bool refused_at_admission(const kube::ApiError& e) {
  // The API server's words for a webhook's allowed=false: `admission webhook "NAME" denied the request: ...`.
  const std::string& m = e.status_message();
  const auto quote = m.find("admission webhook \"");
  if (quote == std::string::npos) return false;
  const auto end = m.find('"', quote + 19);
  if (end == std::string::npos) return false;
  const std::string webhook = m.substr(quote + 19, end - quote - 19);
  return webhook.ends_with(".droid.dev") && m.find("denied the request", end) != std::string::npos;
}

int exit_code_for_api_error(const kube::ApiError& e) { return refused_at_admission(e) ? kExitDenied : kExitError; }

std::string explain_api_error(const kube::ApiError& e, const Operation& op, const Context& context) {
  const std::string server_says = e.status_message().empty() ? std::string(e.what()) : e.status_message();
  const bool droid_resource = op.resource.find("droid.dev") != std::string::npos;
  if (refused_at_admission(e)) {
    return "denied by policy at admission: " + server_says +
           ". Change the field it names, or ask your platform team to change the OrgPolicy (see: kubectl droid "
           "policy explain" +
           (op.ns.empty() ? std::string() : " -n " + op.ns) + ")";
  }
  if (e.code() == 403) {
    std::string can_i = "kubectl auth can-i " + op.verb + " " + op.resource;
    if (!op.ns.empty()) can_i += " -n " + op.ns;
    return "forbidden: you may not " + op.verb + " " + op.resource + where(op) + " (" + server_says +
           "). Ask your cluster administrator for a Role granting it; check with: " + can_i;
  }
  if (e.code() == 401) {
    return "unauthorized: the API server refused the credentials of " + context.source +
           " (expired token or certificate?). Refresh the kubeconfig or pick another --context";
  }
  if (e.code() == 404) {
    // A 404 without a Status naming the object: the API itself is missing.
    const bool api_missing = e.reason() != "NotFound" || server_says.find("the server could not find") == 0;
    if (api_missing && droid_resource) {
      return "the droid.dev API is not installed on this cluster (" + server_says +
             "): install the CRDs (kubectl apply -f crds/) or the droid-operator Helm chart";
    }
    if (!op.name.empty()) {
      std::string fix;
      if (op.resource == "droidsessions.droid.dev") fix = ": list them with: kubectl droid list -n " + op.ns;
      return kind_of(op.resource) + " \"" + op.name + "\" not found" + where(op) + fix;
    }
    return op.resource + ": " + server_says;
  }
  if (e.code() == 409 && e.reason() == "AlreadyExists") {
    return kind_of(op.resource) + " \"" + op.name + "\" already exists" + where(op) +
           ": choose another --name, or use --generate-name PREFIX";
  }
  if (e.code() == 422 || e.reason() == "Invalid" || e.reason() == "BadRequest") {
    return "the API server refused the " + kind_of(op.resource) + ": " + server_says;
  }
  return op.verb + " " + op.resource + where(op) + ": " + std::to_string(e.code()) +
         (e.reason().empty() ? "" : " " + e.reason()) + ": " + server_says;
}

std::string explain_transport_error(const kube::TransportError& e, const Context& context) {
  return "cannot reach the API server " + context.config.server + " (" + context.source + "): " + e.what() +
         ". Check that the cluster is up, or choose another --kubeconfig/--context";
}

}  // namespace droid::kubectl
