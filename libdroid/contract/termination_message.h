// The runner's report to the operator (SPEC §5): a JSON document the runner
// writes to its container's termination message (/dev/termination-log), which
// the kubelet copies into the pod's status and the operator turns into the
// DroidSession's status. The runner holds no Kubernetes credentials, so this is
// its only channel besides its logs.
//
// Versioned ("version": "droid.dev/termination/v1"): decode() refuses other
// versions and ignores unknown fields. encode() always fits Kubernetes' limit of
// 4096 bytes per container, shortening the free-text fields (summary, message,
// approval command) on UTF-8 boundaries, never the numbers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace droid::contract {

inline constexpr std::string_view kTerminationMessageVersion = "droid.dev/termination/v1";
inline constexpr std::size_t kTerminationMessageLimit = 4096;

enum class Outcome { Succeeded, Failed, TimedOut, AwaitingApproval };

struct Usage {
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  std::int64_t llm_requests = 0;
  std::int64_t tool_calls = 0;
  std::int64_t commands_blocked = 0;
  bool operator==(const Usage&) const = default;
};

struct Result {
  std::string summary;
  std::int64_t files_changed = 0;
  std::string branch;
  std::string commit;
  bool operator==(const Result&) const = default;
};

struct PendingApproval {
  std::string command;
  std::string risk;  // low, medium, high
  std::vector<std::string> reasons;
  bool operator==(const PendingApproval&) const = default;
};

struct TerminationMessage {
  Outcome outcome = Outcome::Failed;
  std::string reason;   // a stable CamelCase reason, e.g. "TurnLimitReached"
  std::string message;  // for people
  Result result;
  Usage usage;
  std::string trace_id;
  std::optional<PendingApproval> pending_approval;  // set when outcome is AwaitingApproval
  bool operator==(const TerminationMessage&) const = default;
};

std::string_view outcome_name(Outcome outcome);

// JSON of at most kTerminationMessageLimit bytes.
std::string encode(const TerminationMessage& message);

struct Decoded {
  std::optional<TerminationMessage> message;
  std::string error;  // why `message` is empty: not JSON, wrong version, bad field
};
Decoded decode(std::string_view text);

}  // namespace droid::contract
