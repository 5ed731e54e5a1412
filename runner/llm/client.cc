#include "llm/client.h"

#include <algorithm>
#include <optional>
#include <random>
#include <thread>
#include <utility>

#include "kube/backoff.h"
#include "llm/error.h"
#include "llm/http_transport.h"
#include "log/log.h"

namespace droid::llm {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr std::size_t kMaxBody = std::size_t{64} * 1024 * 1024;  // a sane bound on one answer
constexpr std::size_t kMaxErrorBody = std::size_t{64} * 1024;

bool success(int status) { return status >= 200 && status < 300; }

// What one attempt learnt besides its result.
struct AttemptState {
  bool delivered = false;            // text went to the caller: never retry
  std::optional<milliseconds> wait;  // the gateway's Retry-After
};

class GatewayClient : public Client {
 public:
  explicit GatewayClient(GatewayConfig config)
      : config_(std::move(config)),
        dialect_(config_.provider == Provider::OpenAI ? make_openai_dialect() : make_anthropic_dialect()),
        transport_(config_),
        url_(endpoint_url(config_.provider, config_.base_url)),
        log_("llm", {{"provider", to_string(config_.provider)}, {"url", url_}}) {
    if (config_.retry.max_attempts < 1) throw ConfigError("gateway retry attempts must be at least 1");
    if (config_.api_key.empty() && config_.auth != AuthScheme::None) {
      throw ConfigError("no API key for the gateway " + url_ +
                        ": configure one, or say that the gateway needs none (auth: none)");
    }
    if (!config_.api_key.empty() && config_.auth == AuthScheme::None) {
      throw ConfigError("the gateway " + url_ + " is configured with auth: none and an API key: choose one");
    }
  }

  Provider provider() const override { return config_.provider; }

  Response complete(const Request& request, const TextCallback& on_text) override {
    const bool stream = request.stream || static_cast<bool>(on_text);
    const std::string body = dialect_->encode(request, stream).dump();
    const auto headers = request_headers(stream);
    auto deadline = steady_clock::now() + config_.deadline;
    if (request.deadline && *request.deadline < deadline) deadline = *request.deadline;
    kube::Backoff backoff({.initial = config_.retry.initial_backoff,
                           .max = config_.retry.max_backoff,
                           .factor = 2.0,
                           .jitter = config_.retry.jitter});

    for (int attempt = 1;; ++attempt) {
      AttemptState state;
      const auto attempt_deadline = std::min(deadline, steady_clock::now() + config_.request_timeout);
      try {
        Response r = attempt_once(body, headers, stream, attempt_deadline, on_text, state);
        r.attempts = attempt;
        return r;
      } catch (Error& e) {
        e.set_attempts(attempt);
        if (!may_retry(e, attempt, state, deadline)) throw;
        const milliseconds delay = state.wait.value_or(backoff.next());
        if (steady_clock::now() + delay >= deadline) throw;  // the wait would outlast the deadline
        log_.warn("gateway call failed; retrying", {{"attempt", attempt},
                                                    {"delay_ms", delay.count()},
                                                    {"retry_after", state.wait.has_value()},
                                                    {"error", e.what()}});
        std::this_thread::sleep_for(delay);
      }
    }
  }

 private:
  bool may_retry(const Error& e, int attempt, const AttemptState& state, steady_clock::time_point deadline) const {
    if (state.delivered || attempt >= config_.retry.max_attempts) return false;
    if (const auto* api = dynamic_cast<const ApiError*>(&e)) {
      return api->status() != 0 ? retryable_status(api->status()) : retryable_stream_error(api->type(), api->code());
    }
    if (dynamic_cast<const TransportError*>(&e) != nullptr) return true;
    // A timeout of this attempt alone (request_timeout) may be retried; the overall deadline not.
    if (dynamic_cast<const TimeoutError*>(&e) != nullptr) return steady_clock::now() < deadline;
    return false;  // ProtocolError, ConfigError: the same request would fail the same way
  }

