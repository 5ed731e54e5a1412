#include "resources/egress_grant.h"

#include <algorithm>
#include <cctype>

#include "jsonutil/lookup.h"
#include "resources/egress_route.h"

namespace droid::op {
namespace {

using json = nlohmann::json;
using jsonutil::find;
using jsonutil::string_at;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// {"name", "key"} of a reference, with `default_key` when it names none.
json secret_ref(const json& ref, const char* default_key) {
  json out = {{"name", ref.value("name", "")}};
  if (default_key != nullptr)
    out["key"] = ref.value("key", default_key);
  else if (ref.contains("key"))
    out["key"] = ref["key"];
  return out;
}

// The path of a base URL as a prefix that ends in '/' ("/v1" -> "/v1/", "" -> "/").
std::string prefix_of(std::string path) {
  path = path.substr(0, path.find_first_of("?#"));
  if (path.empty() || path.back() != '/') path += '/';
  return path;
}

json gateway_destination(const json& g) {
  if (!g.is_object()) return nullptr;
  const auto url = parse_http_url(g.value("baseURL", ""));
  if (!url) return nullptr;
  json d = {{"name", "gateway-" + g.value("name", "")},
            {"kind", "http"},
            {"hosts", {lower(url->host)}},
            {"ports", {url->port}},
            {"scheme", url->scheme},
            {"methods", {"POST", "GET"}},
            {"pathPrefixes", {prefix_of(url->path)}}};
  std::string auth = g.value("auth", "");
  if (const json* ref = find(g, {"credentialsSecretRef"}); ref != nullptr && auth != "none") {
    if (auth.empty()) auth = g.value("provider", "") == "anthropic" ? "x-api-key" : "bearer";
    d["credential"] = {{"type", auth}, {"secretRef", secret_ref(*ref, "api-key")}};
  }  // none: no "credential" (the contract's canonical form)
  if (const json* ref = find(g, {"caBundleSecretRef"})) d["caBundleSecretRef"] = secret_ref(*ref, "ca.crt");
  if (const std::string pem = g.value("caBundle", ""); !pem.empty()) d["caBundle"] = pem;
  return d;
}

json telemetry_destination(const json& t) {
  if (!t.is_object()) return nullptr;
  const auto url = parse_http_url(string_at(t, {"otlpEndpoint"}));
  if (!url) return nullptr;
  // libcurl tunnels https through CONNECT, gRPC likewise: nothing to inject, a tunnel.
  if (url->scheme == "https" || string_at(t, {"protocol"}) == "grpc")
    return {{"name", "telemetry"}, {"kind", "tunnel"}, {"hosts", {lower(url->host)}}, {"ports", {url->port}}};
  return {{"name", "telemetry"}, {"kind", "http"},      {"hosts", {lower(url->host)}},           {"ports", {url->port}},
          {"scheme", "http"},    {"methods", {"POST"}}, {"pathPrefixes", {prefix_of(url->path)}}};
}

json policy_destination(const json& p) {
  const std::string kind = p.value("kind", "http");
  json d = {{"name", p.value("name", "")}, {"kind", kind}};
  for (const char* list : {"hosts", "ports", "methods", "pathPrefixes", "repositories"})
    if (const json* v = find(p, {list}); v != nullptr && v->is_array()) d[list] = *v;
  if (d.contains("hosts"))
    for (auto& h : d["hosts"])
      if (h.is_string()) h = lower(h.get<std::string>());
  if (kind == "tunnel") return d;
  d["scheme"] = p.value("scheme", "https");
  const std::string type = p.value("credentialType", "none");
  if (const json* ref = find(p, {"credentialsSecretRef"}); ref != nullptr && type != "none")
    d["credential"] = {{"type", type}, {"secretRef", secret_ref(*ref, nullptr)}};
  if (const json* ref = find(p, {"caBundleSecretRef"})) d["caBundleSecretRef"] = secret_ref(*ref, nullptr);
  if (const json* ref = find(p, {"clientCertSecretRef"})) d["clientCertSecretRef"] = {{"name", ref->value("name", "")}};
  return d;
}

bool host_matches(const std::string& pattern, const std::string& host) {
  const std::string p = lower(pattern);
  const std::string h = lower(host);
  if (p.rfind("*.", 0) == 0)
    return h.size() > p.size() - 1 && h.compare(h.size() - (p.size() - 1), p.size() - 1, p, 1) == 0;
  return p == h;
}

}  // namespace

std::string egress_grant_name(const std::string& session_uid) { return "droid-egress-" + session_uid; }

json egress_destinations(const policy::EffectivePolicy& policy, const policy::SessionPlan& plan) {
  json out = json::array();
  if (json d = gateway_destination(plan.gateway); !d.is_null()) out.push_back(std::move(d));
  if (json d = telemetry_destination(policy.telemetry); !d.is_null()) out.push_back(std::move(d));
  for (const auto& p : policy.egress_destinations) out.push_back(policy_destination(p));
  return out;
}

json egress_grant(const SessionRef& s, const policy::EffectivePolicy& policy, const policy::SessionPlan& plan,
                  const std::string& expires_at, bool finished) {
  return {{"version", 1},
          {"session", {{"namespace", s.namespace_}, {"name", s.name}, {"uid", s.uid}}},
          {"podName", pod_name(s)},
          {"expiresAt", expires_at},
          {"finished", finished},
          {"pushBranch", string_at(s.spec, {"output", "pushBranch"})},
          {"destinations", egress_destinations(policy, plan)}};
}

json build_egress_grant(const SessionRef& s, const std::string& operator_namespace, const json& grant) {
  // No owner reference: the session lives in another namespace. The operator deletes
  // the grant when the session ends or is deleted, and sweeps orphans.
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata",
           {{"name", egress_grant_name(s.uid)},
            {"namespace", operator_namespace},
            {"labels",
             {{"app.kubernetes.io/name", "droid-operator"},
              {"app.kubernetes.io/component", kEgressGrantComponent},
              {"app.kubernetes.io/managed-by", "droid-operator"},
              {kSessionLabel, s.name},
              {kSessionNamespaceLabel, s.namespace_}}}}},
          {"data", {{kEgressGrantKey, grant.dump()}}}};
}

