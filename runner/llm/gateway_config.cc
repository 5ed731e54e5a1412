#include "llm/gateway_config.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "llm/error.h"

namespace droid::llm {
namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

}  // namespace

const char* to_string(Provider provider) { return provider == Provider::OpenAI ? "openai" : "anthropic"; }

Provider parse_provider(std::string_view name) {
  if (name == "openai") return Provider::OpenAI;
  if (name == "anthropic") return Provider::Anthropic;
  throw ConfigError("unknown gateway provider \"" + std::string(name) + "\" (expected openai or anthropic)");
}

AuthScheme parse_auth_scheme(std::string_view name) {
  if (name.empty()) return AuthScheme::Default;
  if (name == "bearer") return AuthScheme::Bearer;
  if (name == "x-api-key") return AuthScheme::XApiKey;
  if (name == "none") return AuthScheme::None;
  throw ConfigError("unknown gateway auth scheme \"" + std::string(name) + "\" (expected bearer, x-api-key or none)");
}

std::string endpoint_url(Provider provider, const std::string& base_url) {
  std::string base = base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (provider == Provider::OpenAI) return base + "/chat/completions";
  return base + (base.ends_with("/v1") ? "/messages" : "/v1/messages");
}

std::string load_api_key(const std::string& file, const std::string& env_var) {
  if (!file.empty()) {
    std::ifstream in(file);
    if (!in) throw ConfigError("gateway API key file " + file + " cannot be read");
    std::string line;
    std::getline(in, line);
    std::string key = trim(line);
    if (key.empty()) throw ConfigError("gateway API key file " + file + " is empty");
    return key;
  }
  if (!env_var.empty()) {
    const char* v = std::getenv(env_var.c_str());  // NOLINT(concurrency-mt-unsafe): read once at setup
    std::string key = v == nullptr ? "" : trim(v);
    if (key.empty()) throw ConfigError("gateway API key variable " + env_var + " is not set");
    return key;
  }
  throw ConfigError("no gateway API key file or variable configured");
}

}  // namespace droid::llm
