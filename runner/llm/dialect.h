// A gateway dialect: how a provider-neutral Request becomes a JSON body, how a
// JSON body or an SSE stream becomes a Response, and how an error body reads.
// Pure functions of their input (no I/O), so each dialect is tested on its own;
// the Client (client.h) adds HTTP, retries and deadlines around one of them.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "llm/conversation.h"
#include "llm/sse.h"

namespace droid::llm {

// Called with each piece of assistant text as it streams in.
using TextCallback = std::function<void(std::string_view text_delta)>;

// The error a gateway reported: its type ("rate_limit_error") and message.
struct GatewayError {
  std::string type;
  std::string message;
};

// Assembles one streamed response from its SSE events.
class StreamAssembler {
 public:
  virtual ~StreamAssembler() = default;
  // Consumes one event; text deltas go to on_text (may be empty). Throws ApiError
  // for an error event and ProtocolError for an event that is not the API.
  virtual void on_event(const SseEvent& event, const TextCallback& on_text) = 0;
  // True once the stream's terminal event arrived.
  virtual bool complete() const = 0;
  // The response so far (call once complete()).
  virtual Response finish() = 0;
};

class Dialect {
 public:
  virtual ~Dialect() = default;
  virtual nlohmann::json encode(const Request& request, bool stream) const = 0;
  // Throws ProtocolError when the body is not a response of this API.
  virtual Response decode(const nlohmann::json& body) const = 0;
  virtual std::unique_ptr<StreamAssembler> stream_assembler() const = 0;
  // Reads an error body; falls back to the raw text (shortened) as the message.
  virtual GatewayError parse_error(const std::string& body) const = 0;
};

std::unique_ptr<Dialect> make_openai_dialect();
std::unique_ptr<Dialect> make_anthropic_dialect();

}  // namespace droid::llm
