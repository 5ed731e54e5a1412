#include "telemetry/otlp_telemetry.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <future>
#include <mutex>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <opentelemetry/common/key_value_iterable.h>
#include <opentelemetry/context/context.h>
#include <opentelemetry/exporters/otlp/otlp_http_exporter_factory.h>
#include <opentelemetry/exporters/otlp/otlp_http_exporter_options.h>
#include <opentelemetry/exporters/otlp/otlp_http_log_record_exporter_factory.h>
#include <opentelemetry/exporters/otlp/otlp_http_log_record_exporter_options.h>
#include <opentelemetry/exporters/otlp/otlp_http_metric_exporter_factory.h>
#include <opentelemetry/exporters/otlp/otlp_http_metric_exporter_options.h>
#include <opentelemetry/logs/logger.h>
#include <opentelemetry/logs/severity.h>
#include <opentelemetry/metrics/meter.h>
#include <opentelemetry/metrics/sync_instruments.h>
#include <opentelemetry/sdk/logs/batch_log_record_processor_factory.h>
#include <opentelemetry/sdk/logs/batch_log_record_processor_options.h>
#include <opentelemetry/sdk/logs/logger_provider.h>
#include <opentelemetry/sdk/logs/logger_provider_factory.h>
#include <opentelemetry/sdk/metrics/export/periodic_exporting_metric_reader_factory.h>
#include <opentelemetry/sdk/metrics/export/periodic_exporting_metric_reader_options.h>
#include <opentelemetry/sdk/metrics/meter_provider.h>
#include <opentelemetry/sdk/metrics/meter_provider_factory.h>
#include <opentelemetry/sdk/metrics/view/view_registry_factory.h>
#include <opentelemetry/sdk/resource/resource.h>
#include <opentelemetry/sdk/trace/batch_span_processor_factory.h>
#include <opentelemetry/sdk/trace/batch_span_processor_options.h>
#include <opentelemetry/sdk/trace/id_generator.h>
#include <opentelemetry/sdk/trace/random_id_generator_factory.h>
#include <opentelemetry/sdk/trace/samplers/always_on.h>
#include <opentelemetry/sdk/trace/tracer_provider.h>
#include <opentelemetry/sdk/trace/tracer_provider_factory.h>
#include <opentelemetry/trace/span_metadata.h>
#include <opentelemetry/trace/span_startoptions.h>
#include <opentelemetry/trace/tracer.h>

#include "telemetry/sdk_log.h"

namespace droid::runner::telemetry {
namespace {

namespace otel = opentelemetry;
namespace nostd = opentelemetry::nostd;
namespace otlp = opentelemetry::exporter::otlp;
namespace trace_api = opentelemetry::trace;
namespace trace_sdk = opentelemetry::sdk::trace;
namespace metrics_api = opentelemetry::metrics;
namespace metrics_sdk = opentelemetry::sdk::metrics;
namespace logs_api = opentelemetry::logs;
namespace logs_sdk = opentelemetry::sdk::logs;

using Clock = std::chrono::steady_clock;
using Redact = std::function<std::string(std::string_view)>;

constexpr char kScope[] = "droid-runner";
#ifdef DROID_VERSION
constexpr char kVersion[] = DROID_VERSION;
#else
constexpr char kVersion[] = "";
#endif

// Attributes for a metric point or a span start, every string value redacted.
class Attributes final : public otel::common::KeyValueIterable {
 public:
  explicit Attributes(const Redact& redact) : redact_(redact) {}

  Attributes& add(std::string key, std::string_view value) {
    items_.emplace_back(std::move(key), redact_(value));
    return *this;
  }
  Attributes& add(std::string key, std::int64_t value) {
    items_.emplace_back(std::move(key), value);
    return *this;
  }

