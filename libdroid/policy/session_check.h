// Checks a DroidSession against the effective org policy of its namespace
// (org_policy.h), as both the admission webhook (at create time) and the
// reconciler (before it creates anything) do, so that a developer sees the same
// stable reason and the same message from either. Also works out what the
// session will run with: model, autonomy, timeout, gateway and the settings of
// the org and user levels merged (project and folder levels are applied by the
// runner, which alone sees the repository).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/org_policy.h"
#include "settings/effective.h"
#include "settings/merge.h"

namespace droid::policy {

// Stable reasons (condition reasons and event reasons; never reworded).
inline constexpr const char* kInvalidSettings = "InvalidSettings";
inline constexpr const char* kSettingsConflict = "SettingsConflict";
inline constexpr const char* kModelNotSet = "ModelNotSet";
inline constexpr const char* kModelNotAllowed = "ModelNotAllowed";
inline constexpr const char* kBYOKNotAllowed = "BYOKNotAllowed";
inline constexpr const char* kNoGatewayForModel = "NoGatewayForModel";
inline constexpr const char* kAutonomyAboveMaximum = "AutonomyAboveMaximum";
inline constexpr const char* kTimeoutAboveMaximum = "TimeoutAboveMaximum";
inline constexpr const char* kResourcesAboveMaximum = "ResourcesAboveMaximum";
// Not a refusal: the session waits in Pending until a slot frees (SessionPlan::wait).
inline constexpr const char* kConcurrencyLimitReached = "ConcurrencyLimitReached";

struct Refusal {
  std::string reason;       // one of the k* reasons above
  std::string field;        // the spec field at fault, e.g. "spec.model" ("" for the namespace)
  std::string message;      // what is wrong and how to fix it
  std::string str() const;  // "field: message"
};

struct SessionPlan {
  std::vector<Refusal> refusals;  // empty: the session may run
  // Set when the namespace is at limits.maxConcurrentSessionsPerNamespace: the
  // session is allowed but must wait in Pending (reason kConcurrencyLimitReached).
  std::optional<Refusal> wait;
  settings::Merged settings;  // org policies and spec.settings merged
  std::string model;
  settings::Autonomy autonomy = settings::Autonomy::Off;
  std::int64_t timeout_seconds = 0;
  nlohmann::json gateway;  // the gateway the model routes to; null when policy names none
  bool ok() const { return refusals.empty(); }
};

// `spec` is DroidSession.spec; `active_sessions` counts the namespace's other
// sessions that are not finished (for the concurrency limit).
SessionPlan plan_session(const nlohmann::json& spec, const EffectivePolicy& policy, std::size_t active_sessions);

}  // namespace droid::policy
