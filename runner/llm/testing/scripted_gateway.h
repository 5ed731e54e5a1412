// A scripted LLM gateway: an HTTP(S) server (cpprestsdk http_listener) that speaks
// the OpenAI chat completions and Anthropic messages APIs, answers from a Script
// (script.h) and records every request it receives. The stand-in for vLLM or
// LiteLLM in tests, in `make demo` and in the node tier's cluster.
//
// Routes:
//   POST .../chat/completions  OpenAI dialect        POST .../messages  Anthropic dialect
//   GET  /healthz              "ok", no credentials
//   GET  /_gateway/requests    the recorded requests (JSON array)
//   PUT  /_gateway/script      replaces the script (the body is a script document)
// Every route but /healthz requires the configured API key, as
// "Authorization: Bearer KEY" or "x-api-key: KEY"; otherwise 401, whose message
// repeats the key that was presented (as some gateways do), so that tests can
// prove the client scrubs it from its errors. Requests are checked as the real
// APIs would (model, messages, max_tokens, role alternation, tool results that
// answer earlier tool calls): a 400 names the problem.
// TLS: an https:// listen URL with a certificate and key; with `client_ca_file`
// the server requires a client certificate signed by that CA (mTLS).
// Recorded requests keep the body and the headers, with credential values
// replaced by "[REDACTED]".
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "llm/testing/script.h"

namespace droid::llm::testing {

struct GatewayOptions {
  // http://HOST:PORT or https://HOST:PORT; port 0 picks a free port.
  std::string listen_url = "http://127.0.0.1:0";
  std::string api_key;  // required
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string client_ca_file;  // when set, clients must present a certificate signed by it
  std::string record_file;     // when set, each recorded request is appended as one JSON line
};

class ScriptedGateway {
 public:
  // Starts listening; throws std::runtime_error when it cannot (port taken, bad certificate).
  ScriptedGateway(Script script, GatewayOptions options);
  ~ScriptedGateway();  // stops listening and waits for answers in flight
  ScriptedGateway(const ScriptedGateway&) = delete;
  ScriptedGateway& operator=(const ScriptedGateway&) = delete;

  std::string url() const;  // scheme://host:port, no trailing slash
  // Every request so far: {seq, method, path, api, stream, headers, body, status, turn,
  // receivedAtMs (wall clock, ms since the epoch)}.
  nlohmann::json requests() const;
  void set_script(Script script);  // forgets which turns were used
  std::size_t unused_turns() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace droid::llm::testing
