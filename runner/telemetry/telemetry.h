// Telemetry of one session (SPEC §6.8) over opentelemetry-cpp, OTLP/HTTP (protobuf)
// to ENDPOINT/v1/traces, /v1/metrics and /v1/logs:
//   traces  - a root "session" span (droid.session.outcome, droid.session.reason;
//             a "droid.blocked" event per blocked action); child spans per LLM call
//             ("chat {model}", kind client, GenAI semantic conventions:
//             gen_ai.operation.name, gen_ai.system and gen_ai.provider.name,
//             gen_ai.request.model, gen_ai.response.model, gen_ai.response.id,
//             gen_ai.usage.input_tokens, gen_ai.usage.output_tokens,
//             gen_ai.response.finish_reasons, error.type) and per tool call
//             ("execute_tool {name}", gen_ai.tool.name, gen_ai.tool.call.id,
//             droid.tool.outcome, droid.command.risk, droid.command.decision);
//   metrics - droid.tokens (gen_ai.token.type input/output, gen_ai.request.model),
//             droid.tool.invocations (gen_ai.tool.name, droid.tool.outcome),
//             droid.command.risk (droid.command.risk, droid.command.decision),
//             droid.actions.blocked (droid.blocked.kind), droid.session.duration
//             (s, droid.session.outcome), and the GenAI gen_ai.client.token.usage
//             and gen_ai.client.operation.duration histograms;
//   logs    - audit events (one per decision), body = the event's JSON,
//             event.name=droid.audit, droid.audit.event, in the session's trace.
// Resource attributes: service.name=droid-runner, service.version, and those of
// the config (droid.session, droid.namespace, enduser.id, droid.team,
// deployment.environment, plus the policy's). Every string attribute and log
// body passes through `redact` first, so no secret leaves unredacted. Disabled
// (no endpoint): every call is a cheap no-op and trace_id() is still a valid
// random W3C trace id. Each instance owns its providers (no global provider is
// set); the SDK's own diagnostics go to the structured log (logger "telemetry").
// Thread-safe; a Span is used by one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace droid::runner::telemetry {

struct Config {
  std::string endpoint;  // OTLP/HTTP base URL, e.g. http://otel-collector.observability:4318; empty = disabled
  std::map<std::string, std::string> headers;              // e.g. from the policy's telemetry headers Secret
  std::map<std::string, std::string> resource_attributes;  // user, team, session, environment, policy's own
  std::string ca_file;                                     // https collector trust
  std::chrono::milliseconds export_timeout{std::chrono::seconds(10)};
  std::function<std::string(std::string_view)> redact;  // applied to every string leaving the process
};

struct LlmCall {
  std::string provider;  // "openai" | "anthropic"
  std::string request_model;
  std::string response_model;
  std::string response_id;
  std::string finish_reason;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  int attempts = 1;
  std::string error;  // empty on success
};

struct ToolCall {
  std::string name;
  std::string call_id;
  std::string outcome;   // "ok" | "error" | "denied" | "blocked" | "ask"
  std::string risk;      // shell only: low|medium|high
  std::string decision;  // shell only: allow|ask|deny|block
};

// A span in progress; end it with the call's facts. Ends itself (as an error)
// if destroyed unended.
class Span {
 public:
  virtual ~Span() = default;
  virtual void end_llm(const LlmCall& call) = 0;
  virtual void end_tool(const ToolCall& call) = 0;
};

class Telemetry {
 public:
  virtual ~Telemetry() = default;
  // Throws std::invalid_argument naming the field for a bad endpoint/CA.
  static std::unique_ptr<Telemetry> make(const Config& config);

  virtual std::string trace_id() const = 0;  // 32 hex digits, the session trace
  virtual std::unique_ptr<Span> start_llm_call(std::string_view request_model) = 0;
  virtual std::unique_ptr<Span> start_tool_call(std::string_view name, std::string_view call_id) = 0;
  virtual void blocked(std::string_view kind) = 0;      // "command", "secret", "hook", "guardrail"...
  virtual void audit(const nlohmann::json& event) = 0;  // an audit event as an OTEL log record
  // Ends the session span with the outcome, records the duration and flushes
  // everything (bounded by export_timeout). Idempotent.
  virtual void finish(std::string_view outcome, std::string_view reason) = 0;
};

}  // namespace droid::runner::telemetry
