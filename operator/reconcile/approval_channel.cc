#include "reconcile/approval_channel.h"

#include <algorithm>

#include "contract/approval_decision.h"
#include "jsonutil/lookup.h"

namespace droid::op {
namespace {

using json = nlohmann::json;

constexpr std::size_t kMaxCommand = 8192;
constexpr std::size_t kMaxReasons = 32;
constexpr std::size_t kMaxReason = 1024;
constexpr std::size_t kMaxId = 32;

std::string string_field(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::optional<InPlaceRequest> find_approval_request(std::string_view log) {
  std::size_t end = log.size();
  while (end > 0) {
    std::size_t start = log.rfind('\n', end - 1);
    start = start == std::string_view::npos ? 0 : start + 1;
    const std::string_view line = log.substr(start, end - start);
    end = start == 0 ? 0 : start - 1;
    if (line.find("\"approval_requested\"") == std::string_view::npos) continue;
    const json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object() || string_field(j, "type") != "audit" || string_field(j, "event") != "approval_requested")
      continue;
    InPlaceRequest r;
    r.id = string_field(j, "id");
    r.command = string_field(j, "command");
    if (r.id.empty() || r.id.size() > kMaxId || r.command.empty() || r.command.size() > kMaxCommand) continue;
    r.risk = string_field(j, "risk");
    if (r.risk != "low" && r.risk != "medium" && r.risk != "high") r.risk = "high";
    if (const auto it = j.find("reasons"); it != j.end() && it->is_array())
      for (const auto& reason : *it)
        if (reason.is_string() && r.reasons.size() < kMaxReasons)
          r.reasons.push_back(reason.get<std::string>().substr(0, kMaxReason));
    if (const auto it = j.find("wait_seconds"); it != j.end() && it->is_number_integer())
      r.wait_seconds = std::max<std::int64_t>(0, it->get<std::int64_t>());
    return r;
  }
  return std::nullopt;
}

bool runner_waits_in_place(const CachedPod& pod) {
  return pod.phase == "Running" && pod.deletion_timestamp.empty() && pod.runner && pod.runner->ready &&
         pod.runner->running;
}

std::optional<Decision> decision_for(const CachedSession& session, const std::string& command) {
  if (const Verdict* r = session.rejection_of(command)) return Decision{false, r->by, r->reason};
  if (const Verdict* a = session.approval_of(command)) return Decision{true, a->by, a->reason};
  return std::nullopt;
}

std::string decision_annotation(const json& pending) {
  return json{{"id", string_field(pending, "id")},
              {"decision", string_field(pending, "decision") == "Approved" ? "approved" : "rejected"},
              {"command", string_field(pending, "command")},
              {"by", string_field(pending, "decidedBy")},
              {"at", string_field(pending, "decidedAt")},
              {"reason", string_field(pending, "reason")}}
      .dump();
}

std::string signed_decision(const std::string& annotation, const std::string& session_key, int run_attempt) {
  const json j = json::parse(annotation);
  const contract::ApprovalDecision d{string_field(j, "id"),      string_field(j, "decision") == "approved",
                                     string_field(j, "command"), string_field(j, "by"),
                                     string_field(j, "at"),      string_field(j, "reason")};
  return contract::encode_signed(d, session_key, run_attempt);
}

json history_entry(const std::string& command, const Decision& d, const std::string& at, int run_attempt,
                   bool in_place) {
  json e = {{"command", command},
            {"decision", d.approved ? "Approved" : "Rejected"},
            {"at", at},
            {"runAttempt", run_attempt},
            {"inPlace", in_place}};
  if (!d.by.empty()) e["by"] = d.by;
  if (!d.reason.empty()) e["reason"] = d.reason;
  return e;
}

}  // namespace droid::op
