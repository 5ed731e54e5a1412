// The operator's side of the egress gateway (issue 15; the contract with the
// gateway is /work/notes/egress-contract.md and libdroid/contract/egress_grant.h).
// The operator alone resolves policy: for each run of a session it writes a grant,
// a ConfigMap droid-egress-<session uid> in its own namespace (where the gateway
// runs and only the operator may write), listing exactly what that session may
// reach, and deletes it when the session ends. Pure functions; the reconciler
// (reconcile/egress_grants.h) does the I/O.
//
// A session's destinations (egress_destinations):
//   - the LLM gateway its model routes to (plan.gateway), as kind http: host and
//     port of its baseURL, methods POST and GET, the baseURL's path as prefix, the
//     credential from credentialsSecretRef (bearer or x-api-key by `auth`, the
//     provider's default otherwise), CA bundle from caBundleSecretRef;
//   - the telemetry endpoint: http (POST under its path) when it is http://,
//     a tunnel when it is https:// or the protocol is grpc;
//   - every spec.egress.destinations entry of the governing policies.
// Secret references name Secrets in the operator's namespace only: another
// namespace is a policy error (egress_policy_problems), never resolved.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/org_policy.h"
#include "policy/session_check.h"
#include "resources/session_objects.h"

namespace droid::op {

inline constexpr const char* kEgressGrantComponent = "egress-grant";
inline constexpr const char* kSessionNamespaceLabel = "droid.dev/session-namespace";
inline constexpr const char* kEgressGrantKey = "grant.json";
// Selects every grant (the gateway's watch, the operator's sweep).
inline constexpr const char* kEgressGrantSelector =
    "app.kubernetes.io/component=egress-grant,app.kubernetes.io/managed-by=droid-operator";

// Refusal reasons of sessions in egress mode (stable, like policy/session_check.h's).
inline constexpr const char* kRepositoryCredentialsNotAllowed = "RepositoryCredentialsNotAllowed";
inline constexpr const char* kRepositoryNotAllowed = "RepositoryNotAllowed";

std::string egress_grant_name(const std::string& session_uid);

// The destinations of the session (contract::EgressGrant's "destinations" JSON).
nlohmann::json egress_destinations(const policy::EffectivePolicy& policy, const policy::SessionPlan& plan);

// The grant document (contract::EgressGrant JSON, version 1). `expires_at`: RFC 3339.
nlohmann::json egress_grant(const SessionRef& s, const policy::EffectivePolicy& policy, const policy::SessionPlan& plan,
                            const std::string& expires_at, bool finished = false);

// The grant's ConfigMap in `operator_namespace`.
nlohmann::json build_egress_grant(const SessionRef& s, const std::string& operator_namespace,
                                  const nlohmann::json& grant);

// What makes an OrgPolicy's spec unusable with the egress gateway, each as
// "spec.<field>: <what is wrong and the fix>": Secret references to another
// namespace than the operator's. Empty: usable.
std::vector<std::string> egress_policy_problems(const nlohmann::json& spec, const std::string& operator_namespace);

// Why a session cannot run through the egress gateway (empty: it can):
// spec.repository.credentialsSecretRef (git credentials come from the policy's
// destinations), a repository URL that is not http(s) or that no git destination
// of the policy allows, a gateway whose Secrets are outside the operator's namespace.
std::vector<policy::Refusal> egress_session_refusals(const nlohmann::json& spec, const policy::EffectivePolicy& policy,
                                                     const policy::SessionPlan& plan,
                                                     const std::string& operator_namespace);
inline constexpr const char* kGatewaySecretUnreachable = "GatewaySecretUnreachable";

}  // namespace droid::op
