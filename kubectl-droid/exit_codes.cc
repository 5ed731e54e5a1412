#include "exit_codes.h"

namespace droid::kubectl {

int exit_code_for_phase(const std::string& phase) {
  if (phase == "Succeeded") return kExitOk;
  if (phase == "Failed") return kExitFailed;
  if (phase == "Denied") return kExitDenied;
  if (phase == "TimedOut") return kExitTimedOut;
  if (phase == "Cancelled") return kExitCancelled;
  if (phase == "AwaitingApproval") return kExitAwaitingApproval;
  return kExitError;
}

bool is_terminal_phase(const std::string& phase) {
  return phase == "Succeeded" || phase == "Failed" || phase == "Denied" || phase == "TimedOut" || phase == "Cancelled";
}

}  // namespace droid::kubectl