  bool ForEachKeyValue(
      nostd::function_ref<bool(nostd::string_view, otel::common::AttributeValue)> callback) const noexcept override {
    for (const auto& [key, value] : items_) {
      const otel::common::AttributeValue attribute =
          std::holds_alternative<std::string>(value)
              ? otel::common::AttributeValue(nostd::string_view(std::get<std::string>(value)))
              : otel::common::AttributeValue(std::get<std::int64_t>(value));
      if (!callback(key, attribute)) return false;
    }
    return true;
  }
  std::size_t size() const noexcept override { return items_.size(); }

 private:
  const Redact& redact_;
  std::vector<std::pair<std::string, std::variant<std::string, std::int64_t>>> items_;
};

// All spans of a session are in its trace: the trace id drawn up front; span
// ids random.
class SessionIdGenerator final : public trace_sdk::IdGenerator {
 public:
  explicit SessionIdGenerator(const TraceIdBytes& trace_id)
      : IdGenerator(/*is_random=*/true),
        trace_id_(nostd::span<const std::uint8_t, trace_api::TraceId::kSize>(trace_id.data(), trace_id.size())),
        random_(trace_sdk::RandomIdGeneratorFactory::Create()) {}
  trace_api::SpanId GenerateSpanId() noexcept override { return random_->GenerateSpanId(); }
  trace_api::TraceId GenerateTraceId() noexcept override { return trace_id_; }

 private:
  trace_api::TraceId trace_id_;
  std::unique_ptr<trace_sdk::IdGenerator> random_;
};

std::string signal_url(const std::string& endpoint, std::string_view path) {
  std::string url = endpoint;
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += path;
  return url;
}

template <typename Options>
void set_http_options(Options& options, const Config& config, std::string_view path) {
  options.url = signal_url(config.endpoint, path);
  options.content_type = otlp::HttpRequestContentType::kBinary;
  options.timeout = config.export_timeout;
  options.console_debug = false;
  for (const auto& [name, value] : config.headers) options.http_headers.emplace(name, value);
  if (!config.ca_file.empty()) options.ssl_ca_cert_path = config.ca_file;
}

// The JSON with every key and string value redacted.
nlohmann::json redact_json(const nlohmann::json& value, const Redact& redact) {
  if (value.is_string()) return redact(value.get_ref<const std::string&>());
  if (value.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : value) out.push_back(redact_json(item, redact));
    return out;
  }
  if (value.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [key, item] : value.items()) out[redact(key)] = redact_json(item, redact);
    return out;
  }
  return value;
}

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
}

// The providers, instruments and session span of one session; shared with the
// spans it hands out, which may outlive the Telemetry object. Members are
// destroyed bottom-up: instruments and the tracer before their providers.
struct Pipeline {
  Redact redact;
  std::chrono::milliseconds export_timeout{};
  std::unique_ptr<trace_sdk::TracerProvider> tracer_provider;
  std::unique_ptr<metrics_sdk::MeterProvider> meter_provider;
  std::unique_ptr<logs_sdk::LoggerProvider> logger_provider;
  nostd::shared_ptr<trace_api::Tracer> tracer;
  nostd::shared_ptr<logs_api::Logger> logger;
  nostd::unique_ptr<metrics_api::Counter<std::uint64_t>> tokens;
  nostd::unique_ptr<metrics_api::Counter<std::uint64_t>> tool_invocations;
  nostd::unique_ptr<metrics_api::Counter<std::uint64_t>> command_risk;
  nostd::unique_ptr<metrics_api::Counter<std::uint64_t>> blocked;
  nostd::unique_ptr<metrics_api::Histogram<double>> session_duration;
  nostd::unique_ptr<metrics_api::Histogram<std::uint64_t>> token_usage;  // gen_ai.client.token.usage
  nostd::unique_ptr<metrics_api::Histogram<double>> operation_duration;  // gen_ai.client.operation.duration
  nostd::shared_ptr<trace_api::Span> session_span;
  Clock::time_point started = Clock::now();

  std::mutex mutex;  // guards finished
  bool finished = false;
  // The SDK's batch log processor, flushed while empty, waits out its whole
  // schedule delay: finish() flushes the logs only when there are some.
  std::atomic<bool> logged = false;

