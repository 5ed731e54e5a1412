#include "audit.h"

#include <cstdio>
#include <mutex>

#include "log/log.h"

namespace droid::egress {

nlohmann::json to_json(const AuditRecord& r) {
  return {{"ts", droid::log::utc_timestamp()},
          {"audit", "egress"},
          {"session", r.session},
          {"source", r.source},
          {"destination", r.destination},
          {"method", r.method},
          {"host", r.host},
          {"port", r.port},
          {"path", r.path},
          {"status", r.status},
          {"bytesUp", r.bytes_up},
          {"bytesDown", r.bytes_down},
          {"decision", r.decision},
          {"reason", r.reason},
          {"durationMs", r.duration_ms}};
}

AuditLog::Sink AuditLog::stdout_sink() {
  return [](const std::string& line) {
    static std::mutex mu;
    std::lock_guard lock(mu);
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
  };
}

AuditLog::AuditLog() : sink_(stdout_sink()) {}

void AuditLog::write(const AuditRecord& record) const {
  // Replace invalid UTF-8 (a hostile path) instead of throwing.
  const std::string line = to_json(record).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  sink_(line);
  if (observer_) observer_(record, line);
}

}  // namespace droid::egress
