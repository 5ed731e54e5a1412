// The gateway's audit records as OpenTelemetry log records (issue 15: "every request
// ... as a JSON log line, an OTEL log record and Prometheus metrics"), sent with
// OTLP/HTTP (protobuf) to ENDPOINT/v1/logs by opentelemetry-cpp's batch processor
// (every 2 s or 512 records, in the background: emit() never waits for the network).
//
// Each record: body = the audit line's JSON (audit.h); severity INFO for allowed,
// WARN for denied and error; attributes event.name = "droid.egress.audit",
// droid.session, droid.egress.destination, droid.egress.decision,
// http.request.method, server.address, server.port, url.path,
// http.response.status_code; resource service.name = "droid-egress" and
// service.instance.id (the pod). A collector that is down loses records (the SDK
// logs the failed export); the JSON line on stdout is still written.
//
//   OtlpAudit otlp("http://otel-collector.observability.svc:4318", pod_name);
//   AuditLog audit(AuditLog::stdout_sink(), [&](const AuditRecord& r, const std::string& line) { otlp.emit(r, line);
//   });
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "audit.h"

namespace droid::egress {

class OtlpAudit {
 public:
  // `endpoint`: http:// or https:// base URL of an OTLP/HTTP receiver.
  OtlpAudit(const std::string& endpoint, const std::string& instance);
  ~OtlpAudit();  // flushes what is queued (at most `export_timeout`), then shuts down
  OtlpAudit(const OtlpAudit&) = delete;
  OtlpAudit& operator=(const OtlpAudit&) = delete;

  void emit(const AuditRecord& record, const std::string& line);  // thread-safe
  bool flush();  // waits until queued records are exported (or the export timeout)

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace droid::egress
