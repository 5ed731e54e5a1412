// The ref updates at the start of a git-receive-pack request body (smart HTTP,
// protocol v0/v1; gitprotocol-pack(5)):
//
//   *PKT-LINE("shallow" SP oid)
//   PKT-LINE(old SP new SP ref NUL capabilities [LF]) *PKT-LINE(old SP new SP ref [LF]) flush
//   [push options, flush]  pack data
//
// RefUpdateParser is fed the body as it arrives and decides as soon as the command
// list is complete, so the gateway holds only that prefix before forwarding.
// Anything that is not exactly this grammar is an error: bad framing, an object id
// that is not 40 or 64 hex digits, a ref not under refs/, a command list longer than
// the limits, a signed push (push-cert, which the gateway cannot re-check).
// A lone flush (git's probe before a large push) is a complete, empty list.
// check_push() then allows a push only when every update writes refs/heads/BRANCH,
// BRANCH being the session's push branch, and none deletes it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace droid::egress {

struct RefUpdate {
  std::string old_id;
  std::string new_id;
  std::string ref;
};

struct ReceivePackLimits {
  std::size_t max_prefix_bytes = 64 * 1024;  // shallow lines and commands together
  std::size_t max_commands = 256;
};

class RefUpdateParser {
 public:
  enum class State { NeedMore, Done, Error };

  explicit RefUpdateParser(ReceivePackLimits limits = {}) : limits_(limits) {}
  // Appends body bytes; returns the state after them. Once Done or Error, further
  // bytes are ignored (the caller forwards or refuses the whole body).
  State feed(std::string_view bytes);
  // The body ended: Done if the command list was complete, else Error ("truncated").
  State finish();

  State state() const { return state_; }
  const std::vector<RefUpdate>& updates() const { return updates_; }
  const std::string& error() const { return error_; }

 private:
  State fail(std::string why);
  State parse();

  ReceivePackLimits limits_;
  State state_ = State::NeedMore;
  std::string buffer_;  // the unparsed part of the prefix
  std::size_t taken_ = 0;
  bool seen_command_ = false;
  std::vector<RefUpdate> updates_;
  std::string error_;
};

// "" when every update writes refs/heads/<push_branch> without deleting it; else why not.
std::string check_push(const std::vector<RefUpdate>& updates, const std::string& push_branch);

}  // namespace droid::egress
