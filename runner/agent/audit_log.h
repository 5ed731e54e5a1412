// The audit log (SPEC §6.8): one JSON line per decision the runner makes —
// session start and end, each LLM call, each tool call with its decision, risk
// and reasons, each hook, each shield finding (rule and position, never the
// secret) — written whole to a stream (stdout in a pod, where `kubectl logs` and
// the cluster's log pipeline collect it) and handed to an optional sink (the
// OTEL log exporter). Every string value passes through `redact` first.
//
//   {"ts":"2026-11-22T06:00:00.123Z","type":"audit","session":"team-a/fix-1","seq":3,
//    "event":"tool_call","tool":"shell","decision":"deny","risk":"high","reasons":[...]}
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace droid::runner::agent {

class AuditLog {
 public:
  using Redact = std::function<std::string(std::string_view)>;
  using Sink = std::function<void(const nlohmann::json& event)>;

  // `out` may be null (no line output). Thread-safe.
  AuditLog(std::ostream* out, std::string session, Redact redact = {}, Sink sink = {});

  // Adds ts, type, session and seq to `fields` (an object) and writes it.
  void record(std::string_view event, nlohmann::json fields = nlohmann::json::object());

  std::uint64_t count() const;

 private:
  nlohmann::json redacted(const nlohmann::json& value) const;

  std::ostream* out_;
  std::string session_;
  Redact redact_;
  Sink sink_;
  mutable std::mutex mu_;
  std::uint64_t seq_ = 0;
};

}  // namespace droid::runner::agent