  std::vector<std::pair<std::string, std::string>> request_headers(bool stream) const {
    std::vector<std::pair<std::string, std::string>> h = {
        {"Accept", stream ? "text/event-stream" : "application/json"},
        {"User-Agent", "droid-runner/" DROID_VERSION},
    };
    const bool anthropic = config_.provider == Provider::Anthropic;
    if (config_.auth != AuthScheme::None) {
      const bool x_api_key = config_.auth == AuthScheme::XApiKey || (config_.auth == AuthScheme::Default && anthropic);
      if (x_api_key) {
        h.emplace_back("x-api-key", config_.api_key);
      } else {
        h.emplace_back("Authorization", "Bearer " + config_.api_key);
      }
    }
    if (anthropic) h.emplace_back("anthropic-version", config_.anthropic_version);
    for (const auto& extra : config_.extra_headers) h.push_back(extra);
    return h;
  }

  Response attempt_once(const std::string& body, const std::vector<std::pair<std::string, std::string>>& headers,
                        bool stream, steady_clock::time_point deadline, const TextCallback& on_text,
                        AttemptState& state) {
    HttpHead head;
    bool event_stream = false;
    std::string raw;  // the whole body (JSON answers and error bodies)
    SseDecoder sse;
    auto assembler = dialect_->stream_assembler();
    const TextCallback forward = [&](std::string_view delta) {
      state.delivered = true;
      if (on_text) on_text(delta);
    };
    const std::string& key = config_.api_key;
    try {
      transport_.post(
          url_, headers, body, deadline,
          [&](const HttpHead& h) {
            head = h;
            event_stream = stream && success(h.status) && h.header("content-type").find("text/event-stream") == 0;
          },
          [&](std::string_view piece) {
            if (event_stream) {
              for (const auto& event : sse.feed(piece)) assembler->on_event(event, forward);
              return;
            }
            const std::size_t limit = success(head.status) ? kMaxBody : kMaxErrorBody;
            if (raw.size() < limit) raw.append(piece.substr(0, limit - raw.size()));
            if (success(head.status) && raw.size() >= kMaxBody) {
              throw ProtocolError("POST " + url_ + ": the answer exceeds " + std::to_string(kMaxBody) + " bytes");
            }
          });
    } catch (ApiError& e) {  // an error event in the stream
      ApiError scrubbed(e.status(), e.type(), scrub(e.gateway_message(), key), scrub(e.what(), key));
      scrubbed.set_code(scrub(e.code(), key));
      throw scrubbed;
    } catch (ProtocolError& e) {
      throw ProtocolError(scrub(std::string("POST ") + url_ + ": " + e.what(), key));
    } catch (TransportError& e) {
      throw TransportError(scrub(e.what(), key));
    } catch (TimeoutError& e) {
      throw TimeoutError(scrub(e.what(), key));
    }

    if (!success(head.status)) {
      state.wait = retry_after(head.headers);
      const GatewayError g = dialect_->parse_error(raw);
      const std::string message = scrub(g.message, key);
      std::string what = "POST " + url_ + ": the gateway answered HTTP " + std::to_string(head.status);
      if (!g.type.empty()) what += " (" + scrub(g.type, key) + ")";
      if (!message.empty()) what += ": " + message;
      throw ApiError(head.status, scrub(g.type, key), message, what);
    }
    if (event_stream) {
      for (const auto& event : sse.finish()) assembler->on_event(event, forward);
      if (!assembler->complete()) {
        throw TransportError("POST " + url_ + ": the stream ended before the response was complete");
      }
      return assembler->finish();
    }
    // Not a stream (asked for none, or the gateway answered with plain JSON anyway).
    auto doc = nlohmann::json::parse(raw, nullptr, false);
    if (doc.is_discarded()) {
      throw ProtocolError(scrub("POST " + url_ + ": the gateway's answer is not JSON: " + raw.substr(0, 200), key));
    }
    try {
      Response r = dialect_->decode(doc);
      if (on_text && !r.message.text().empty()) forward(r.message.text());
      return r;
    } catch (ProtocolError& e) {
      throw ProtocolError(scrub("POST " + url_ + ": " + e.what(), key));
    }
  }

  GatewayConfig config_;
  std::unique_ptr<Dialect> dialect_;
  HttpTransport transport_;
  std::string url_;
  log::Logger log_;
};

}  // namespace

std::unique_ptr<Client> make_client(const GatewayConfig& config) { return std::make_unique<GatewayClient>(config); }

}  // namespace droid::llm
