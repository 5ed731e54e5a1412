#include "webhook/admission.h"

#include <openssl/evp.h>

#include <chrono>
#include <ctime>

#include "policy/session_check.h"
#include "resources/egress_grant.h"
#include "settings/validate.h"
#include "webhook/approver_stamp.h"

namespace droid::op {
namespace {

using json = nlohmann::json;

std::string base64(const std::string& data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(data.data()), static_cast<int>(data.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

json review_of(const json& request, json response) {
  response["uid"] = request.value("uid", "");
  return {{"apiVersion", "admission.k8s.io/v1"}, {"kind", "AdmissionReview"}, {"response", std::move(response)}};
}

json allow(const json& request) { return review_of(request, {{"allowed", true}}); }

json deny(const json& request, const std::string& message, int code = 403) {
  return review_of(
      request,
      {{"allowed", false},
       {"status", {{"code", code}, {"reason", code == 400 ? "BadRequest" : "Forbidden"}, {"message", message}}}});
}

const json* request_of(const json& review) {
  auto it = review.find("request");
  return it != review.end() && it->is_object() ? &*it : nullptr;
}

std::string kind_of(const json& request) {
  const json& k = request.value("kind", json::object());
  return k.value("group", "") + "/" + k.value("kind", "");
}

std::string requester_of(const json& request) {
  const json user = request.value("userInfo", json::object());
  return json{{"username", user.value("username", "")},
              {"uid", user.value("uid", "")},
              {"groups", user.value("groups", json::array())}}
      .dump();
}

std::string username_of(const json& request) { return request.value("userInfo", json::object()).value("username", ""); }

std::string utc_now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string annotation(const json& object, const char* key) {
  const json* annotations = object.contains("metadata") ? &object["metadata"] : nullptr;
  if (annotations == nullptr || !annotations->contains("annotations")) return "";
  const json& a = (*annotations)["annotations"];
  return a.is_object() && a.contains(key) && a[key].is_string() ? a[key].get<std::string>() : "";
}

json validate_session(const json& request, const AdmissionContext& context) {
  const std::string operation = request.value("operation", "");
  const json object = request.value("object", json::object());
  if (operation == "UPDATE") {
    const json old = request.value("oldObject", json::object());
    if (annotation(object, kRequesterAnnotation) != annotation(old, kRequesterAnnotation))
      return deny(request, std::string("metadata.annotations[") + kRequesterAnnotation +
                               "]: is set by the admission webhook from the authenticated creator and cannot be "
                               "changed");
    if (const std::string bad = check_decisions(object, old, username_of(request)); !bad.empty())
      return deny(request, bad);
    return allow(request);
  }
  if (operation != "CREATE") return allow(request);
  if (const std::string bad = check_decisions(object, json::object(), username_of(request)); !bad.empty())
    return deny(request, bad);
  // The mutating webhook stamped the authenticated creator before this runs; a
  // different value means it was forged (or the mutating webhook is missing).
  if (const std::string stamped = annotation(object, kRequesterAnnotation);
      !stamped.empty() && stamped != requester_of(request))
    return deny(request, std::string("metadata.annotations[") + kRequesterAnnotation +
                             "]: does not match the authenticated creator; remove it (the admission webhook sets it)");
  const std::string ns = request.value("namespace", "");
  const auto labels = context.namespace_labels ? context.namespace_labels(ns) : policy::Labels{};
  const auto governing = policy::governing_policies(context.policies, labels);
  const auto effective = policy::resolve(governing);
  const std::size_t active = context.active_sessions ? context.active_sessions(ns) : 0;
  auto plan = policy::plan_session(object.value("spec", json::object()), effective, active);
  if (!context.egress_namespace.empty())
    for (auto& r :
         egress_session_refusals(object.value("spec", json::object()), effective, plan, context.egress_namespace))
      plan.refusals.push_back(std::move(r));
  if (plan.ok()) {
    json review = allow(request);
    if (plan.wait)
      review["response"]["warnings"] = json::array({"the session will wait in Pending: " + plan.wait->message});
    return review;
  }
  std::string message = "DroidSession refused by policy";
  for (const auto& r : plan.refusals) message += "\n* " + r.reason + ": " + r.str();
  return deny(request, message);
}

json validate_policy(const json& request, const AdmissionContext& context) {
  const json object = request.value("object", json::object());
  const json spec = object.value("spec", json::object());
  if (!context.egress_namespace.empty())
    if (const auto problems = egress_policy_problems(spec, context.egress_namespace); !problems.empty()) {
      std::string message = "OrgPolicy refused: the egress gateway cannot use it";
      for (const auto& p : problems) message += "\n* " + p;
      return deny(request, message);
    }
  if (!spec.contains("settings")) return allow(request);
  settings::Validation v = settings::validate(spec["settings"]);
  if (v.ok()) return allow(request);
  std::string message = "OrgPolicy refused: invalid settings";
  for (const auto& e : v.errors)
    message += "\n* spec.settings" + (e.path.empty() ? "" : "." + e.path) + ": " + e.message;
  return deny(request, message);
}

}  // namespace

json mutate(const json& review, const std::string& now) {
  const json* request = request_of(review);
  if (request == nullptr) return deny(json::object(), "the AdmissionReview has no request", 400);
  const std::string operation = request->value("operation", "");
  if (kind_of(*request) != "droid.dev/DroidSession" || (operation != "CREATE" && operation != "UPDATE"))
    return allow(*request);
  const json object = request->value("object", json::object());
  const std::string when = now.empty() ? utc_now() : now;
  if (operation == "UPDATE") {
    // Who approved or rejected a command is stamped like the requester is.
    const json patch =
        stamp_decisions(object, request->value("oldObject", json::object()), username_of(*request), when);
    if (patch.empty()) return allow(*request);
    return review_of(*request, {{"allowed", true}, {"patchType", "JSONPatch"}, {"patch", base64(patch.dump())}});
  }
  json patch = stamp_decisions(object, json::object(), username_of(*request), when);
  const json metadata = object.value("metadata", json::object());
  if (!metadata.contains("annotations") || !metadata["annotations"].is_object())
    patch.push_back({{"op", "add"}, {"path", "/metadata/annotations"}, {"value", json::object()}});
  // "~1" is "/" in a JSON pointer (RFC 6901); "add" replaces a value the creator set.
  patch.push_back(
      {{"op", "add"}, {"path", "/metadata/annotations/droid.dev~1requester"}, {"value", requester_of(*request)}});
  return review_of(*request, {{"allowed", true}, {"patchType", "JSONPatch"}, {"patch", base64(patch.dump())}});
}

json validate(const json& review, const AdmissionContext& context) {
  const json* request = request_of(review);
  if (request == nullptr) return deny(json::object(), "the AdmissionReview has no request", 400);
  const std::string kind = kind_of(*request);
  if (kind == "droid.dev/DroidSession") return validate_session(*request, context);
  if (kind == "droid.dev/OrgPolicy") return validate_policy(*request, context);
  return allow(*request);
}

}  // namespace droid::op
