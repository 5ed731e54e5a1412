// The gateway entry of session.json as the runner's gateway configuration.
//
// The operator copies the chosen OrgPolicy gateway (spec.gateways[]) into
// session.json, without its secret references: the key and a CA bundle from a
// Secret arrive as mounted files (credentialsFile, caBundleFile). Fields read:
//   name, provider (openai | anthropic), baseURL, credentialsFile, caBundle,
//   caBundleFile, auth (bearer | x-api-key | none),
//   timeouts {connectSeconds (default 10), idleSeconds (60), totalSeconds (300)}
// The session's wall time bounds every call (retries included) on top of these.
// A gateway without credentials must say auth: none; otherwise the session
// fails at its start with an error naming the OrgPolicy setting, rather than
// sending requests that carry no key.
#pragma once

#include <nlohmann/json.hpp>

#include "llm/gateway_config.h"

namespace droid::runner::session {

// Throws llm::ConfigError naming the field (and, for the key, the OrgPolicy
// setting that provides it). Does not read the key file: see llm::load_api_key.
llm::GatewayConfig gateway_config(const nlohmann::json& gateway);

}  // namespace droid::runner::session
