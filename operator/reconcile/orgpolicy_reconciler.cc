#include "reconcile/orgpolicy_reconciler.h"

#include <algorithm>

#include "jsonutil/lookup.h"
#include "kube/error.h"
#include "policy/label_selector.h"
#include "reconcile/session_status.h"
#include "resources/egress_grant.h"
#include "settings/validate.h"

namespace droid::op {
namespace {

using json = nlohmann::json;
using jsonutil::find;

// A selector that selector_matches() would treat as matching nothing because it
// is malformed; say so instead of silently governing no namespace.
std::string selector_problem(const json& selector) {
  const json* exprs = find(selector, {"matchExpressions"});
  if (exprs == nullptr || !exprs->is_array()) return "";
  for (std::size_t i = 0; i < exprs->size(); ++i) {
    const json& e = (*exprs)[i];
    const std::string op = e.value("operator", "");
    const bool has_values = e.contains("values") && e["values"].is_array() && !e["values"].empty();
    const std::string at = "spec.namespaceSelector.matchExpressions[" + std::to_string(i) + "]";
    std::string problem = at;
    if (op != "In" && op != "NotIn" && op != "Exists" && op != "DoesNotExist") {
      problem += ".operator: must be In, NotIn, Exists or DoesNotExist (got \"";
      problem += op;
      problem += "\")";
      return problem;
    }
    if ((op == "In" || op == "NotIn") && !has_values) {
      problem += ".values: must not be empty for ";
      problem += op;
      return problem;
    }
    if ((op == "Exists" || op == "DoesNotExist") && has_values) {
      problem += ".values: must be empty for ";
      problem += op;
      return problem;
    }
  }
  return "";
}

}  // namespace

json org_policy_status(const json& policy, const std::vector<std::string>& governed, Clock::time_point now,
                       const std::string& egress_namespace) {
  json status = policy.value("status", json::object());
  const json* g = find(policy, {"metadata", "generation"});
  const std::int64_t generation = g != nullptr && g->is_number_integer() ? g->get<std::int64_t>() : 0;
  status["observedGeneration"] = generation;
  status["governedNamespaces"] = governed;

  const json spec = policy.value("spec", json::object());
  std::string reason = kReasonValid;
  std::string message = "the policy is valid";
  if (const json* s = find(spec, {"settings"})) {
    const settings::Validation v = settings::validate(*s);
    if (!v.ok()) {
      reason = kReasonInvalidSettings;
      message.clear();
      for (const auto& e : v.errors)
        message += (message.empty() ? "" : "; ") + std::string("spec.settings") + (e.path.empty() ? "" : "." + e.path) +
                   ": " + e.message;
    }
  }
  if (reason == kReasonValid)
    if (std::string p = selector_problem(spec.value("namespaceSelector", json::object())); !p.empty()) {
      reason = kReasonInvalidSelector;
      message = p + " (the policy governs no namespace until this is fixed)";
    }
  if (reason == kReasonValid && !egress_namespace.empty())
    if (const auto problems = egress_policy_problems(spec, egress_namespace); !problems.empty()) {
      reason = kReasonInvalidEgressReference;
      message.clear();
      for (const auto& p : problems) message += (message.empty() ? "" : "; ") + p;
    }
  set_condition(status, "Valid", reason == kReasonValid, reason, message, generation, now);
  return status;
}

OrgPolicyReconciler::OrgPolicyReconciler(kube::Api& client, Caches caches, std::string egress_namespace)
    : client_(client),
      caches_(std::move(caches)),
      egress_namespace_(std::move(egress_namespace)),
      log_("orgpolicy", {{"controller", "orgpolicy"}}) {}

ReconcileResult OrgPolicyReconciler::reconcile(const std::string& name) {
  auto cached = caches_.policies->get(name);
  if (!cached) return ReconcileResult::done();
  const json selector = cached->value("spec", json::object()).value("namespaceSelector", json::object());
  std::vector<std::string> governed;
  for (const std::string& ns : caches_.namespaces->keys())
    if (policy::selector_matches(selector, caches_.namespace_labels(ns))) governed.push_back(ns);
  std::sort(governed.begin(), governed.end());

  json status = org_policy_status(*cached, governed, Clock::now(), egress_namespace_);
  if (status == cached->value("status", json::object())) return ReconcileResult::done();
  json obj = *cached;
  obj["status"] = status;
  try {
    client_.replace(kube::kOrgPolicies, obj, "status");
  } catch (const kube::ApiError& e) {
    if (e.conflict())
      return ReconcileResult::conflicted("the status write of OrgPolicy " + name + " raced a newer version");
    if (e.not_found()) return ReconcileResult::done();
    throw;
  }
  const json* valid = nullptr;
  for (const auto& c : status["conditions"])
    if (c.value("type", "") == "Valid") valid = &c;
  log_.info("policy status updated", {{"policy", name},
                                      {"valid", valid != nullptr ? valid->value("status", "") : ""},
                                      {"reason", valid != nullptr ? valid->value("reason", "") : ""},
                                      {"governedNamespaces", governed.size()}});
  return ReconcileResult::done();
}

}  // namespace droid::op
