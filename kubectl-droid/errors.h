// Turns the Kubernetes client's errors into messages that name the problem and
// the fix: a session that does not exist (and how to list them), RBAC refusals
// (which permission is missing, how to check it), CRDs not installed, an API
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
std::string explain_transport_error(const kube::TransportError& e, const Context& context);

// Runs `f`, turning ApiError and TransportError into CommandError (exit 7).
template <class F>
auto guarded(const Operation& op, const Context& context, F&& f) -> decltype(f()) {
  try {
    return std::forward<F>(f)();
  } catch (const kube::ApiError& e) {
    throw CommandError(explain_api_error(e, op, context), kExitError);
  } catch (const kube::TransportError& e) {
    throw CommandError(explain_transport_error(e, context), kExitError);
  }
}

}  // namespace droid::kubectl