std::vector<std::string> egress_policy_problems(const json& spec, const std::string& operator_namespace) {
  std::vector<std::string> out;
  const json* gateways = find(spec, {"gateways"});
  if (gateways == nullptr || !gateways->is_array()) return out;
  for (std::size_t i = 0; i < gateways->size(); ++i)
    for (const char* ref : {"credentialsSecretRef", "caBundleSecretRef"}) {
      const std::string ns = string_at((*gateways)[i], {ref, "namespace"});
      if (ns.empty() || ns == operator_namespace) continue;
      std::string problem = "spec.gateways[" + std::to_string(i) + "].";
      problem += ref;
      problem += ".namespace: the egress gateway reads Secrets in " + operator_namespace;
      problem += " only (where it runs); move the Secret there and drop the namespace (\"";
      problem += ns + "\")";
      out.push_back(std::move(problem));
    }
  return out;
}

std::vector<policy::Refusal> egress_session_refusals(const json& spec, const policy::EffectivePolicy& policy,
                                                     const policy::SessionPlan& plan,
                                                     const std::string& operator_namespace) {
  std::vector<policy::Refusal> out;
  for (const char* ref : {"credentialsSecretRef", "caBundleSecretRef"}) {
    const std::string ns = string_at(plan.gateway, {ref, "namespace"});
    if (ns.empty() || ns == operator_namespace) continue;
    std::string message = "the OrgPolicy gateway '" + string_at(plan.gateway, {"name"}) + "' has its ";
    message += ref;
    message += " in namespace " + ns;
    message += ", but the egress gateway reads Secrets in " + operator_namespace;
    message += " only: the platform team must move it (the OrgPolicy's status says so)";
    out.push_back({kGatewaySecretUnreachable, "spec.model", std::move(message)});
  }
  if (find(spec, {"repository", "credentialsSecretRef"}) != nullptr)
    out.push_back({kRepositoryCredentialsNotAllowed, "spec.repository.credentialsSecretRef",
                   "runner pods hold no git credentials with the egress gateway: the gateway adds them from the "
                   "OrgPolicy's egress destination (spec.egress.destinations[].credentialsSecretRef); remove it"});
  const std::string url = string_at(spec, {"repository", "url"});
  if (url.empty()) return out;
  const auto parts = parse_http_url(url);
  if (!parts) {
    out.push_back({kRepositoryNotAllowed, "spec.repository.url",
                   "\"" + url +
                       "\" is not an http:// or https:// URL without credentials: runner pods reach git "
                       "servers only through the egress gateway, over smart HTTP"});
    return out;
  }
  const std::string path = parts->path.substr(0, parts->path.find_first_of("?#"));
  for (const auto& d : policy.egress_destinations) {
    if (d.value("kind", "http") != "git") continue;
    const json hosts = d.value("hosts", json::array());
    const json ports = d.value("ports", json::array());
    const json repos = d.value("repositories", json::array());
    const bool host = std::any_of(hosts.begin(), hosts.end(),
                                  [&](const json& h) { return h.is_string() && host_matches(h, parts->host); });
    const bool port = std::any_of(ports.begin(), ports.end(), [&](const json& p) { return p == parts->port; });
    const bool repo = std::any_of(repos.begin(), repos.end(), [&](const json& r) { return r == path; });
    if (host && port && repo) return out;
  }
  out.push_back({kRepositoryNotAllowed, "spec.repository.url",
                 "no git destination of the OrgPolicies (spec.egress.destinations with kind git) lists host " +
                     parts->host + ", port " + std::to_string(parts->port) + " and repository " + path +
                     ": ask the platform team to add it"});
  return out;
}

}  // namespace droid::op
