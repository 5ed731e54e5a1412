// `kubectl droid policy explain`: the effective org policy of a namespace,
// resolved exactly as the operator resolves it (policy::governing_policies and
// policy::resolve), with the OrgPolicies that govern the namespace in merge
// order and, for every merged field, its value and the OrgPolicy that set it.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/org_policy.h"

namespace droid::kubectl {

// {"namespace", "labels", "governing": [{name, priority, namespaceSelector}],
//  "notGoverning": [names], "hash", "fields": [{path, value, setBy}],
//  "notes", "errors", "effective": {settings, runner, network, gateways, telemetry, limits}}
nlohmann::ordered_json explain_policy(const std::string& ns, const policy::Labels& labels,
                                      const std::vector<policy::OrgPolicy>& all);

std::string explanation_text(const nlohmann::ordered_json& explanation);

// The value at a field path ("a.b[2]", `mcpServers["x.y"].url`) in `doc`, or null.
nlohmann::json value_at(const nlohmann::json& doc, const std::string& path);

// OrgPolicy objects (a list's items) as the resolver takes them.
std::vector<policy::OrgPolicy> org_policies(const nlohmann::json& items);

}  // namespace droid::kubectl
