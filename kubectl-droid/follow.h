// Following a session until it ends, for `kubectl droid run`: the session is
// read and then watched (resuming after the server closes a watch, reading
// again after 410 Gone); every phase change is printed as it happens; while a
// runner pod exists its log is streamed (pods/log?follow=true, retried while
// the pod does not exist yet or its container has not started; a new pod after
// an approval is followed too); AwaitingApproval prints the pending command and
// the exact `kubectl droid approve` line, then waits on or returns.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "audit_text.h"
#include "context.h"
#include "kube/client.h"
#include "time_order.h"

namespace droid::kubectl {

// Serialises the two writers of `run` (the watch and the log thread).
// The log is rendered for people (audit_text.h) unless `raw`.
// With a `time_order` window, when progress and logs are one stream (`run`'s live view),
// lines are held that long and written in time order, phase changes by when they were
// seen and log records by their "ts" (time_order.h), by a thread of the Output's own.
class Output {
 public:
  Output(std::ostream& progress, std::ostream& logs, bool raw = false,
         std::chrono::milliseconds time_order = std::chrono::milliseconds(0));
  ~Output();  // writes what is held, and what is left of an unterminated last log line
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;
  void progress(const std::string& text);
  void log(std::string_view bytes);
  // Writes every line held for time order now (before printing anything else to the stream).
  void drain();

 private:
  void release_loop();

  std::mutex mu_;
  std::ostream& progress_;
  std::ostream& logs_;
  bool raw_;
  AuditText text_;
  bool log_line_open_ = false;  // raw: the last log chunk did not end with a newline
  std::optional<TimeOrder> order_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread releaser_;
};

struct FollowOptions {
  bool logs = true;                                  // stream the runner pod's log
  bool wait_approval = true;                         // false: return at AwaitingApproval
  std::optional<std::chrono::seconds> wait_timeout;  // give up waiting after this long
};

struct FollowResult {
  enum class End { Finished, AwaitingApproval, WaitTimeout };
  End end = End::Finished;
  nlohmann::json session;  // the last state seen
};

// Throws CommandError when the session cannot be read or watched, or is deleted.
FollowResult follow_session(kube::Client& client, const Context& context, const std::string& name,
                            const FollowOptions& options, Output& out);

// "kubectl droid approve NAME -n NS --command 'CMD'" (shell-quoted).
std::string approve_command_line(const std::string& name, const std::string& ns, const std::string& command);
// The `kubectl droid reject` line for the session's pending command.
std::string reject_command_line(const std::string& name, const std::string& ns);

}  // namespace droid::kubectl
