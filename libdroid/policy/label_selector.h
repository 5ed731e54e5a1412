// Kubernetes label selectors (metav1.LabelSelector as JSON): matchLabels and
// matchExpressions (In, NotIn, Exists, DoesNotExist), all ANDed. An empty or
// absent selector matches everything, as for OrgPolicy.spec.namespaceSelector.
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace droid::policy {

using Labels = std::map<std::string, std::string>;

// Whether `labels` satisfy `selector`. A malformed selector (an unknown
// operator, values on Exists) matches nothing: policy never widens by mistake.
bool selector_matches(const nlohmann::json& selector, const Labels& labels);

}  // namespace droid::policy
