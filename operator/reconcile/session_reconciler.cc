#include "reconcile/session_reconciler.h"

#include <algorithm>
#include <future>

#include "contract/approval_decision.h"
#include "contract/egress_grant.h"
#include "controller/cache_transforms.h"
#include "jsonutil/lookup.h"
#include "kube/config.h"
#include "kube/error.h"
#include "policy/org_policy.h"
#include "policy/session_check.h"
#include "resources/egress_grant.h"

namespace droid::op {
namespace {

using json = nlohmann::json;
using jsonutil::find;
using jsonutil::string_at;
using std::chrono::seconds;

// Why creating the session's objects failed, and whether trying again can help.
struct CreateError : std::runtime_error {
  CreateError(std::string reason_, const std::string& message, bool permanent_)
      : std::runtime_error(message), reason(std::move(reason_)), permanent(permanent_) {}
  std::string reason;
  bool permanent;
};

bool owned_by(const json& obj, const std::string& uid) {
  const json* refs = find(obj, {"metadata", "ownerReferences"});
  if (refs == nullptr || !refs->is_array()) return false;
  return std::any_of(refs->begin(), refs->end(), [&](const json& r) { return r.value("uid", "") == uid; });
}

std::string refusal_message(const policy::SessionPlan& plan) {
  std::string out;
  for (const auto& r : plan.refusals) out += (out.empty() ? "" : "; ") + r.str();
  return out;
}

json policy_status(const policy::EffectivePolicy& p) { return {{"names", p.names}, {"hash", p.hash}}; }

// 400 Bad Request and 422 Invalid: the object itself is wrong; a Pod Security
// refusal (403 "violates PodSecurity") will not change by retrying either.
bool permanent_api_error(const kube::ApiError& e) {
  if (e.code() == 400 || e.code() == 422) return true;
  return e.code() == 403 && e.status_message().find("violates PodSecurity") != std::string::npos;
}

// A later run gets what is left of the session's timeout: from the first run's
// start to the approval that began this run. Both times are in the status, so a
// retried creation builds the same (immutable) ConfigMap.
std::int64_t remaining_timeout(const json& status, std::int64_t timeout) {
  const json* runs = find(status, {"previousRuns"});
  if (runs == nullptr || !runs->is_array() || runs->empty()) return timeout;
  auto started = parse_rfc3339(string_at(status, {"startTime"}));
  auto approved = parse_rfc3339(runs->back().value("approvedAt", ""));
  if (!started || !approved || *approved < *started) return timeout;
  const auto elapsed = std::chrono::duration_cast<seconds>(*approved - *started).count();
  return std::max<std::int64_t>(1, timeout - elapsed);
}

double seconds_since_creation(const CachedSession& session, Clock::time_point now) {
  auto created = parse_rfc3339(session.creation_timestamp);
  if (!created) return 0;
  return std::max(0.0, std::chrono::duration<double>(now - *created).count());
}

}  // namespace

std::optional<contract::Requester> requester_of(const json& status) {
  const json* r = find(status, {"requester"});
  if (r == nullptr || !r->is_object() || string_at(*r, {"username"}).empty()) return std::nullopt;
  contract::Requester out{string_at(*r, {"username"}), string_at(*r, {"uid"}), {}};
  if (const json* groups = find(*r, {"groups"}); groups != nullptr && groups->is_array())
    for (const auto& g : *groups)
      if (g.is_string()) out.groups.push_back(g.get<std::string>());
  return out;
}

SessionReconciler::SessionReconciler(kube::Api& client, Caches caches, SessionReconcilerOptions options,
                                     SessionHooks hooks)
    : client_(client),
      caches_(std::move(caches)),
      options_(std::move(options)),
      hooks_(std::move(hooks)),
      log_("session", {{"controller", "droidsession"}}) {
  if (!options_.egress_gateway.empty())
    egress_ = std::make_unique<EgressGrants>(client_, options_.operator_namespace, options_.egress_token_secret,
                                             options_.field_manager);
}

Clock::time_point SessionReconciler::now() const { return hooks_.now ? hooks_.now() : Clock::now(); }

void SessionReconciler::event(const CachedSession& session, const std::string& type, const std::string& reason,
                              const std::string& action, const std::string& note) const {
  if (hooks_.event) hooks_.event(session.reference(), type, reason, action, note);
}

ReconcileResult SessionReconciler::reconcile(const std::string& key) {
  auto cached = caches_.sessions->get(key);
  if (!cached) {
    slots_.release(key);
    // Deleted: its grant goes at once (the gateway refuses its token from then on).
    if (egress_)
      if (const std::size_t slash = key.find('/'); slash != std::string::npos)
        egress_->remove_session(key.substr(0, slash), key.substr(slash + 1));
    return ReconcileResult::done();
  }
  const CachedSession& session = *cached;
  const std::string& phase = session.phase;
  if (holds_slot(session) || is_terminal(phase)) slots_.release(key);  // the cache shows it now
  if (!session.deletion_timestamp.empty()) return ReconcileResult::done();

  // The pod of the session's current run (a later run after an approval has a pod of its own).
  const std::shared_ptr<const CachedPod> pod =
      caches_.pods->get(session.namespace_ + "/" + pod_name(session.name, session.run_attempt));
  if (pod && !pod->owned_by(session.uid)) {
    // A pod of an earlier session of the same name, not yet collected.
    log_.info("waiting for the previous session's pod to be deleted", {{"session", key}});
    return ReconcileResult::after(seconds(2));
  }
  if (!pod && !session.cancel && (phase.empty() || phase == "Pending")) return admit_and_create(session, key);
  return lifecycle(session, pod.get());
}

ReconcileResult SessionReconciler::admit_and_create(const CachedSession& session, const std::string& key) {
  const std::string& ns = session.namespace_;
  const json spec = session.spec();
  const json old_status = session.status();
  json status = old_status;
  const bool recreating = !string_at(status, {"podName"}).empty();
  const auto t = now();
  const std::int64_t generation = session.generation;
  status["observedGeneration"] = generation;
  if (session.requester) status["requester"] = requester_json(*session.requester);

  const auto effective =
      policy::resolve(policy::governing_policies(caches_.org_policies(), caches_.namespace_labels(ns)));
  status["policy"] = policy_status(effective);

  // Policy's plan and the slot, decided at once (SessionSlots owns the bookkeeping).
  policy::SessionPlan plan;
  const bool limited = !recreating && find(effective.limits, {"maxConcurrentSessionsPerNamespace"}) != nullptr;
  slots_.admit_if(session,
                  limited ? caches_.sessions->list_namespace(ns) : std::vector<std::shared_ptr<const CachedSession>>{},
                  [&](std::size_t ahead) {
                    plan = policy::plan_session(spec, effective, ahead);
                    if (egress_)
                      for (auto& r : egress_session_refusals(spec, effective, plan, options_.operator_namespace))
                        plan.refusals.push_back(std::move(r));
                    if (recreating) plan.wait.reset();
                    return plan.ok() && !plan.wait;
                  });

  if (!plan.ok()) {
    log_.info("session denied by policy", {{"session", key}, {"reason", plan.refusals.front().reason}});
    return apply(
        session, old_status,
        denied(session, std::move(status), plan.refusals.front().reason, refusal_message(plan), t, options_.timing));
  }
  if (plan.wait)
    return apply(
        session, old_status,
        waiting_for_slot(session, std::move(status), plan.wait->reason, plan.wait->message, t, options_.timing));

  // The timeout is fixed when the session is first admitted (spec, else the policy's
  // default): a later change of the OrgPolicy does not move a running session's deadline.
  if (const json* admitted = find(status, {"timeoutSeconds"}); admitted != nullptr && admitted->is_number_integer())
    plan.timeout_seconds = admitted->get<std::int64_t>();
  else
    status["timeoutSeconds"] = plan.timeout_seconds;
  SessionRef ref{session.name, ns, session.uid, spec, ""};
  ref.run_attempt = session.run_attempt;
  ref.requester = requester_of(status);
  if (!options_.approval_signing_key.empty())
    ref.approval_key = contract::session_approval_key(options_.approval_signing_key, ref.uid);
  if (ref.run_attempt > 1) {
    ref.tokens_used = tokens_used(status);
    ref.earlier_runs = status.value("previousRuns", json::array());
    plan.timeout_seconds = remaining_timeout(status, plan.timeout_seconds);
  }
  const bool new_run_pod = string_at(status, {"podName"}) != pod_name(ref);
  if (egress_) ref.egress = EgressRoute{options_.egress_gateway, options_.operator_namespace, ""};
  try {
    ref.prompt = read_prompt(ns, spec);
    if (egress_) {
      try {
        ref.egress->token = egress_->token(ref);
      } catch (const std::runtime_error& e) {
        throw CreateError(kReasonEgressGrantFailed, std::string("no egress token: ") + e.what(), false);
      }
    }
    std::map<std::string, std::string> gateway_data;
    if (gateway_needs_secret(ref, plan)) gateway_data = read_gateway_secrets(plan.gateway);
    // Plain creates of objects named from the session and owned by it: cheaper for the API
    // server than server-side apply, which buys nothing the first time. An object that is
    // already there (a retry after a partial success, or the NetworkPolicy and gateway
    // Secret a later run shares) is applied as before: the operator needs no right to read
    // Secrets in the session's namespace for it, and an immutable object of different
    // content is refused by the server (422).
    const auto create_or_apply = [&](const kube::Resource& r, const json& obj) {
      try {
        client_.create(r, obj);
        return;
      } catch (const kube::ApiError& e) {
        if (!e.conflict() || e.reason() != "AlreadyExists") throw;
      }
      client_.apply(r, obj, options_.field_manager, /*force=*/true);
    };
    try {
      // The ConfigMap and the Secret beside the NetworkPolicy, the pod after all three:
      // the runner never runs without its fence, nor before its configuration exists.
      std::future<void> config_map = std::async(std::launch::async, [&] {
        try {
          create_or_apply(kube::kConfigMaps, build_config_map(ref, effective, plan));
        } catch (const kube::ApiError& e) {
          // Immutable, and spec.approvals may have changed since an earlier try
          // created it: this run keeps the ConfigMap it started with.
          if (e.code() != 422) throw;
          if (!owned_by(client_.get(kube::kConfigMaps, ns, config_map_name(ref)), ref.uid))
            throw CreateError(kReasonPodCreateFailed,
                              "ConfigMap " + ns + "/" + config_map_name(ref) +
                                  " belongs to another DroidSession (an earlier one of the same name, not yet "
                                  "garbage-collected)",
                              false);
        }
      });
      std::future<void> secret;
      if (!gateway_data.empty() || !ref.approval_key.empty())
        secret = std::async(std::launch::async, [&] {
          if (!gateway_data.empty()) create_or_apply(kube::kSecrets, build_gateway_secret(ref, gateway_data));
          if (!ref.approval_key.empty()) create_or_apply(kube::kSecrets, build_approval_secret(ref));
        });
      std::future<void> grant;
      if (egress_)  // what the run may reach, before its pod exists; the run's end is the grant's
        grant = std::async(std::launch::async, [&] {
          const auto expires = t + seconds(plan.timeout_seconds) + options_.timing.timeout_grace + seconds(60);
          try {
            egress_->write(ref, egress_grant(ref, effective, plan, format_rfc3339(expires)));
          } catch (const contract::EgressGrantError& e) {  // a destination the gateway would not read
            throw CreateError(kReasonEgressGrantFailed, std::string("the egress grant is invalid: ") + e.what(), true);
          }
        });
      create_or_apply(kube::kNetworkPolicies, build_network_policy(ref, effective));
      if (grant.valid()) grant.get();
      config_map.get();
      if (secret.valid()) secret.get();
      create_or_apply(kube::kPods, build_pod(ref, effective, plan, options_.runner));
    } catch (const kube::ApiError& e) {
      throw CreateError(kReasonPodCreateFailed, e.what(), permanent_api_error(e));
    }
  } catch (const CreateError& e) {
    Transition failed =
        pod_creation_failed(session, std::move(status), e.reason, e.what(), e.permanent, t, options_.timing);
    const bool retrying = !is_terminal(failed.status.value("phase", ""));
    log_.log(retrying ? log::Level::Warn : log::Level::Error,
             retrying ? "creating the session's objects failed; retrying"
                      : "session failed: its objects could not be created",
             {{"session", key},
              {"reason", e.reason},
              {"error", e.what()},
              {"attempts", failed.status.value("attempts", 0)}});
    return apply(session, old_status, std::move(failed));
  }

  Transition created = pod_created(session, std::move(status), pod_name(ref), plan.timeout_seconds, t, options_.timing);
  if (!write_status(session, created.status)) return stale(session);
  if (!recreating || new_run_pod) {
    if (!recreating && hooks_.session_start) hooks_.session_start("pod_created", seconds_since_creation(session, t));
    log_.info("runner pod created",
              {{"session", key}, {"pod", pod_name(ref)}, {"run", ref.run_attempt}, {"policyHash", effective.hash}});
    event(session, "Normal", "PodCreated", "Create",
          "created runner pod " + pod_name(ref) +
              (ref.run_attempt > 1 ? " (run " + std::to_string(ref.run_attempt) + ", after an approval)" : ""));
  }
  return ReconcileResult::after(*created.requeue_after);
}

ReconcileResult SessionReconciler::apply(const CachedSession& session, const json& old_status, Transition tr) {
  if (tr.status != old_status && !write_status(session, tr.status)) return stale(session);
  if (is_terminal(tr.status.value("phase", ""))) slots_.release(session.key());
  if (tr.event) event(session, tr.event->type, tr.event->reason, tr.event->action, tr.event->message);
  if (tr.delete_session) return delete_session(session);
  if (tr.requeue_after) return ReconcileResult::after(*tr.requeue_after);
  return ReconcileResult::done();
}

std::optional<InPlaceRequest> SessionReconciler::read_approval_request(const CachedPod& pod) {
  const std::string& ns = pod.namespace_;
  const std::string& name = pod.name;
  // The request is the runner's last audit line before it waits: the tail holds it.
  try {
    return find_approval_request(
        client_.read_log(ns, name, {.container = "runner", .tail_lines = 64, .limit_bytes = 1048576}));
  } catch (const kube::ApiError& e) {
    log_.warn("cannot read the runner's log for its approval request",
              {{"pod", ns + "/" + name}, {"status", e.code()}, {"error", std::string(e.what()).substr(0, 256)}});
  } catch (const std::exception& e) {
    log_.warn("cannot read the runner's log for its approval request", {{"pod", ns + "/" + name}, {"error", e.what()}});
  }
  return std::nullopt;
}

ReconcileResult SessionReconciler::lifecycle(const CachedSession& session, const CachedPod* pod) {
  const auto t = now();
  const json old_status = session.status();
  const std::string old_phase = session.phase;
  const bool pod_expected = pod != nullptr || !session.pod_name.empty();
  std::optional<InPlaceRequest> request;
  if (pod != nullptr && needs_request_from_log(session, *pod)) request = read_approval_request(*pod);
  Transition tr = next_status(session, pod, pod_expected, t, options_.timing, request);
  json& status = tr.status;
  if (!status.contains("requester") && session.requester) status["requester"] = requester_json(*session.requester);
  if (!status.contains("policy") && pod != nullptr) {
    // Created by an operator that stopped before recording it: the pod knows.
    status["policy"] = {{"hash", pod->policy_hash}, {"names", json::array()}};
    const std::string& names = pod->policy_names;
    for (std::size_t start = 0; start < names.size();) {
      const std::size_t comma = std::min(names.find(',', start), names.size());
      status["policy"]["names"].push_back(names.substr(start, comma - start));
      start = comma + 1;
    }
  }
  const std::string key = session.key();
  const std::string phase = status.value("phase", "");
  if (status != old_status) {
    if (!write_status(session, status)) return stale(session);
    if (phase != old_phase) {
      std::string reason, message;
      for (const auto& c : status.value("conditions", json::array()))
        if (c.value("type", "") == "Ready") {
          reason = c.value("reason", "");
          message = c.value("message", "");
        }
      log_.info("session phase changed", {{"session", key}, {"from", old_phase}, {"to", phase}, {"reason", reason}});
      const bool bad = phase == "Failed" || phase == "TimedOut";
      const int run = session.run_attempt;
      if (tr.approved_command)
        log_.info("approval received; starting the next run", {{"session", key}, {"run", run + 1}});
      if (tr.approval_event) {
        // Reported below, with who decided.
      } else if (tr.approved_command) {
        event(session, "Normal", kReasonApprovalReceived, "Approve", message);
      } else if (phase == "Running" && run > 1) {
        event(session, "Normal", kReasonResumed, "Run",
              "run " + std::to_string(run) + " is running (pod " + status.value("podName", "") + ")");
      } else {
        event(session, bad ? "Warning" : "Normal", reason, phase == "Running" ? "Run" : "Update",
              message.empty() ? phase : message);
      }
      if (phase == "Running" && run == 1 && hooks_.session_start)
        hooks_.session_start("running", seconds_since_creation(session, t));
    }
  }
  if (tr.approval_event) {
    const bool approved = tr.approval_event->first == kReasonApprovalReceived;
    log_.info(approved ? "approval received" : "approval rejected",
              {{"session", key}, {"note", tr.approval_event->second}});
    event(session, approved ? "Normal" : "Warning", tr.approval_event->first, approved ? "Approve" : "Reject",
          tr.approval_event->second);
  }
  if (tr.deliver_decision && pod != nullptr && !options_.approval_signing_key.empty()) {
    // The runner waiting in place reads it from its downward-API volume and accepts
    // it only signed with the session's key for its run.
    const std::string value = signed_decision(
        *tr.deliver_decision, contract::session_approval_key(options_.approval_signing_key, session.uid),
        session.run_attempt);
    try {
      client_.patch(kube::kPods, pod->namespace_, pod->name, kube::PatchType::Merge,
                    {{"metadata", {{"annotations", {{kApprovalDecisionAnnotation, value}}}}}});
      log_.info("decision handed to the runner waiting in place", {{"session", key}});
    } catch (const kube::ApiError& e) {
      if (!e.not_found()) throw;
    }
  }
  if (tr.delete_pod && pod != nullptr) {
    try {
      client_.remove(kube::kPods, pod->namespace_, pod->name);
      log_.info("runner pod deleted", {{"session", key}, {"phase", phase}});
    } catch (const kube::ApiError& e) {
      if (!e.not_found()) throw;
    }
  }
  if (tr.delete_session) return delete_session(session);
  // The next run's objects: as soon as the cache shows the new status (its watch event normally comes first).
  if (tr.approved_command) return ReconcileResult::after(seconds(1));
  if (tr.requeue_after) return ReconcileResult::after(*tr.requeue_after);
  return ReconcileResult::done();
}

ReconcileResult SessionReconciler::delete_session(const CachedSession& session) {
  try {
    client_.remove(kube::kDroidSessions, session.namespace_, session.name,
                   {{"apiVersion", "v1"},
                    {"kind", "DeleteOptions"},
                    {"propagationPolicy", "Background"},
                    {"preconditions", {{"uid", session.uid}}}});
    log_.info("session deleted after ttlSecondsAfterFinished", {{"session", session.key()}});
  } catch (const kube::ApiError& e) {
    if (!e.not_found() && !e.conflict()) throw;
  }
  return ReconcileResult::done();
}

ReconcileResult SessionReconciler::stale(const CachedSession& session) const {
  return ReconcileResult::conflicted("the status write of " + session.key() + " raced a newer version; looking again");
}

bool SessionReconciler::write_status(const CachedSession& session, const json& status) {
  // The status subresource takes only the status (and the resourceVersion to
  // guard against a stale cache) from the object it is sent.
  json obj = session.reference();
  obj["status"] = status;
  try {
    json written = client_.replace(kube::kDroidSessions, obj, "status");
    // Write-through: the next look (its pod's watch event usually comes before the
    // session's) sees this status, not a stale one it would write again (409).
    const bool was_terminal = is_terminal(session.phase);
    const bool ends = !was_terminal && is_terminal(status.value("phase", ""));
    if (caches_.sessions->replace_if_current(cache_session(std::move(written)), session.resource_version()) && ends &&
        hooks_.slot_freed)
      hooks_.slot_freed(session.namespace_);  // the watch event will not show the change any more
    if (ends && egress_) {
      // Finished (whichever way: denied, failed, done): the gateway refuses the run's token from now on.
      try {
        egress_->remove(session.uid);
      } catch (const kube::ApiError& e) {
        log_.warn("cannot delete the egress grant; the sweep will", {{"session", session.key()}, {"error", e.what()}});
      }
    }
    return true;
  } catch (const kube::ApiError& e) {
    if (e.conflict() || e.not_found()) {
      log_.debug("status write raced a newer version; looking again", {{"session", session.key()}});
      return false;
    }
    throw;
  }
}

std::string SessionReconciler::read_prompt(const std::string& ns, const json& spec) {
  if (const json* p = find(spec, {"prompt"}); p != nullptr && p->is_string()) return p->get<std::string>();
  const std::string cm = string_at(spec, {"promptFrom", "configMapKeyRef", "name"});
  const std::string key = string_at(spec, {"promptFrom", "configMapKeyRef", "key"});
  const std::string field = "spec.promptFrom.configMapKeyRef";
  if (cm.empty() || key.empty())
    throw CreateError(kReasonPromptNotFound, "spec.prompt or " + field + " must be set", true);
  json obj;
  try {
    obj = client_.get(kube::kConfigMaps, ns, cm);
  } catch (const kube::ApiError& e) {
    if (e.not_found())
      throw CreateError(kReasonPromptNotFound, field + ": ConfigMap " + ns + "/" + cm + " does not exist; create it",
                        false);
    throw CreateError(kReasonPromptNotFound, field + ": reading ConfigMap " + ns + "/" + cm + ": " + e.what(), false);
  }
  std::string text = string_at(obj, {"data", key.c_str()});
  if (text.empty())
    throw CreateError(kReasonPromptNotFound,
                      field + ": ConfigMap " + ns + "/" + cm + " has no key '" + key + "' (or it is empty)", false);
  return text;
}

std::map<std::string, std::string> SessionReconciler::read_gateway_secrets(const json& gateway) {
  std::map<std::string, std::string> out;
  const std::string gw = gateway.value("name", "");
  const auto read = [&](const char* ref_field, const char* default_key, const char* out_key) {
    const json* ref = find(gateway, {ref_field});
    if (ref == nullptr) return;
    const std::string ns = ref->value("namespace", options_.operator_namespace);
    const std::string name = ref->value("name", "");
    const std::string key = ref->value("key", default_key);
    const std::string where = "OrgPolicy gateway '" + gw + "' " + ref_field + ": Secret " + ns + "/" + name;
    json secret;
    try {
      secret = client_.get(kube::kSecrets, ns, name);
    } catch (const kube::ApiError& e) {
      if (e.not_found()) throw CreateError(kReasonGatewayCredentialsMissing, where + " does not exist", false);
      if (e.code() == 403)
        throw CreateError(kReasonGatewayCredentialsMissing,
                          where + " cannot be read by the operator (grant it get on secrets in " + ns + ")", false);
      throw CreateError(kReasonGatewayCredentialsMissing, where + ": " + e.what(), false);
    }
    const std::string encoded = string_at(secret, {"data", key.c_str()});
    if (encoded.empty())
      throw CreateError(kReasonGatewayCredentialsMissing, where + " has no key '" + key + "'", false);
    try {
      out[out_key] = kube::base64_decode(encoded);
    } catch (const std::invalid_argument&) {
      throw CreateError(kReasonGatewayCredentialsMissing, where + " key '" + key + "' is not valid base64", true);
    }
  };
  read("credentialsSecretRef", "api-key", kGatewayApiKey);
  read("caBundleSecretRef", "ca.crt", kGatewayCaBundle);
  return out;
}

}  // namespace droid::op
