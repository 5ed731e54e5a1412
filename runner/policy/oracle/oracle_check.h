// The property the bash oracle checks (bash_oracle.h): every program bash
// actually ran for a command line was seen by the policy, and the command line's
// verdict is at least as strict as that program's own verdict alone (its
// canonical argv, quoted): decision and risk. So a list entry that matches what
// ran applies to the whole command line, and nothing bash runs escapes the risk
// it deserves.
#pragma once

#include <string>
#include <vector>

#include "policy/oracle/bash_oracle.h"
#include "policy/policy.h"

namespace droid::runner::policy::oracle {

// The argv as one shell word each ('...' quoting), $HOME shown as ~.
std::string shell_quote(std::vector<std::string> argv);

// One message per disagreement (empty when the policy holds for `command`).
std::vector<std::string> disagreements(const Policy& policy, Autonomy autonomy, const std::string& command,
                                       const Observed& run);

}  // namespace droid::runner::policy::oracle
