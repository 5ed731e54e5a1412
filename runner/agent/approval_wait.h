// Waiting in place for a human's approval (SPEC §6.5, issue 14): on "ask" in a
// pod the runner keeps its process, conversation and workspace and waits here.
// The pod holds no Kubernetes credentials and accepts no ingress, so the channel
// is files the kubelet maintains:
//   runner -> operator: while waiting, `<state_dir>/waiting` holds the request
//     (JSON); the container's readiness probe (`droid-runner approval-probe`)
//     succeeds exactly while it exists, and the operator, seeing the container
//     turn Ready, reads the request from the audit log on stdout
//     ("approval_requested", written by the loop before it waits);
//   operator -> runner: the operator annotates the pod with its decision
//     (annotation droid.dev/approval-decision, contract/approval_decision.h:
//     {id, decision approved|rejected, command, by, at, reason, sig}); a
//     downward-API volume projects that one annotation into `decision_file`,
//     which the kubelet refreshes when the pod changes. The runner polls the file.
// A decision counts only when its signature verifies with the session's
// approval key (`key`, from the session's Secret) for this run, and its id and
// command are the waiting request's: a forged or changed decision (anyone who
// may patch the pod can write the annotation), a stale one (an earlier wait of
// the same pod) or one for any other command is ignored. The wait ends at the
// deadline (Expired), or when `stop` is set (SIGTERM: the pod is being
// deleted; Stopped).
//
//   FileApprovalChannel channel({.state_dir = "/tmp/droid-runner/approval",
//                                .decision_file = "/var/run/droid/approval/decision",
//                                .key = key, .run_attempt = 1});
//   ApprovalAnswer a = channel.wait({.id = "1", .command = "terraform plan"}, deadline);
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace droid::runner::agent {

struct ApprovalRequest {
  std::string id;  // unique within the pod: "1", "2", ...
  std::string command;
  std::string risk;
  std::vector<std::string> reasons;
  // Told, in the waiting thread, of each refused decision naming this request (the
  // loop writes it to the audit log); may be empty.
  std::function<void(const std::string& why)> on_refused = {};
  nlohmann::json to_json() const;
};

enum class ApprovalVerdict { Approved, Rejected, Expired, Stopped };
const char* to_string(ApprovalVerdict verdict);

struct ApprovalAnswer {
  ApprovalVerdict verdict = ApprovalVerdict::Expired;
  std::string by;      // the approver's identity, as stamped at admission
  std::string at;      // when they decided (RFC 3339), as the operator recorded it
  std::string reason;  // a rejection's reason (or an approval's comment)
  std::chrono::milliseconds waited{0};
};

class ApprovalChannel {
 public:
  virtual ~ApprovalChannel() = default;
  // Blocks until the request is decided, the deadline passes or the wait is stopped.
  virtual ApprovalAnswer wait(const ApprovalRequest& request, std::chrono::steady_clock::time_point deadline) = 0;
};

struct FileChannelOptions {
  std::string state_dir;      // the runner's own (tools cannot write it); `waiting` goes here
  std::string decision_file;  // the projected annotation
  std::chrono::milliseconds poll{200};
  const std::atomic<bool>* stop = nullptr;  // may be null
  std::string key;                          // the session's approval key; empty: no decision is accepted
  int run_attempt = 1;                      // the run this runner is (a decision signed for another is refused)
  // Told once per refused decision document that names the waiting request (its
  // id), with why: the runner reports it (a forgery attempt is worth an audit line).
  std::function<void(const std::string& why)> on_refused;
};

class FileApprovalChannel : public ApprovalChannel {
 public:
  explicit FileApprovalChannel(FileChannelOptions options);
  ApprovalAnswer wait(const ApprovalRequest& request, std::chrono::steady_clock::time_point deadline) override;

  // The marker the readiness probe looks for.
  static std::string waiting_file(const std::string& state_dir);

 private:
  FileChannelOptions options_;
};

// The readiness probe: 0 while a request waits in `state_dir`, 1 otherwise.
int approval_probe(const std::string& state_dir);
// The state directory inside the runner's private directory (the probe and the
// runner agree on it from $TMPDIR).
std::string approval_state_dir(const std::string& private_dir);

}  // namespace droid::runner::agent
