#include "resources/session_objects.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "policy/quantity.h"

#include "jsonutil/lookup.h"
#include "reconcile/approval_channel.h"
#include "settings/effective.h"
#include "settings/validate.h"

namespace droid::op {
namespace {

using json = nlohmann::json;
using jsonutil::find;

constexpr std::int64_t kRunnerUid = 65532;  // the runner image's non-root user

json labels(const SessionRef& s, const char* component) {
  return {{"app.kubernetes.io/name", "droid-runner"},
          {"app.kubernetes.io/component", component},
          {"app.kubernetes.io/managed-by", "droid-operator"},
          {kSessionLabel, s.name}};
}

json metadata(const SessionRef& s, const std::string& name, const char* component) {
  return {{"name", name},
          {"namespace", s.namespace_},
          {"labels", labels(s, component)},
          {"ownerReferences",
           {{{"apiVersion", "droid.dev/v1alpha1"},
             {"kind", "DroidSession"},
             {"name", s.name},
             {"uid", s.uid},
             {"controller", true},
             {"blockOwnerDeletion", true}}}}};
}

// How long a runner may wait in place for one approval (issue 14): the policy's
// limits.maxApprovalWaitSeconds (default 15 minutes), never past the run's timeout;
// 0 without an approval key to sign the decisions with.
std::int64_t approval_wait_seconds(const SessionRef& s, const policy::EffectivePolicy& policy,
                                   const policy::SessionPlan& plan) {
  if (s.approval_key.empty()) return 0;
  std::int64_t wait = kDefaultApprovalWaitSeconds;
  if (const json* w = find(policy.limits, {"maxApprovalWaitSeconds"}); w != nullptr && w->is_number_integer())
    wait = std::max<std::int64_t>(0, w->get<std::int64_t>());
  return std::min(wait, plan.timeout_seconds);
}

void copy_if_set(const json& from, json& to, const char* key) {
  if (const json* v = find(from, {key})) to[key] = *v;
}

std::vector<std::string> strings_at(const json& v, const char* key) {
  std::vector<std::string> out;
  if (const json* list = find(v, {key}); list != nullptr && list->is_array())
    for (const auto& e : *list)
      if (e.is_string()) out.push_back(e.get<std::string>());
  return out;
}

// What the runner needs to know of the gateway; never its secret references.
std::optional<contract::Gateway> public_gateway(const json& g, const std::optional<EgressRoute>& egress) {
  if (!g.is_object()) return std::nullopt;
  contract::Gateway out;
  out.name = jsonutil::string_at(g, {"name"});
  out.provider = jsonutil::string_at(g, {"provider"});
  out.base_url = jsonutil::string_at(g, {"baseURL"});
  out.models = strings_at(g, "models");
  out.ca_bundle = jsonutil::string_at(g, {"caBundle"});
  out.auth = jsonutil::string_at(g, {"auth"});
  const auto seconds = [&](const char* key, std::optional<std::int64_t>& to) {
    if (const json* v = find(g, {"timeouts", key}); v != nullptr && v->is_number_integer()) to = v->get<std::int64_t>();
  };
  seconds("connectSeconds", out.connect_seconds);
  seconds("idleSeconds", out.idle_seconds);
  seconds("totalSeconds", out.total_seconds);
  if (egress) {
    // Plain HTTP to the gateway, which adds the key and speaks TLS upstream: the
    // runner holds neither the key nor the upstream's trust.
    out.base_url = through_gateway(out.base_url);
    out.ca_bundle.clear();
    out.auth = "none";
    return out;
  }
  if (find(g, {"credentialsSecretRef"}) != nullptr)
    out.credentials_file = std::string(kGatewayMountPath) + "/" + kGatewayApiKey;
  if (find(g, {"caBundleSecretRef"}) != nullptr)
    out.ca_bundle_file = std::string(kGatewayMountPath) + "/" + kGatewayCaBundle;
  return out;
}

}  // namespace

contract::SessionConfig session_config(const SessionRef& s, const policy::EffectivePolicy& policy,
                                       const policy::SessionPlan& plan) {
  using jsonutil::string_at;
  contract::SessionConfig c;
  c.session = {s.name, s.namespace_, s.uid, s.run_attempt};
  c.requester = s.requester;
  c.prompt = s.prompt;
  c.model = plan.model;
  c.autonomy_level = settings::autonomy_name(plan.autonomy);
  c.timeout_seconds = plan.timeout_seconds;
  c.gateway = public_gateway(plan.gateway, s.egress);
  c.policy = {policy.names, policy.hash};
  c.reasoning_effort = string_at(s.spec, {"reasoningEffort"});
  if (const std::string env = string_at(s.spec, {"environment"}); !env.empty()) c.environment = env;
  if (const json* turns = find(s.spec, {"maxTurns"}); turns != nullptr && turns->is_number_integer())
    c.max_turns = turns->get<std::int64_t>();
  if (find(s.spec, {"repository"}) != nullptr) {  // its credentialsSecretRef is mounted as a file, see build_pod
    const std::string url = string_at(s.spec, {"repository", "url"});
    c.repository = contract::Repository{s.egress ? through_gateway(url) : url, string_at(s.spec, {"repository", "ref"}),
                                        string_at(s.spec, {"repository", "subPath"})};
  }
  c.push_branch = string_at(s.spec, {"output", "pushBranch"});
  if (const json* approvals = find(s.spec, {"approvals"}); approvals != nullptr && approvals->is_array())
    for (const auto& a : *approvals)
      if (const std::string command = string_at(a, {"command"}); !command.empty())
        c.approvals.push_back(
            {command, string_at(a, {"approvedBy"}), string_at(a, {"approvedAt"}), string_at(a, {"comment"})});
  if (!policy.telemetry.empty()) {
    contract::Telemetry t;
    t.otlp_endpoint = string_at(policy.telemetry, {"otlpEndpoint"});
    t.protocol = string_at(policy.telemetry, {"protocol"});
    if (const json* attrs = find(policy.telemetry, {"resourceAttributes"}); attrs != nullptr && attrs->is_object())
      for (const auto& [k, v] : attrs->items())
        if (v.is_string()) t.resource_attributes[k] = v.get<std::string>();
    c.telemetry = t;
  }
  c.approval_wait_seconds = approval_wait_seconds(s, policy, plan);
  // Runs before this one that ended waiting: the runner tells the model what they did.
  if (s.earlier_runs.is_array())
    for (const auto& r : s.earlier_runs) {
      if (!r.is_object()) continue;
      const json* attempt = find(r, {"runAttempt"});
      c.earlier_runs.push_back({attempt != nullptr && attempt->is_number_integer() ? attempt->get<int>() : 0,
                                string_at(r, {"summary"}), string_at(r, {"approvedCommand"}),
                                string_at(r, {"endReason"})});
    }
  if (const json* budget = find(policy.limits, {"tokenBudgetPerSession"}); budget != nullptr && budget->is_number()) {
    // Never 0 (no limit to the runner) when the earlier runs used it all: at least one token.
    c.token_budget = std::max<std::int64_t>(1, budget->get<std::int64_t>() - s.tokens_used);
  }
  return c;
}

namespace {

json egress_rule(const json& rule) {
  json out = json::object();
  json to = json::array();
  if (const json* cidrs = find(rule, {"cidrs"}))
    for (const auto& cidr : *cidrs) to.push_back({{"ipBlock", {{"cidr", cidr}}}});
  json peer = json::object();
  copy_if_set(rule, peer, "namespaceSelector");
  copy_if_set(rule, peer, "podSelector");
  if (!peer.empty()) to.push_back(peer);
  out["to"] = to;
  if (const json* ports = find(rule, {"ports"})) {
    json ps = json::array();
    for (const auto& p : *ports) {
      json port = {{"protocol", p.value("protocol", "TCP")}};
      copy_if_set(p, port, "port");
      copy_if_set(p, port, "endPort");
      ps.push_back(port);
    }
    out["ports"] = ps;
  }
  return out;
}

json resources(const SessionRef& s, const policy::EffectivePolicy& policy, const RunnerDefaults& d) {
  json r = json::object();
  if (const json* spec = find(s.spec, {"resources"}))
    r = *spec;
  else if (const json* def = find(policy.runner, {"defaultResources"}))
    r = *def;
  // Every runner pod has limits: a session never runs unbounded. A limit defaulted here
  // comes with the default request, unless a request was given; a given request above
  // the default limit becomes the limit (a request may never exceed its limit).
  json& limits = r["limits"];
  json requests = r.value("requests", json::object());
  const auto defaulted = [&](const char* resource, const std::string& limit, const std::string& request) {
    if (limits.contains(resource)) return;
    limits[resource] = limit;
    if (!requests.contains(resource)) {
      requests[resource] = request;
      return;
    }
    const json& asked = requests[resource];
    const auto asked_q = asked.is_string() ? policy::Quantity::parse(asked.get<std::string>()) : std::nullopt;
    const auto limit_q = policy::Quantity::parse(limit);
    if (asked_q && limit_q && *asked_q > *limit_q) limits[resource] = asked;
  };
  defaulted("cpu", d.cpu_limit, d.cpu_request);
  defaulted("memory", d.memory_limit, d.memory_request);
  defaulted("ephemeral-storage", d.ephemeral_storage_limit, d.ephemeral_storage_request);
  if (!requests.empty()) r["requests"] = requests;
  return r;
}

// Run 1 keeps the plain name; run N > 1 gets "-N".
std::string with_run(std::string name, int run_attempt) {
  if (run_attempt > 1) name += "-" + std::to_string(run_attempt);
  return name;
}

}  // namespace

std::string config_map_name(const SessionRef& s) { return with_run(s.name + "-config", s.run_attempt); }
std::string network_policy_name(const SessionRef& s) { return s.name + "-egress"; }
std::string pod_name(const SessionRef& s) { return pod_name(s.name, s.run_attempt); }
std::string pod_name(const std::string& session_name, int run_attempt) {
  return with_run(session_name + "-runner", run_attempt);
}
std::string gateway_secret_name(const SessionRef& s) { return s.name + "-gateway"; }

bool gateway_needs_secret(const SessionRef& s, const policy::SessionPlan& plan) {
  if (s.egress) return false;
  return find(plan.gateway, {"credentialsSecretRef"}) != nullptr ||
         find(plan.gateway, {"caBundleSecretRef"}) != nullptr;
}

json build_gateway_secret(const SessionRef& s, const std::map<std::string, std::string>& data) {
  json string_data = json::object();
  for (const auto& [k, v] : data) string_data[k] = v;
  return {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"metadata", metadata(s, gateway_secret_name(s), "gateway-credentials")},
          {"type", "Opaque"},
          {"immutable", true},
          {"stringData", string_data}};
}

