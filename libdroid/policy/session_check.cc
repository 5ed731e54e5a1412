#include "policy/session_check.h"

#include <algorithm>

#include "jsonutil/lookup.h"
#include "policy/quantity.h"
#include "settings/validate.h"

namespace droid::policy {
namespace {

using json = nlohmann::json;
using jsonutil::find;
using jsonutil::string_at;

constexpr std::int64_t kDefaultTimeoutSeconds = 3600;

std::string in_quotes(const std::string& s) { return "\"" + s + "\""; }

std::string policy_list(const EffectivePolicy& policy) {
  if (policy.names.empty()) return "no OrgPolicy";
  std::string out = policy.names.size() == 1 ? "OrgPolicy " : "OrgPolicies ";
  for (std::size_t i = 0; i < policy.names.size(); ++i) out += (i ? ", " : "") + policy.names[i];
  return out;
}

// The level that put `value` in the list at `path` (e.g. "orgpolicy/baseline").
std::string set_by(const settings::Merged& merged, const std::string& path, const json& list, const json& value) {
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (list[i] != value) continue;
    const std::string item = path + "[" + std::to_string(i) + "]";
    for (const auto& [p, level] : merged.provenance)
      if (p == item) return merged.level_names.at(level);
  }
  return "";
}

class Planner {
 public:
  Planner(const json& spec, const EffectivePolicy& policy, SessionPlan& out)
      : spec_(spec), policy_(policy), out_(out) {}

  void run(std::size_t active_sessions) {
    if (!merge_settings()) return;
    choose_model();
    check_byok();
    choose_autonomy();
    check_timeout();
    check_resources();
    check_concurrency(active_sessions);
  }

 private:
  void refuse(const char* reason, std::string field, std::string message) {
    out_.refusals.push_back({reason, std::move(field), std::move(message)});
  }

  bool merge_settings() {
    const json* user = find(spec_, {"settings"});
    json user_settings = user != nullptr ? *user : json::object();
    settings::Validation v = settings::validate(user_settings);
    for (const auto& e : v.errors)
      refuse(kInvalidSettings, "spec.settings" + (e.path.empty() ? "" : "." + e.path), e.message);
    if (!v.ok()) return false;
    std::vector<json> levels = policy_.settings_levels;
    std::vector<std::string> names = policy_.settings.level_names;
    levels.push_back(settings::without_unknown_fields(user_settings));
    names.emplace_back("session");
    out_.settings = settings::merge_levels(levels, names);
    for (const auto& e : out_.settings.errors)
      refuse(kSettingsConflict, "spec.settings." + e.path,
             e.message + " (the session's settings merged with " + policy_list(policy_) + ")");
    return out_.settings.ok();
  }

  void choose_model() {
    const json& effective = out_.settings.settings;
    out_.model = string_at(spec_, {"model"});
    if (out_.model.empty()) out_.model = string_at(effective, {"sessionDefaults", "model"});
    if (out_.model.empty()) {
      refuse(kModelNotSet, "spec.model",
             "no model: set spec.model, or sessionDefaults.model in an OrgPolicy (" + policy_list(policy_) + ")");
      return;
    }
    if (auto why = settings::model_refusal(effective, out_.model)) {
      std::string by;
      if (const json* denied = find(effective, {"models", "denied"}))
        by = set_by(out_.settings, "models.denied", *denied, out_.model);
      refuse(kModelNotAllowed, "spec.model",
             *why + (by.empty() ? "" : " (set by " + by + ")") + "; choose another model or ask the platform team");
      return;
    }
    if (find(effective, {"customModels", out_.model.c_str()}) != nullptr) return;  // served by its own endpoint
    route_to_gateway();
  }

  void route_to_gateway() {
    if (policy_.gateways.empty()) return;
    const json* fallback = nullptr;
    for (const auto& g : policy_.gateways) {
      const json* models = find(g, {"models"});
      if (models == nullptr || models->empty()) {
        if (fallback == nullptr) fallback = &g;
      } else if (std::find(models->begin(), models->end(), out_.model) != models->end()) {
        out_.gateway = g;
        return;
      }
    }
    if (fallback != nullptr) {
      out_.gateway = *fallback;
      return;
    }
    refuse(kNoGatewayForModel, "spec.model",
           "no gateway of " + policy_list(policy_) + " serves model " + in_quotes(out_.model) +
               "; choose a model one of its gateways lists");
  }

