#include "otlp_audit.h"

#include <opentelemetry/exporters/otlp/otlp_http_log_record_exporter_factory.h>
#include <opentelemetry/exporters/otlp/otlp_http_log_record_exporter_options.h>
#include <opentelemetry/logs/logger.h>
#include <opentelemetry/logs/severity.h>
#include <opentelemetry/sdk/logs/batch_log_record_processor_factory.h>
#include <opentelemetry/sdk/logs/batch_log_record_processor_options.h>
#include <opentelemetry/sdk/logs/logger_provider.h>
#include <opentelemetry/sdk/logs/logger_provider_factory.h>
#include <opentelemetry/sdk/resource/resource.h>

#include "telemetry/sdk_log.h"

namespace droid::egress {
namespace {

namespace nostd = opentelemetry::nostd;
namespace otlp = opentelemetry::exporter::otlp;
namespace logs_api = opentelemetry::logs;
namespace logs_sdk = opentelemetry::sdk::logs;

constexpr const char* kScope = "droid-egress";
constexpr std::chrono::seconds kExportTimeout{5};

nostd::string_view view(const std::string& s) { return {s.data(), s.size()}; }

// OTLP strings must be UTF-8 (the collector refuses a whole batch otherwise) and a
// hostile request's method, host or path need not be: printable ASCII only.
std::string ascii(const std::string& s) {
  std::string out = s;
  for (char& c : out)
    if (c < 0x20 || c >= 0x7f) c = '?';
  return out;
}

}  // namespace

struct OtlpAudit::Impl {
  std::unique_ptr<logs_sdk::LoggerProvider> provider;
  nostd::shared_ptr<logs_api::Logger> logger;
};

OtlpAudit::OtlpAudit(const std::string& endpoint, const std::string& instance) : impl_(std::make_unique<Impl>()) {
  droid::runner::telemetry::install_sdk_log_handler();  // the SDK's diagnostics as structured log lines
  std::string url = endpoint;
  while (!url.empty() && url.back() == '/') url.pop_back();
  otlp::OtlpHttpLogRecordExporterOptions options;
  options.url = url + "/v1/logs";
  options.content_type = otlp::HttpRequestContentType::kBinary;
  options.timeout = kExportTimeout;
  options.console_debug = false;
  logs_sdk::BatchLogRecordProcessorOptions batch;
  batch.schedule_delay_millis = std::chrono::seconds(2);
  opentelemetry::sdk::resource::ResourceAttributes attributes;
  attributes.SetAttribute("service.name", "droid-egress");
  if (!instance.empty()) attributes.SetAttribute("service.instance.id", instance);
  impl_->provider = logs_sdk::LoggerProviderFactory::Create(
      logs_sdk::BatchLogRecordProcessorFactory::Create(otlp::OtlpHttpLogRecordExporterFactory::Create(options), batch),
      opentelemetry::sdk::resource::Resource::Create(attributes));
  impl_->logger = impl_->provider->GetLogger(kScope, kScope);
}

OtlpAudit::~OtlpAudit() {
  impl_->provider->ForceFlush(kExportTimeout);
  impl_->provider->Shutdown(kExportTimeout);
}

void OtlpAudit::emit(const AuditRecord& r, const std::string& line) {
  nostd::unique_ptr<logs_api::LogRecord> record = impl_->logger->CreateLogRecord();
  if (!record) return;
  const auto now = std::chrono::system_clock::now();
  record->SetTimestamp(now);
  record->SetObservedTimestamp(now);
  record->SetSeverity(r.decision == "allowed" ? logs_api::Severity::kInfo : logs_api::Severity::kWarn);
  record->SetBody(view(line));
  record->SetAttribute("event.name", "droid.egress.audit");
  record->SetAttribute("droid.session", view(r.session));
  record->SetAttribute("droid.egress.destination", view(r.destination));
  record->SetAttribute("droid.egress.decision", view(r.decision));
  record->SetAttribute("http.request.method", ascii(r.method));
  record->SetAttribute("server.address", ascii(r.host));
  record->SetAttribute("server.port", static_cast<std::int64_t>(r.port));
  record->SetAttribute("url.path", ascii(r.path));
  record->SetAttribute("http.response.status_code", static_cast<std::int64_t>(r.status));
  impl_->logger->EmitLogRecord(std::move(record));
}

bool OtlpAudit::flush() { return impl_->provider->ForceFlush(kExportTimeout); }

}  // namespace droid::egress
