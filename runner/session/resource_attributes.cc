#include "session/resource_attributes.h"

namespace droid::runner::session {

std::map<std::string, std::string> resource_attributes(const contract::SessionConfig& config) {
  std::map<std::string, std::string> out;
  if (config.telemetry) out = config.telemetry->resource_attributes;
  out["droid.session"] = config.session.name;
  out["k8s.namespace.name"] = config.session.namespace_;
  out["deployment.environment"] = config.environment;
  if (config.requester && !config.requester->username.empty())
    out["enduser.id"] = config.requester->username;
  else
    out.erase("enduser.id");  // never a policy's guess at who asked
  return out;
}

}  // namespace droid::runner::session