  void check_byok() {
    const json* custom = find(spec_, {"settings", "customModels"});
    const json* byok = find(out_.settings.settings, {"byokAllowed"});
    if (custom == nullptr || custom->empty() || byok == nullptr || *byok != false) return;
    refuse(kBYOKNotAllowed, "spec.settings.customModels",
           "bring-your-own models are not allowed (byokAllowed is false in " + policy_list(policy_) +
               "); remove customModels or use a model the policy's gateways serve");
  }

  void choose_autonomy() {
    std::string level = string_at(spec_, {"autonomyLevel"});
    std::string field = "spec.autonomyLevel";
    if (level.empty()) level = string_at(out_.settings.settings, {"sessionDefaults", "autonomyLevel"});
    out_.autonomy = settings::parse_autonomy(level).value_or(settings::Autonomy::Off);
    if (auto why = settings::autonomy_refusal(out_.settings.settings, out_.autonomy))
      refuse(kAutonomyAboveMaximum, field, *why + " of " + policy_list(policy_) + "; lower spec.autonomyLevel");
  }

  void check_timeout() {
    const json* t = find(spec_, {"timeoutSeconds"});
    const json* def = find(policy_.runner, {"defaultTimeoutSeconds"});
    out_.timeout_seconds = t != nullptr && t->is_number_integer()       ? t->get<std::int64_t>()
                           : def != nullptr && def->is_number_integer() ? def->get<std::int64_t>()
                                                                        : kDefaultTimeoutSeconds;
    const json* max = find(policy_.runner, {"maxTimeoutSeconds"});
    if (max == nullptr || !max->is_number_integer() || out_.timeout_seconds <= max->get<std::int64_t>()) return;
    refuse(kTimeoutAboveMaximum, "spec.timeoutSeconds",
           "timeout " + std::to_string(out_.timeout_seconds) + "s exceeds the maximum of " +
               std::to_string(max->get<std::int64_t>()) + "s set by " + policy_list(policy_) +
               "; lower spec.timeoutSeconds");
  }

  void check_resources() {
    for (const char* kind : {"requests", "limits"}) {
      const json* wanted = find(spec_, {"resources", kind});
      if (wanted == nullptr || !wanted->is_object()) continue;
      for (const auto& [resource, value] : wanted->items()) {
        const json* max = find(policy_.runner, {"maxResources", kind, resource.c_str()});
        if (max == nullptr) max = find(policy_.runner, {"maxResources", "limits", resource.c_str()});
        if (max == nullptr) continue;
        auto text = [](const json& q) { return q.is_string() ? q.get<std::string>() : q.dump(); };
        auto w = Quantity::parse(text(value));
        auto m = Quantity::parse(text(*max));
        if (!w || !m || *w <= *m) continue;
        refuse(
            kResourcesAboveMaximum, std::string("spec.resources.") + kind + "." + resource,
            resource + " " + text(value) + " exceeds the maximum of " + text(*max) + " set by " + policy_list(policy_));
      }
    }
  }

  void check_concurrency(std::size_t active) {
    const json* max = find(policy_.limits, {"maxConcurrentSessionsPerNamespace"});
    if (max == nullptr || !max->is_number_integer() || static_cast<std::int64_t>(active) < max->get<std::int64_t>())
      return;
    out_.wait =
        Refusal{kConcurrencyLimitReached, "",
                "the namespace already has " + std::to_string(active) + " running session(s), the maximum set by " +
                    policy_list(policy_) + "; this session starts when one finishes"};
  }

  const json& spec_;
  const EffectivePolicy& policy_;
  SessionPlan& out_;
};

}  // namespace

std::string Refusal::str() const { return field.empty() ? message : field + ": " + message; }

SessionPlan plan_session(const json& spec, const EffectivePolicy& policy, std::size_t active_sessions) {
  SessionPlan out;
  Planner(spec, policy, out).run(active_sessions);
  return out;
}

}  // namespace droid::policy
