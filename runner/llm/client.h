// The LLM client the agent loop calls: one interface, two gateway dialects.
//
//   auto client = droid::llm::make_client(config);      // OpenAI or Anthropic per config.provider
//   Response r = client->complete(request);             // non-streaming
//   Response r = client->complete(request, [](std::string_view delta) { print(delta); });  // streaming
//
// complete() returns the assistant message (text and tool calls, parallel calls
// included), the usage and the stop reason. It retries what may succeed later
// (see retry.h) within the configured attempts and deadline, but never a stream
// that has already passed text to the callback. Errors are the classes of
// error.h; none contains the API key. A Client may be used from several threads
// at once (each call has its own state; connections are pooled).
#pragma once

#include <memory>

#include "llm/conversation.h"
#include "llm/dialect.h"
#include "llm/gateway_config.h"

namespace droid::llm {

class Client {
 public:
  virtual ~Client() = default;
  // Streams (SSE) when request.stream is set or on_text is given.
  virtual Response complete(const Request& request, const TextCallback& on_text = {}) = 0;
  virtual Provider provider() const = 0;
};

// Throws ConfigError for an unusable configuration (URL, CA bundle, client certificate).
std::unique_ptr<Client> make_client(const GatewayConfig& config);

}  // namespace droid::llm
