// The objects the operator creates for one DroidSession (SPEC §5), built as
// JSON ready for server-side apply, all owned by the session and named
// deterministically from it so that a retry never duplicates one:
//   <session>-config   ConfigMap: the org settings, the session's settings and
//                      the session config the runner reads (mounted read-only;
//                      spec.approvals included)
//   <session>-egress   NetworkPolicy: no ingress; egress only to cluster DNS
//                      and to what the org policy allows (with an egress
//                      gateway: DNS and the gateway pods only)
//   <session>-gateway  Secret (only when the gateway has credentials or a CA
//                      in a Secret): the values copied from the org policy's
//                      Secret, which lives in another namespace; never with an
//                      egress gateway, which holds the credentials itself
//   <session>-approval Secret (only when the runner may wait in place): the
//                      session's approval key, which the operator signs the
//                      decisions it hands to the waiting runner with
//   <session>-runner   Pod: Pod Security Standard "restricted", no service
//                      account token, emptyDir workspace, resource limits,
//                      activeDeadlineSeconds, optional runtimeClassName; unless
//                      the policy's limits.maxApprovalWaitSeconds is 0 or the
//                      session has no approval key, the approval channel
//                      (reconcile/approval_channel.h): a readiness probe true
//                      while the runner waits in place, a downward-API volume
//                      with the decision annotation and the approval key
// A session runs again after an approval (SPEC §6.5): run N > 1 gets a
// ConfigMap and a Pod of its own, `<session>-config-N` and `<session>-runner-N`
// (run 1 keeps the plain names); the NetworkPolicy and the gateway and approval
// Secrets are shared by all runs.
// With an egress gateway (SessionRef::egress, egress_route.h) the pod mounts no
// gateway Secret and no git credentials, its environment names the gateway as
// proxy with the session's token, and session.json gives http:// URLs.
// Pure functions: no I/O, so they are tested without a cluster (and applied to
// a real apiserver by the controlplane tests).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "contract/session_config.h"
#include "policy/org_policy.h"
#include "policy/session_check.h"
#include "resources/egress_route.h"

namespace droid::op {

// The session as the builders need it: its identity and spec.
struct SessionRef {
  std::string name;
  std::string namespace_;
  std::string uid;
  nlohmann::json spec = nlohmann::json::object();
  std::string prompt;   // spec.prompt, or the text spec.promptFrom points at (read by the reconciler)
  int run_attempt = 1;  // status.runAttempt: which run of the session these objects are for
  // Tokens (input + output) the earlier runs used: the runner gets what is left of the org's budget.
  std::int64_t tokens_used = 0;
  std::optional<contract::Requester> requester = std::nullopt;  // status.requester, stamped at admission
  // status.previousRuns: the runs before this one (their summaries go to the runner).
  nlohmann::json earlier_runs = nlohmann::json::array();
  // The key the operator signs approval decisions for this session with
  // (contract::session_approval_key); "": the runner never waits in place.
  std::string approval_key = std::string();
  // The egress gateway the session goes through (issue 15); nullopt: direct mode.
  std::optional<EgressRoute> egress = std::nullopt;
};

// Operator-wide defaults the org policy may override.
struct RunnerDefaults {
  std::string image = "droid-runner:latest";
  std::string image_pull_policy = "IfNotPresent";
  // Limits every runner pod gets unless the session or policy sets them. Where a limit
  // comes from here, so does the request below it (else Kubernetes would request the
  // whole limit, and a 2-CPU request fits no small node).
  std::string cpu_limit = "2";
  std::string memory_limit = "4Gi";
  std::string ephemeral_storage_limit = "10Gi";
  std::string cpu_request = "250m";
  std::string memory_request = "512Mi";
  std::string ephemeral_storage_request = "1Gi";
  std::string workspace_size = "8Gi";
};

inline constexpr const char* kSessionLabel = "droid.dev/session";
inline constexpr const char* kRunAttemptLabel = "droid.dev/run-attempt";  // on the runner pod
inline constexpr const char* kConfigMountPath = "/etc/droid";
inline constexpr const char* kGatewayMountPath = "/var/run/droid/gateway";
inline constexpr const char* kApprovalKeyMountPath = "/var/run/droid/approval-key";  // the runner's default
inline constexpr const char* kApprovalKeyFile = "key";
// On the runner pod: the policy applied, so that status can be rebuilt from the pod.
inline constexpr const char* kPolicyHashAnnotation = "droid.dev/policy-hash";
inline constexpr const char* kPolicyNamesAnnotation = "droid.dev/policies";
// Keys of the per-session gateway Secret.
inline constexpr const char* kGatewayApiKey = "api-key";
inline constexpr const char* kGatewayCaBundle = "ca.crt";

std::string config_map_name(const SessionRef& s);
std::string network_policy_name(const SessionRef& s);
std::string pod_name(const SessionRef& s);
// The runner pod of run `run_attempt` of session `session_name`.
std::string pod_name(const std::string& session_name, int run_attempt);
std::string gateway_secret_name(const SessionRef& s);
std::string approval_secret_name(const SessionRef& s);

// Whether the plan's gateway takes values from Secrets (credentialsSecretRef or
// caBundleSecretRef): then the reconciler copies them with build_gateway_secret.
// Never with an egress gateway (the gateway reads them).
bool gateway_needs_secret(const SessionRef& s, const policy::SessionPlan& plan);

// What the runner is told (session.json in the ConfigMap; libdroid/contract).
contract::SessionConfig session_config(const SessionRef& s, const policy::EffectivePolicy& policy,
                                       const policy::SessionPlan& plan);
nlohmann::json build_config_map(const SessionRef& s, const policy::EffectivePolicy& policy,
                                const policy::SessionPlan& plan);
// `data`: kGatewayApiKey and/or kGatewayCaBundle, raw (not base64) values.
nlohmann::json build_gateway_secret(const SessionRef& s, const std::map<std::string, std::string>& data);
// The session's approval key (s.approval_key) for the runner; only when it is set.
nlohmann::json build_approval_secret(const SessionRef& s);
nlohmann::json build_network_policy(const SessionRef& s, const policy::EffectivePolicy& policy);
nlohmann::json build_pod(const SessionRef& s, const policy::EffectivePolicy& policy, const policy::SessionPlan& plan,
                         const RunnerDefaults& defaults);

}  // namespace droid::op