std::string approval_secret_name(const SessionRef& s) { return s.name + "-approval"; }

json build_approval_secret(const SessionRef& s) {
  return {{"apiVersion", "v1"}, {"kind", "Secret"},  {"metadata", metadata(s, approval_secret_name(s), "approval-key")},
          {"type", "Opaque"},   {"immutable", true}, {"stringData", {{kApprovalKeyFile, s.approval_key}}}};
}

json build_config_map(const SessionRef& s, const policy::EffectivePolicy& policy, const policy::SessionPlan& plan) {
  const json* user = find(s.spec, {"settings"});
  return {
      {"apiVersion", "v1"},
      {"kind", "ConfigMap"},
      {"metadata", metadata(s, config_map_name(s), "config")},
      {"immutable", true},
      {"data",
       {{"org-settings.json", policy.settings.settings.dump(2)},
        {"user-settings.json", (user != nullptr ? settings::without_unknown_fields(*user) : json::object()).dump(2)},
        {std::string(contract::kSessionConfigFile), contract::encode(session_config(s, policy, plan))}}}};
}

json build_network_policy(const SessionRef& s, const policy::EffectivePolicy& policy) {
  json egress = json::array();
  if (s.egress) {
    // DNS and the gateway's pods, nothing else: everything goes through the gateway,
    // which checks each request against the session's grant.
    egress.push_back({{"to",
                       {{{"namespaceSelector", {{"matchLabels", {{"kubernetes.io/metadata.name", "kube-system"}}}}},
                         {"podSelector", {{"matchLabels", {{"k8s-app", "kube-dns"}}}}}}}},
                      {"ports", {{{"protocol", "UDP"}, {"port", 53}}, {{"protocol", "TCP"}, {"port", 53}}}}});
    const auto port = parse_http_url("http://" + s.egress->proxy);
    egress.push_back(
        {{"to",
          {{{"namespaceSelector", {{"matchLabels", {{"kubernetes.io/metadata.name", s.egress->namespace_}}}}},
            {"podSelector", {{"matchLabels", {{kEgressGatewayNameLabel, kEgressGatewayName}}}}}}}},
         {"ports", {{{"protocol", "TCP"}, {"port", port ? port->port : 3128}}}}});
  } else if (policy.network.value("allowDNS", true)) {
    egress.push_back({{"to",
                       {{{"namespaceSelector", {{"matchLabels", {{"kubernetes.io/metadata.name", "kube-system"}}}}},
                         {"podSelector", {{"matchLabels", {{"k8s-app", "kube-dns"}}}}}}}},
                      {"ports", {{{"protocol", "UDP"}, {"port", 53}}, {{"protocol", "TCP"}, {"port", 53}}}}});
  }
  if (const json* rules = find(policy.network, {"egress"}); rules != nullptr && !s.egress)
    for (const auto& rule : *rules) egress.push_back(egress_rule(rule));
  return {{"apiVersion", "networking.k8s.io/v1"},
          {"kind", "NetworkPolicy"},
          {"metadata", metadata(s, network_policy_name(s), "egress")},
          {"spec",
           {{"podSelector", {{"matchLabels", {{kSessionLabel, s.name}}}}},
            {"policyTypes", {"Ingress", "Egress"}},
            {"ingress", json::array()},
            {"egress", egress}}}};
}