  void set(trace_api::Span& span, std::string_view key, std::string_view value) const {
    const std::string redacted = redact(value);
    span.SetAttribute(nostd::string_view(key.data(), key.size()), nostd::string_view(redacted));
  }

  trace_api::StartSpanOptions child_options(trace_api::SpanKind kind) const {
    trace_api::StartSpanOptions options;
    options.parent = session_span->GetContext();
    options.kind = kind;
    return options;
  }
};

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

class OtlpSpan final : public Span {
 public:
  enum class Kind { Llm, Tool };

  OtlpSpan(std::shared_ptr<Pipeline> pipeline, nostd::shared_ptr<trace_api::Span> span, Kind kind,
           std::string request_model, std::string tool_name)
      : pipeline_(std::move(pipeline)),
        span_(std::move(span)),
        kind_(kind),
        request_model_(std::move(request_model)),
        tool_name_(std::move(tool_name)) {}

  OtlpSpan(const OtlpSpan&) = delete;
  OtlpSpan& operator=(const OtlpSpan&) = delete;

  ~OtlpSpan() override {
    if (ended_) return;
    span_->SetStatus(trace_api::StatusCode::kError, "span not ended (abandoned)");
    span_->SetAttribute("error.type", "abandoned");
    span_->End();
  }

  void end_llm(const LlmCall& call) override {
    if (ended_ || kind_ != Kind::Llm) return;
    ended_ = true;
    const Pipeline& p = *pipeline_;
    const std::string model = call.request_model.empty() ? request_model_ : call.request_model;
    p.set(*span_, "gen_ai.system", call.provider);
    p.set(*span_, "gen_ai.provider.name", call.provider);
    p.set(*span_, "gen_ai.request.model", model);
    if (!call.response_model.empty()) p.set(*span_, "gen_ai.response.model", call.response_model);
    if (!call.response_id.empty()) p.set(*span_, "gen_ai.response.id", call.response_id);
    if (!call.finish_reason.empty()) {
      const std::string reason = p.redact(call.finish_reason);
      const nostd::string_view reasons[] = {reason};
      span_->SetAttribute("gen_ai.response.finish_reasons", nostd::span<const nostd::string_view>(reasons));
    }
    span_->SetAttribute("gen_ai.usage.input_tokens", call.input_tokens);
    span_->SetAttribute("gen_ai.usage.output_tokens", call.output_tokens);
    span_->SetAttribute("droid.llm.attempts", static_cast<std::int64_t>(call.attempts));
    if (!call.error.empty()) {
      span_->SetAttribute("error.type", "_OTHER");
      span_->SetStatus(trace_api::StatusCode::kError, p.redact(call.error));
    }
    span_->End();

    for (const auto& [type, count] : {std::pair<std::string_view, std::int64_t>{"input", call.input_tokens},
                                      std::pair<std::string_view, std::int64_t>{"output", call.output_tokens}}) {
      Attributes attributes(p.redact);
      attributes.add("gen_ai.token.type", type).add("gen_ai.request.model", model);
      attributes.add("gen_ai.provider.name", call.provider);
      if (count > 0) p.tokens->Add(static_cast<std::uint64_t>(count), attributes);
      p.token_usage->Record(static_cast<std::uint64_t>(std::max<std::int64_t>(count, 0)), attributes,
                            otel::context::Context{});
    }
    Attributes attributes(p.redact);
    attributes.add("gen_ai.operation.name", "chat").add("gen_ai.request.model", model);
    attributes.add("gen_ai.provider.name", call.provider);
    if (!call.error.empty()) attributes.add("error.type", "_OTHER");
    p.operation_duration->Record(seconds_since(started_), attributes, otel::context::Context{});
  }

