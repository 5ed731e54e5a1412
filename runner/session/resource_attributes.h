// The OpenTelemetry resource attributes of a session run in a pod (SPEC §6.8):
// the org policy's own (telemetry.resourceAttributes), then the session's
// identity, which a policy cannot override: droid.session, k8s.namespace.name,
// deployment.environment and enduser.id (status.requester.username, stamped by
// the admission webhook; absent when the session has no requester).
#pragma once

#include <map>
#include <string>

#include "contract/session_config.h"

namespace droid::runner::session {

std::map<std::string, std::string> resource_attributes(const contract::SessionConfig& config);

}  // namespace droid::runner::session
