// The operator's instructions to the runner (SPEC §5): `session.json`, which the
// operator writes into the session's ConfigMap (operator/resources) and the runner
// reads at start (`droid-runner run`). One definition for both sides, like the
// termination message that travels back.
//
// Versioned ("version": "droid.dev/session-config/v1"). decode_session_config()
// refuses another version, reads a document without one as v1 (ConfigMaps written
// before the version existed), ignores unknown fields, and names the field when
// one has the wrong type ("session.json: timeoutSeconds: must be an integer").
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace droid::contract {

inline constexpr std::string_view kSessionConfigVersion = "droid.dev/session-config/v1";
inline constexpr std::string_view kSessionConfigFile = "session.json";

// Which session and which of its runs (a run after an approval is run 2, 3, ...).
struct SessionIdentity {
  std::string name;
  std::string namespace_;
  std::string uid;
  int run_attempt = 1;
  bool operator==(const SessionIdentity&) const = default;
};

// The annotation on a DroidSession where the admission webhook stamps the
// authenticated creator (JSON {username, uid, groups}); the operator copies it
// into status.requester and session.json.
inline constexpr const char* kRequesterAnnotation = "droid.dev/requester";

// The authenticated user who created the session (status.requester).
struct Requester {
  std::string username;
  std::string uid;
  std::vector<std::string> groups;
  bool operator==(const Requester&) const = default;
};

// What to clone; its credentials are mounted as files, never written here.
struct Repository {
  std::string url;
  std::string ref;
  std::string sub_path;
  bool operator==(const Repository&) const = default;
};

// The LLM gateway the org policy chose; secrets only as paths of mounted files.
struct Gateway {
  std::string name;
  std::string provider;  // "openai" or "anthropic"
  std::string base_url;
  std::vector<std::string> models;
  std::string ca_bundle;         // PEM, inline in the policy
  std::string credentials_file;  // the API key, mounted from the session's gateway Secret
  std::string ca_bundle_file;    // a PEM mounted from the same Secret
  std::string auth;              // bearer, x-api-key or none; "" when the policy sets none
  // timeouts {connectSeconds, idleSeconds, totalSeconds}; unset: the runner's defaults.
  std::optional<std::int64_t> connect_seconds;
  std::optional<std::int64_t> idle_seconds;
  std::optional<std::int64_t> total_seconds;
  bool operator==(const Gateway&) const = default;
};

struct Telemetry {
  std::string otlp_endpoint;
  std::string protocol;
  std::map<std::string, std::string> resource_attributes;
  bool operator==(const Telemetry&) const = default;
};

// One entry of spec.approvals (SPEC §6.5): the runner runs exactly `command`.
struct Approval {
  std::string command;
  std::string approved_by;
  std::string approved_at;
  std::string comment;
  bool operator==(const Approval&) const = default;
};

// A run of this session before this one that ended without finishing (it waited
// for an approval past the policy's limit, or its pod was lost while it waited):
// the runner tells the model what it did (issue 14).
struct EarlierRun {
  int run_attempt = 0;
  std::string summary;
  std::string approved_command;  // the command a human approved after that run ended; "" when none
  std::string end_reason;        // ApprovalWaitExpired, PodLostWhileWaiting, ...
  bool operator==(const EarlierRun&) const = default;
};

// The OrgPolicies the session runs under (status.policy).
struct AppliedPolicy {
  std::vector<std::string> names;
  std::string hash;
  bool operator==(const AppliedPolicy&) const = default;
};

struct SessionConfig {
  SessionIdentity session;
  std::optional<Requester> requester;
  std::string prompt;
  std::string model;
  std::string autonomy_level;    // off, low, medium, high
  std::string reasoning_effort;  // "" when the session sets none
  std::string environment = "sandbox";
  std::int64_t timeout_seconds = 3600;  // what is left of the session's timeout for this run
  std::optional<std::int64_t> max_turns;
  std::optional<std::int64_t> token_budget;  // what is left of the org's budget; unset: none
  std::optional<Gateway> gateway;
  std::optional<Repository> repository;
  std::string push_branch;  // output.pushBranch; "" leaves the changes unpushed
  std::vector<Approval> approvals;
  // How long an "ask" may wait in place for a decision (approvalWaitSeconds); 0: the
  // run ends AwaitingApproval at once and the operator starts the next run.
  std::int64_t approval_wait_seconds = 0;
  std::vector<EarlierRun> earlier_runs;  // earlierRuns, oldest first
  std::optional<Telemetry> telemetry;
  AppliedPolicy policy;
  bool operator==(const SessionConfig&) const = default;
};

// The JSON document, indented for people reading the ConfigMap.
std::string encode(const SessionConfig& config);

struct DecodedSessionConfig {
  std::optional<SessionConfig> config;
  std::string error;  // why `config` is empty: not JSON, wrong version, a field of the wrong type
};
DecodedSessionConfig decode_session_config(std::string_view text);

}  // namespace droid::contract
