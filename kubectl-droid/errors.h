// Turns the Kubernetes client's errors into messages that name the problem and
// the fix: a session that does not exist (and how to list them), RBAC refusals
// (which permission is missing, how to check it), a policy refusal by the admission
// webhook (the org policy's message, which names the field), CRDs not installed, an API
// server that cannot be reached (which kubeconfig and context were used).
#pragma once

#include <string>
#include <utility>

#include "context.h"
#include "exit_codes.h"
#include "kube/error.h"

namespace droid::kubectl {

// What the command was doing when the API server answered.
struct Operation {
  std::string verb;      // Kubernetes verb: get, list, create, patch, watch
  std::string resource;  // "droidsessions.droid.dev", "pods/log", ...
  std::string ns;        // "" for cluster-scoped resources or all namespaces
  std::string name;      // "" for lists
};

std::string explain_api_error(const kube::ApiError& e, const Operation& op, const Context& context);
// The exit code of an API error: kExitDenied when droid-operator's admission webhook
// refused the request (the org policy's answer, e.g. an autonomy level above the
// maximum), kExitError otherwise (RBAC, API missing, conflict, server errors).
int exit_code_for_api_error(const kube::ApiError& e);
// True when one of droid-operator's admission webhooks (*.droid.dev) denied the request.
bool refused_at_admission(const kube::ApiError& e);
std::string explain_transport_error(const kube::TransportError& e, const Context& context);

// Runs `f`, turning ApiError and TransportError into CommandError (exit 7, or 3 for
// a policy refusal at admission).
template <class F>
auto guarded(const Operation& op, const Context& context, F&& f) -> decltype(f()) {
  try {
    return std::forward<F>(f)();
  } catch (const kube::ApiError& e) {
    throw CommandError(explain_api_error(e, op, context), exit_code_for_api_error(e));
  } catch (const kube::TransportError& e) {
    throw CommandError(explain_transport_error(e, context), kExitError);
  }
}

}  // namespace droid::kubectl
