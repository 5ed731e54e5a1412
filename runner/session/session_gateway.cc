#include "session/session_gateway.h"

#include <string>

#include "llm/error.h"

namespace droid::runner::session {
namespace {

using nlohmann::json;

std::string string_field(const json& gateway, const char* key) {
  const auto it = gateway.find(key);
  if (it == gateway.end() || it->is_null()) return "";
  if (!it->is_string()) throw llm::ConfigError(std::string("session.json: gateway.") + key + " must be a string");
  return it->get<std::string>();
}

std::chrono::milliseconds seconds_field(const json& timeouts, const char* key, std::chrono::milliseconds fallback) {
  const auto it = timeouts.find(key);
  if (it == timeouts.end() || it->is_null()) return fallback;
  if (!it->is_number_integer() || it->get<std::int64_t>() < 1 || it->get<std::int64_t>() > 86400) {
    throw llm::ConfigError(std::string("session.json: gateway.timeouts.") + key +
                           " must be a whole number of seconds from 1 to 86400 (got " + it->dump() + ")");
  }
  return std::chrono::seconds(it->get<std::int64_t>());
}

}  // namespace

llm::GatewayConfig gateway_config(const json& gateway) {
  if (!gateway.is_object()) throw llm::ConfigError("session.json: gateway must be an object");
  llm::GatewayConfig c;
  const std::string name = string_field(gateway, "name");
  c.provider =
      llm::parse_provider(string_field(gateway, "provider").empty() ? "openai" : string_field(gateway, "provider"));
  c.base_url = string_field(gateway, "baseURL");
  c.auth = llm::parse_auth_scheme(string_field(gateway, "auth"));
  const bool has_key = !string_field(gateway, "credentialsFile").empty();
  const std::string which = "the OrgPolicy gateway \"" + name + "\"";
  if (!has_key && c.auth != llm::AuthScheme::None) {
    throw llm::ConfigError(which + " has no API key: set credentialsSecretRef in its spec.gateways entry, or auth: " +
                           "none if the gateway needs no key");
  }
  if (has_key && c.auth == llm::AuthScheme::None) {
    throw llm::ConfigError(which + " says auth: none but has credentialsSecretRef: remove one of them");
  }
  c.ca_pem = string_field(gateway, "caBundle");
  c.ca_file = string_field(gateway, "caBundleFile");
  if (const auto t = gateway.find("timeouts"); t != gateway.end() && !t->is_null()) {
    if (!t->is_object()) throw llm::ConfigError("session.json: gateway.timeouts must be an object");
    c.connect_timeout = seconds_field(*t, "connectSeconds", c.connect_timeout);
    c.idle_timeout = seconds_field(*t, "idleSeconds", c.idle_timeout);
    c.request_timeout = seconds_field(*t, "totalSeconds", c.request_timeout);
  }
  return c;
}

}  // namespace droid::runner::session