json build_pod(const SessionRef& s, const policy::EffectivePolicy& policy, const policy::SessionPlan& plan,
               const RunnerDefaults& d) {
  json seccomp = {{"type", "RuntimeDefault"}};
  if (const json* profile = find(policy.runner, {"seccompProfile"})) seccomp = *profile;

  json mounts = {{{"name", "workspace"}, {"mountPath", "/workspace"}},
                 {{"name", "tmp"}, {"mountPath", "/tmp"}},
                 {{"name", "config"}, {"mountPath", kConfigMountPath}, {"readOnly", true}}};
  json volumes = {{{"name", "workspace"}, {"emptyDir", {{"sizeLimit", d.workspace_size}}}},
                  {{"name", "tmp"}, {"emptyDir", {{"sizeLimit", "1Gi"}}}},
                  {{"name", "config"}, {"configMap", {{"name", config_map_name(s)}, {"defaultMode", 0444}}}}};
  if (const json* secret = find(s.spec, {"repository", "credentialsSecretRef", "name"});
      secret != nullptr && !s.egress) {
    mounts.push_back({{"name", "git-credentials"}, {"mountPath", "/var/run/droid/git"}, {"readOnly", true}});
    volumes.push_back({{"name", "git-credentials"}, {"secret", {{"secretName", *secret}, {"defaultMode", 0440}}}});
  }
  const bool wait_in_place = approval_wait_seconds(s, policy, plan) > 0;
  if (wait_in_place) {
    // The key the decisions are signed with, where the runner reads it (Landlock keeps tools out).
    mounts.push_back({{"name", "approval-key"}, {"mountPath", kApprovalKeyMountPath}, {"readOnly", true}});
    volumes.push_back(
        {{"name", "approval-key"}, {"secret", {{"secretName", approval_secret_name(s)}, {"defaultMode", 0440}}}});
    // The decision on a request, as the operator annotates the pod (approval_channel.h).
    mounts.push_back({{"name", "approval"}, {"mountPath", kApprovalMountPath}, {"readOnly", true}});
    volumes.push_back(
        {{"name", "approval"},
         {"downwardAPI",
          {{"defaultMode", 0444},
           {"items",
            {{{"path", "decision"},
              {"fieldRef",
               {{"fieldPath", std::string("metadata.annotations['") + kApprovalDecisionAnnotation + "']"}}}}}}}}});
  }
  if (gateway_needs_secret(s, plan)) {
    mounts.push_back({{"name", "gateway"}, {"mountPath", kGatewayMountPath}, {"readOnly", true}});
    volumes.push_back(
        {{"name", "gateway"}, {"secret", {{"secretName", gateway_secret_name(s)}, {"defaultMode", 0440}}}});
  }

  json container = {{"name", "runner"},
                    {"image", find(policy.runner, {"image"}) != nullptr ? policy.runner["image"] : json(d.image)},
                    {"imagePullPolicy", d.image_pull_policy},
                    {"args", {"run", "--config", kConfigMountPath}},
                    {"securityContext",
                     {{"allowPrivilegeEscalation", false},
                      {"readOnlyRootFilesystem", true},
                      {"runAsNonRoot", true},
                      {"privileged", false},
                      {"capabilities", {{"drop", {"ALL"}}}},
                      {"seccompProfile", seccomp}}},
                    {"resources", resources(s, policy, d)},
                    {"volumeMounts", mounts},
                    {"terminationMessagePath", "/dev/termination-log"},
                    {"terminationMessagePolicy", "FallbackToLogsOnError"}};
  if (wait_in_place) {
    // Ready exactly while the runner waits in place for an approval: the operator's cue.
    container["readinessProbe"] = {{"exec", {{"command", {"/usr/local/bin/droid-runner", "approval-probe"}}}},
                                   {"periodSeconds", 2},
                                   {"timeoutSeconds", 5},
                                   {"successThreshold", 1},
                                   {"failureThreshold", 1}};
  }
  // A minimal environment: the runner reads everything else from its config.
  json env = json::array();
  for (const auto& [name, value] : std::initializer_list<std::pair<const char*, const char*>>{
           {"HOME", "/workspace"}, {"TMPDIR", "/tmp"}, {"DROID_CONFIG_DIR", kConfigMountPath}})
    env.push_back({{"name", name}, {"value", value}});
  if (s.egress) {
    // Everything through the gateway, the collector included; the token is the
    // runner's only credential (a known secret for its shield).
    const std::string proxy = proxy_url(*s.egress);
    for (const char* name : {"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"})
      env.push_back({{"name", name}, {"value", proxy}});
  }
  container["env"] = env;

  json spec = {{"restartPolicy", "Never"},
               {"automountServiceAccountToken", false},
               {"enableServiceLinks", false},
               {"activeDeadlineSeconds", plan.timeout_seconds},
               {"terminationGracePeriodSeconds", 30},
               {"securityContext",
                {{"runAsNonRoot", true},
                 {"runAsUser", kRunnerUid},
                 {"runAsGroup", kRunnerUid},
                 {"fsGroup", kRunnerUid},
                 {"seccompProfile", seccomp}}},
               {"containers", {container}},
               {"volumes", volumes}};
  if (const json* rc = find(policy.runner, {"runtimeClassName"})) spec["runtimeClassName"] = *rc;
  json meta = metadata(s, pod_name(s), "runner");
  meta["labels"][kRunAttemptLabel] = std::to_string(s.run_attempt);
  std::string names;
  for (const auto& n : policy.names) names += (names.empty() ? "" : ",") + n;
  meta["annotations"] = {{kPolicyHashAnnotation, policy.hash}, {kPolicyNamesAnnotation, names}};
  return {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", meta}, {"spec", spec}};
}

}  // namespace droid::op
