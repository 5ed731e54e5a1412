// `droid-runner policy ...`: the command policy (SPEC §6.2) on the command line.
//   policy check --settings FILE --autonomy off|low|medium|high --command CMD [--workspace DIR]
// prints one JSON line {"decision": "allow|ask|deny|block", "risk": "low|medium|high",
// "reasons": [...]} and exits 0; usage errors exit 2, unreadable or invalid settings 1.
#pragma once

#include <string>
#include <vector>

namespace droid::runner {

int policy_command(const std::vector<std::string>& args);

}  // namespace droid::runner
