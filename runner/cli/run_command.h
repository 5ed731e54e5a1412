// `droid-runner run`: the entry point of a runner pod (SPEC §5, §6).
//   run [--config DIR] [--workspace DIR] [--termination-log FILE]
//       [--git-credentials DIR] [--private-dir DIR]
// Reads what the operator mounted — DIR/session.json (prompt, model, autonomy,
// gateway, repository, limits, telemetry, approvals), DIR/org-settings.json and
// DIR/user-settings.json (defaults: $DROID_CONFIG_DIR or /etc/droid) and the
// gateway key file session.json names — clones the repository into the
// workspace, merges the settings levels (org, project, folders on the way to
// repository.subPath, user), runs the session with an approval channel, then,
// when output.pushBranch is set and the session succeeded, shields the diff,
// asks the gate about `git push origin BRANCH`, commits and pushes. The audit
// log goes to stdout. The outcome is written as the termination message
// (libdroid/contract) whatever happens, a failure to start included. Exit code
// 0 when the session succeeded or waits for approval, 1 otherwise.
#pragma once

#include <string>
#include <vector>

namespace droid::runner {

int run_command(const std::vector<std::string>& args);

}  // namespace droid::runner
