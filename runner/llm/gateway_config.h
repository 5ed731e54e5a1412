// How the runner reaches one LLM gateway: dialect, base URL, credentials, TLS,
// proxy, timeouts and retries.
//
// Endpoint paths (decided here, one rule per dialect, following each vendor SDK's
// notion of a base URL):
//   openai:    POST {baseURL}/chat/completions   (baseURL includes the version, as
//              for the OpenAI SDK: "http://vllm.llm:8000/v1")
//   anthropic: POST {baseURL}/v1/messages        (baseURL is the host root, as for
//              the Anthropic SDK: "https://litellm.llm.svc:4000"); a baseURL that
//              already ends in "/v1" gets "/messages" only.
// Authentication: openai sends "Authorization: Bearer KEY"; anthropic sends
// "x-api-key: KEY" unless `auth` says Bearer (LiteLLM and other proxies in front
// of Anthropic models often want a bearer token). A gateway that needs no key
// says `auth` None: without a key and without None, make_client() refuses the
// configuration rather than send unauthenticated requests.
// TLS: `ca_file`/`ca_pem` REPLACE the system trust store (like curl --cacert): an
// air-gapped gateway is trusted through its own CA only. `client_cert_file` and
// `client_key_file` (PEM) present a client certificate (mTLS).
// Timeouts: `connect_timeout` bounds connecting (TCP, proxy tunnel, TLS
// handshake) and sending the request; `idle_timeout` bounds silence while
// waiting for bytes (cpprestsdk's timeout is per read), so it must exceed the
// time a gateway holds a queued request before answering; `request_timeout`
// bounds one attempt, streaming included; `deadline` bounds the whole call,
// retries and waits included.
// The API key is a secret: never logged, scrubbed from every error message.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "llm/proxy.h"
#include "llm/retry.h"

namespace droid::llm {

enum class Provider { OpenAI, Anthropic };
const char* to_string(Provider provider);
Provider parse_provider(std::string_view name);  // "openai" | "anthropic"; throws ConfigError

enum class AuthScheme { Default, Bearer, XApiKey, None };
AuthScheme parse_auth_scheme(std::string_view name);  // "" | "bearer" | "x-api-key" | "none"; throws ConfigError

struct GatewayConfig {
  Provider provider = Provider::OpenAI;
  std::string base_url;  // http:// or https://
  std::string api_key;   // empty only with auth None
  AuthScheme auth = AuthScheme::Default;
  std::string anthropic_version = "2023-06-01";

  std::string ca_file;           // PEM bundle path
  std::string ca_pem;            // or PEM text (OrgPolicy gateways[].caBundle); both may be given
  std::string client_cert_file;  // PEM certificate chain, for mTLS
  std::string client_key_file;   // PEM private key, for mTLS

  std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};
  std::chrono::milliseconds request_timeout{std::chrono::minutes(5)};
  std::chrono::milliseconds deadline{std::chrono::minutes(15)};
  RetryPolicy retry;
  ProxyEnvironment proxy;  // e.g. ProxyEnvironment::from_process_environment()
  std::vector<std::pair<std::string, std::string>> extra_headers;
};

// The full URL the dialect posts to (see above).
std::string endpoint_url(Provider provider, const std::string& base_url);

// The gateway's API key: the first line of `file` when given (surrounding
// whitespace trimmed), else the value of the environment variable `env_var`.
// Throws ConfigError naming the file or variable (never the content) when it is
// missing, unreadable or empty.
std::string load_api_key(const std::string& file, const std::string& env_var);

}  // namespace droid::llm
