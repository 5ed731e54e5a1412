// One audit record per request the gateway handles, written as one JSON line:
//   {"ts":"2026-12-07T03:00:00.123Z","audit":"egress","session":"team-a/fix-1",
//    "source":"10.88.0.7","destination":"llm","method":"POST","host":"llm.svc","port":80,
//    "path":"/v1/chat/completions","status":200,"bytesUp":812,"bytesDown":2301,
//    "decision":"allowed","reason":"","durationMs":41.2}
// The query string is never recorded (it may carry tokens), nor any header.
// decision: "allowed" (forwarded), "denied" (refused by policy or identity),
// "error" (allowed but the upstream failed).
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

namespace droid::egress {

struct AuditRecord {
  std::string session;  // "" when the request has no valid identity
  std::string source;
  std::string destination;
  std::string method;
  std::string host;
  int port = 0;
  std::string path;
  int status = 0;
  std::uint64_t bytes_up = 0;
  std::uint64_t bytes_down = 0;
  std::string decision;
  std::string reason;
  double duration_ms = 0;
};

nlohmann::json to_json(const AuditRecord& record);

// Where lines go: stdout by default (the pod log the operator and `kubectl droid logs` read).
// Each line can also go to an observer with its record (otlp_audit.h: the OTEL log record).
class AuditLog {
 public:
  using Sink = std::function<void(const std::string& line)>;
  using Observer = std::function<void(const AuditRecord& record, const std::string& line)>;
  AuditLog();  // stdout
  explicit AuditLog(Sink sink, Observer observer = {}) : sink_(std::move(sink)), observer_(std::move(observer)) {}
  static Sink stdout_sink();  // one line at a time, flushed
  void write(const AuditRecord& record) const;

 private:
  Sink sink_;
  Observer observer_;
};

}  // namespace droid::egress
