// Resolving the OrgPolicies that govern a namespace into one effective org
// level (SPEC §3.2): the policies whose namespaceSelector matches, in a fixed
// order (higher spec.priority first, then name), merged under the rules of
// SPEC §4 for settings and, for the other sections, so that no policy is
// loosened by another:
//   runner: image, runtimeClassName, seccompProfile, defaults - first that sets;
//           maxTimeoutSeconds and each maxResources entry - the smallest;
//   network: allowDNS - false if any policy says false; egress - all rules;
//   gateways: all, by name, the first policy's definition of a name wins;
//   egress.destinations: likewise (the egress gateway's destinations, issue 15);
//   telemetry: the first that sets it; limits: the smallest of each.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/label_selector.h"
#include "settings/merge.h"

namespace droid::policy {

struct OrgPolicy {
  std::string name;
  nlohmann::json spec = nlohmann::json::object();
};

// The policies governing a namespace with `labels`, highest precedence first.
std::vector<OrgPolicy> governing_policies(const std::vector<OrgPolicy>& all, const Labels& labels);

// Field path (settings/field_path.h style: "runner.image",
// "runner.maxResources.limits.cpu", "network.egress[0]", "gateways.vllm",
// "telemetry", "limits.tokenBudgetPerSession") -> the OrgPolicy that set it.
using Provenance = std::vector<std::pair<std::string, std::string>>;

struct EffectivePolicy {
  std::vector<std::string> names;  // the governing policies, highest precedence first
  std::string hash;                // "sha256:<hex>" of their names and specs, in order
  settings::Merged settings;       // the org level; provenance names "orgpolicy/<name>"
  // The settings of each governing policy, in order, for merging with lower
  // levels (provenance then still names the policy that set a field).
  std::vector<nlohmann::json> settings_levels;
  nlohmann::json runner = nlohmann::json::object();
  nlohmann::json network = nlohmann::json::object();
  nlohmann::json gateways = nlohmann::json::array();
  nlohmann::json egress_destinations = nlohmann::json::array();  // spec.egress.destinations
  nlohmann::json telemetry = nlohmann::json::object();
  nlohmann::json limits = nlohmann::json::object();
  // Which policy set each field of runner, network, gateways, telemetry and
  // limits, in the order the fields were first set (settings has its own).
  Provenance provenance;
};

// Merges `governing` (as returned by governing_policies). No policy at all
// gives an empty effective policy: nothing restricted beyond the CRD's rules.
EffectivePolicy resolve(const std::vector<OrgPolicy>& governing);

}  // namespace droid::policy
