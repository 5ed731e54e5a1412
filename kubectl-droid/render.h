// What the commands print for people: the session table of `list` (columns as
// kubectl get prints them), the description of `get`, phase-change lines and
// the final result of `run`, and ages ("45s", "3m20s", "5h", "12d") computed
// against a given `now` so that they are testable.
#pragma once

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

namespace droid::kubectl {

using TimePoint = std::chrono::system_clock::time_point;

// kubectl's short human durations; "<unknown>" for an unparsable timestamp.
std::string age(const std::string& rfc3339, TimePoint now);
std::string human_duration(std::chrono::seconds d);
std::string rfc3339(TimePoint t);

// The Ready condition's reason and message ("" when absent).
std::string ready_reason(const nlohmann::json& session);
std::string ready_message(const nlohmann::json& session);

struct TableOptions {
  bool all_namespaces = false;  // a NAMESPACE column first
  bool wide = false;            // also REQUESTER, POD and the pending approval
};
// `items` is a DroidSessionList's items. Columns padded like kubectl's tabwriter.
std::string sessions_table(const nlohmann::json& items, const TableOptions& options, TimePoint now);

// `kubectl droid get NAME`: spec summary, status, conditions, pending approval,
// approvals, usage and result.
std::string describe_session(const nlohmann::json& session, TimePoint now);

// One line for a phase change seen by `run`: "Running (Running): the runner is working".
std::string phase_line(const nlohmann::json& session);

// The end of `run`: outcome, summary, files changed, branch, commit, usage.
std::string result_text(const nlohmann::json& session);

// A command line quoted for a POSIX shell ('...' with ' escaped when needed).
std::string shell_quote(const std::string& word);

}  // namespace droid::kubectl
