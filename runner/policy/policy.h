// The command policy of SPEC §6.2: a decision for one command line from the
// autonomy level and the merged settings lists.
//
// Every part of the command (analyze.h) gets a decision; the strictest wins
// (block > deny > ask > allow):
//   - a part matching a commandBlocklist entry is blocked (never runs);
//   - a part matching a commandDenylist entry is "ask" at every autonomy level;
//   - a part matching a commandAllowlist entry is allowed, unless its risk comes
//     from doubt (inline code, expansions, unknown programs...): the allowlist
//     names commands, it cannot vouch for what the policy could not read; nor
//     for more risk than the entry itself names ('find' does not allow
//     find -delete, 'git diff' not git diff --output=/etc/x: name the risky form);
//   - otherwise the autonomy level decides: off and low allow low risk, medium
//     allows up to medium, high allows everything; what is above is "ask".
// A command line that is not valid shell is denied at every level: there is
// nothing to approve, the agent has to rewrite it.
// Block and deny entries match what a part could expand to (a glob or $VAR may
// be "/"); allow entries only what it surely is.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/equivalents.h"
#include "policy/normalize.h"
#include "policy/risk.h"

namespace droid::runner::policy {

struct Verdict {
  Decision decision = Decision::Allow;
  Risk risk = Risk::Low;
  std::vector<std::string> reasons;

  nlohmann::json to_json() const;  // {"decision", "risk", "reasons"}
};

class Policy {
 public:
  Policy() = default;
  // Reads commandAllowlist, commandDenylist and commandBlocklist from effective settings.
  explicit Policy(const nlohmann::json& settings, std::string workspace = {});

  Verdict check(std::string_view command, Autonomy autonomy) const;

 private:
  struct Entry {
    std::string text;
    Normalized normalized;
    Risk risk = Risk::Low;     // the entry's own risk, as a command
    std::vector<Form> forms;   // its canonical form, then its other spellings (equivalents.h)
    bool names_hosts = false;  // a network client with host operands only: also looked for in program text
  };
  std::vector<Entry> allow_, deny_, block_;
  std::string workspace_;

  static std::vector<Entry> entries(const nlohmann::json& settings, const char* field);
};

}  // namespace droid::runner::policy
