// Telemetry::make: checks the configuration, and returns the OTLP pipelines
// (otlp_telemetry.cc) or, without an endpoint, the no-op below.
#include "telemetry/telemetry.h"

#include <fstream>
#include <stdexcept>

#include "telemetry/otlp_telemetry.h"
#include "telemetry/trace_id.h"

namespace droid::runner::telemetry {
namespace {

class NoopSpan final : public Span {
 public:
  void end_llm(const LlmCall& /*call*/) override {}
  void end_tool(const ToolCall& /*call*/) override {}
};

class NoopTelemetry final : public Telemetry {
 public:
  explicit NoopTelemetry(std::string trace_id) : trace_id_(std::move(trace_id)) {}
  std::string trace_id() const override { return trace_id_; }
  std::unique_ptr<Span> start_llm_call(std::string_view /*request_model*/) override {
    return std::make_unique<NoopSpan>();
  }
  std::unique_ptr<Span> start_tool_call(std::string_view /*name*/, std::string_view /*call_id*/) override {
    return std::make_unique<NoopSpan>();
  }
  void blocked(std::string_view /*kind*/) override {}
  void audit(const nlohmann::json& /*event*/) override {}
  void finish(std::string_view /*outcome*/, std::string_view /*reason*/) override {}

 private:
  std::string trace_id_;
};

bool has_control_characters(std::string_view s) {
  for (const char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  }
  return false;
}

// An http(s) URL with a host and nothing after the path (the signal paths
// /v1/traces, /v1/metrics and /v1/logs are appended to it).
void check_endpoint(const std::string& endpoint) {
  std::string_view rest = endpoint;
  if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else if (rest.starts_with("https://")) {
    rest.remove_prefix(8);
  } else {
    throw std::invalid_argument("telemetry endpoint '" + endpoint + "': must start with http:// or https://");
  }
  const std::string_view host = rest.substr(0, rest.find('/'));
  if (host.empty() || host.starts_with(':')) {
    throw std::invalid_argument("telemetry endpoint '" + endpoint + "': has no host");
  }
  if (rest.find_first_of("?#@ ") != std::string_view::npos || has_control_characters(rest)) {
    throw std::invalid_argument("telemetry endpoint '" + endpoint +
                                "': must be a base URL without credentials, query or fragment");
  }
}

void check_config(const Config& config) {
  check_endpoint(config.endpoint);
  if (config.export_timeout.count() <= 0) {
    throw std::invalid_argument("telemetry export_timeout: must be positive");
  }
  for (const auto& [name, value] : config.headers) {
    if (name.empty() || name.find_first_of(": ") != std::string::npos || has_control_characters(name)) {
      throw std::invalid_argument("telemetry headers: invalid header name '" + name + "'");
    }
    if (has_control_characters(value)) {
      // Not the value itself in the message: header values are credentials.
      throw std::invalid_argument("telemetry headers: the value of '" + name + "' has control characters");
    }
  }
  for (const auto& [key, value] : config.resource_attributes) {
    if (key.empty()) throw std::invalid_argument("telemetry resource_attributes: empty attribute name");
  }
  if (!config.ca_file.empty()) {
    const std::ifstream file(config.ca_file);
    if (!file) throw std::invalid_argument("telemetry ca_file '" + config.ca_file + "': cannot be read");
  }
}

}  // namespace

std::unique_ptr<Telemetry> Telemetry::make(const Config& config) {
  const TraceIdBytes trace_id = random_trace_id();
  if (config.endpoint.empty()) return std::make_unique<NoopTelemetry>(to_hex(trace_id));
  check_config(config);
  return make_otlp_telemetry(config, trace_id);
}

}  // namespace droid::runner::telemetry
