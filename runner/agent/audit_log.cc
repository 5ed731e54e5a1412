#include "agent/audit_log.h"

#include <utility>

#include "log/log.h"

namespace droid::runner::agent {

using nlohmann::json;

AuditLog::AuditLog(std::ostream* out, std::string session, Redact redact, Sink sink)
    : out_(out), session_(std::move(session)), redact_(std::move(redact)), sink_(std::move(sink)) {}

json AuditLog::redacted(const json& value) const {
  if (!redact_) return value;
  switch (value.type()) {
    case json::value_t::string: return redact_(value.get_ref<const std::string&>());
    case json::value_t::array: {
      json out = json::array();
      for (const auto& v : value) out.push_back(redacted(v));
      return out;
    }
    case json::value_t::object: {
      json out = json::object();
      for (const auto& [k, v] : value.items()) out[k] = redacted(v);
      return out;
    }
    default: return value;
  }
}

void AuditLog::record(std::string_view event, json fields) {
  if (!fields.is_object()) fields = json{{"value", std::move(fields)}};
  json line = redacted(fields);
  line["ts"] = log::utc_timestamp();
  line["type"] = "audit";
  line["session"] = session_;
  line["event"] = std::string(event);
  std::lock_guard<std::mutex> lock(mu_);
  line["seq"] = ++seq_;
  if (out_ != nullptr) {
    *out_ << line.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
    out_->flush();
  }
  if (sink_) sink_(line);
}

std::uint64_t AuditLog::count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return seq_;
}

}  // namespace droid::runner::agent