  void end_tool(const ToolCall& call) override {
    if (ended_ || kind_ != Kind::Tool) return;
    ended_ = true;
    const Pipeline& p = *pipeline_;
    const std::string name = call.name.empty() ? tool_name_ : call.name;
    p.set(*span_, "droid.tool.outcome", call.outcome);
    if (!call.risk.empty()) p.set(*span_, "droid.command.risk", call.risk);
    if (!call.decision.empty()) p.set(*span_, "droid.command.decision", call.decision);
    if (call.outcome == "error") {
      span_->SetAttribute("error.type", "tool_error");
      span_->SetStatus(trace_api::StatusCode::kError, "the tool failed");
    }
    span_->End();

    Attributes invocation(p.redact);
    invocation.add("gen_ai.tool.name", name).add("droid.tool.outcome", call.outcome);
    p.tool_invocations->Add(1, invocation);
    if (!call.risk.empty() || !call.decision.empty()) {
      Attributes risk(p.redact);
      risk.add("droid.command.risk", call.risk.empty() ? "unknown" : call.risk);
      risk.add("droid.command.decision", call.decision.empty() ? "unknown" : call.decision);
      p.command_risk->Add(1, risk);
    }
  }

 private:
  std::shared_ptr<Pipeline> pipeline_;
  nostd::shared_ptr<trace_api::Span> span_;
  Kind kind_;
  std::string request_model_;
  std::string tool_name_;
  Clock::time_point started_ = Clock::now();
  bool ended_ = false;
};

class DroppedSpan final : public Span {
 public:
  void end_llm(const LlmCall& /*call*/) override {}
  void end_tool(const ToolCall& /*call*/) override {}
};

class OtlpTelemetry final : public Telemetry {
 public:
  OtlpTelemetry(std::shared_ptr<Pipeline> pipeline, std::string trace_id)
      : pipeline_(std::move(pipeline)), trace_id_(std::move(trace_id)) {}

  OtlpTelemetry(const OtlpTelemetry&) = delete;
  OtlpTelemetry& operator=(const OtlpTelemetry&) = delete;

  // A session that never finished still sends what it has.
  ~OtlpTelemetry() override {
    try {
      finish("Unknown", "TelemetryDestroyed");
    } catch (...) {  // NOLINT(bugprone-empty-catch): a destructor must not throw (redact might)
    }
  }

  std::string trace_id() const override { return trace_id_; }

  std::unique_ptr<Span> start_llm_call(std::string_view request_model) override {
    if (is_finished()) return std::make_unique<DroppedSpan>();
    Pipeline& p = *pipeline_;
    const std::string model = p.redact(request_model);
    Attributes attributes(p.redact);
    attributes.add("gen_ai.operation.name", "chat").add("gen_ai.request.model", model);
    auto span = p.tracer->StartSpan("chat " + model, attributes, p.child_options(trace_api::SpanKind::kClient));
    return std::make_unique<OtlpSpan>(pipeline_, std::move(span), OtlpSpan::Kind::Llm, model, "");
  }

  std::unique_ptr<Span> start_tool_call(std::string_view name, std::string_view call_id) override {
    if (is_finished()) return std::make_unique<DroppedSpan>();
    Pipeline& p = *pipeline_;
    const std::string tool = p.redact(name);
    Attributes attributes(p.redact);
    attributes.add("gen_ai.operation.name", "execute_tool").add("gen_ai.tool.name", tool);
    if (!call_id.empty()) attributes.add("gen_ai.tool.call.id", call_id);
    auto span =
        p.tracer->StartSpan("execute_tool " + tool, attributes, p.child_options(trace_api::SpanKind::kInternal));
    return std::make_unique<OtlpSpan>(pipeline_, std::move(span), OtlpSpan::Kind::Tool, "", tool);
  }

  void blocked(std::string_view kind) override {
    if (is_finished()) return;
    Pipeline& p = *pipeline_;
    Attributes attributes(p.redact);
    attributes.add("droid.blocked.kind", kind);
    p.blocked->Add(1, attributes);
    p.session_span->AddEvent("droid.blocked", attributes);
  }

  void audit(const nlohmann::json& event) override {
    if (is_finished()) return;
    Pipeline& p = *pipeline_;
    nostd::unique_ptr<logs_api::LogRecord> record = p.logger->CreateLogRecord();
    if (!record) return;
    const auto now = std::chrono::system_clock::now();
    record->SetTimestamp(now);
    record->SetObservedTimestamp(now);
    record->SetSeverity(logs_api::Severity::kInfo);
    // Keys and values redacted one by one (a secret is found whatever its JSON
    // escaping), then the whole text once more.
    const std::string body = p.redact(redact_json(event, p.redact).dump());
    record->SetBody(nostd::string_view(body));
    record->SetAttribute("event.name", "droid.audit");
    if (event.is_object()) {
      const auto kind = event.find("event");
      if (kind != event.end() && kind->is_string()) {
        record->SetAttribute("droid.audit.event", nostd::string_view(p.redact(kind->get_ref<const std::string&>())));
      }
    }
    const trace_api::SpanContext context = p.session_span->GetContext();
    record->SetTraceId(context.trace_id());
    record->SetSpanId(context.span_id());
    record->SetTraceFlags(context.trace_flags());
    p.logger->EmitLogRecord(std::move(record));
    p.logged = true;
  }

  void finish(std::string_view outcome, std::string_view reason) override {
    {
      const std::lock_guard lock(pipeline_->mutex);
      if (pipeline_->finished) return;
      pipeline_->finished = true;
    }
    Pipeline& p = *pipeline_;
    const double duration = seconds_since(p.started);
    p.set(*p.session_span, "droid.session.outcome", outcome);
    p.set(*p.session_span, "droid.session.reason", reason);
    if (iequals(outcome, "Succeeded")) {
      p.session_span->SetStatus(trace_api::StatusCode::kOk);
    } else if (iequals(outcome, "Failed") || iequals(outcome, "TimedOut")) {
      p.session_span->SetStatus(trace_api::StatusCode::kError, p.redact(reason));
    }
    p.session_span->End();
    Attributes attributes(p.redact);
    attributes.add("droid.session.outcome", outcome);
    p.session_duration->Record(duration, attributes, otel::context::Context{});

    // The three signals flush and shut down side by side, each bounded by the
    // export timeout, so the whole takes about one export timeout at worst.
    const auto timeout = std::chrono::duration_cast<std::chrono::microseconds>(p.export_timeout);
    auto traces = std::async(std::launch::async, [&p, timeout] {
      p.tracer_provider->ForceFlush(timeout);
      p.tracer_provider->Shutdown(timeout);
    });
    auto metrics = std::async(std::launch::async, [&p, timeout] {
      p.meter_provider->ForceFlush(timeout);
      p.meter_provider->Shutdown(timeout);
    });
    auto logs = std::async(std::launch::async, [&p, timeout] {
      if (p.logged) p.logger_provider->ForceFlush(timeout);
      p.logger_provider->Shutdown(timeout);
    });
    traces.wait();
    metrics.wait();
    logs.wait();
  }

 private:
  bool is_finished() const {
    const std::lock_guard lock(pipeline_->mutex);
    return pipeline_->finished;
  }

  std::shared_ptr<Pipeline> pipeline_;
  std::string trace_id_;
};

otel::sdk::resource::Resource make_resource(const Config& config, const Redact& redact) {
  otel::sdk::resource::ResourceAttributes attributes;
  attributes.SetAttribute("service.name", "droid-runner");
  if (kVersion[0] != '\0') attributes.SetAttribute("service.version", kVersion);
  for (const auto& [key, value] : config.resource_attributes) {
    attributes.SetAttribute(key, redact(value));
  }
  return otel::sdk::resource::Resource::Create(attributes);
}

}  // namespace

std::unique_ptr<Telemetry> make_otlp_telemetry(const Config& config, const TraceIdBytes& trace_id) {
  install_sdk_log_handler();
  auto p = std::make_shared<Pipeline>();
  p->redact = config.redact ? config.redact : Redact([](std::string_view s) { return std::string(s); });
  p->export_timeout = config.export_timeout;
  const otel::sdk::resource::Resource resource = make_resource(config, p->redact);

  otlp::OtlpHttpExporterOptions trace_options;
  set_http_options(trace_options, config, "/v1/traces");
  trace_sdk::BatchSpanProcessorOptions span_batch;
  span_batch.schedule_delay_millis = std::chrono::seconds(2);
  p->tracer_provider = trace_sdk::TracerProviderFactory::Create(
      trace_sdk::BatchSpanProcessorFactory::Create(otlp::OtlpHttpExporterFactory::Create(trace_options), span_batch),
      resource, std::make_unique<trace_sdk::AlwaysOnSampler>(), std::make_unique<SessionIdGenerator>(trace_id));

  otlp::OtlpHttpMetricExporterOptions metric_options;
  set_http_options(metric_options, config, "/v1/metrics");
  metrics_sdk::PeriodicExportingMetricReaderOptions reader_options;
  reader_options.export_timeout_millis = config.export_timeout;
  reader_options.export_interval_millis = std::max<std::chrono::milliseconds>(
      std::chrono::seconds(30), config.export_timeout * 2);  // the SDK wants the timeout below the interval
  p->meter_provider = metrics_sdk::MeterProviderFactory::Create(metrics_sdk::ViewRegistryFactory::Create(), resource);
  p->meter_provider->AddMetricReader(metrics_sdk::PeriodicExportingMetricReaderFactory::Create(
      otlp::OtlpHttpMetricExporterFactory::Create(metric_options), reader_options));

  otlp::OtlpHttpLogRecordExporterOptions log_options;
  set_http_options(log_options, config, "/v1/logs");
  logs_sdk::BatchLogRecordProcessorOptions log_batch;
  log_batch.schedule_delay_millis = std::chrono::seconds(2);
  p->logger_provider = logs_sdk::LoggerProviderFactory::Create(
      logs_sdk::BatchLogRecordProcessorFactory::Create(otlp::OtlpHttpLogRecordExporterFactory::Create(log_options),
                                                       log_batch),
      resource);

  p->tracer = p->tracer_provider->GetTracer(kScope, kVersion);
  p->logger = p->logger_provider->GetLogger(kScope, kScope, kVersion);
  const auto meter = p->meter_provider->GetMeter(kScope, kVersion);
  p->tokens = meter->CreateUInt64Counter("droid.tokens", "LLM tokens by type (input, output) and model", "{token}");
  p->tool_invocations =
      meter->CreateUInt64Counter("droid.tool.invocations", "Tool calls by tool and outcome", "{invocation}");
  p->command_risk =
      meter->CreateUInt64Counter("droid.command.risk", "Shell commands by risk level and decision", "{command}");
  p->blocked = meter->CreateUInt64Counter("droid.actions.blocked", "Actions blocked, by kind", "{action}");
  p->session_duration = meter->CreateDoubleHistogram("droid.session.duration", "Session duration by outcome", "s");
  p->token_usage = meter->CreateUInt64Histogram("gen_ai.client.token.usage", "Tokens per LLM call", "{token}");
  p->operation_duration =
      meter->CreateDoubleHistogram("gen_ai.client.operation.duration", "Duration of an LLM call", "s");

  // The session span is a root span: it does not pick up whatever span the
  // calling thread may have active.
  trace_api::StartSpanOptions root;
  root.parent = otel::context::Context{}.SetValue(trace_api::kIsRootSpanKey, true);
  root.kind = trace_api::SpanKind::kInternal;
  Attributes attributes(p->redact);
  const auto session = config.resource_attributes.find("droid.session");
  if (session != config.resource_attributes.end()) attributes.add("droid.session", session->second);
  p->session_span = p->tracer->StartSpan("session", attributes, root);
  p->started = Clock::now();

  return std::make_unique<OtlpTelemetry>(std::move(p), to_hex(trace_id));
}

}  // namespace droid::runner::telemetry
