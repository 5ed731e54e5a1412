// `droid-runner approval-probe [--private-dir DIR]`: the runner container's
// readiness probe (issue 14). Exit 0 while the runner of this container waits in
// place for a human's approval (agent/approval_wait.h), 1 otherwise, so that the
// container is Ready exactly while it waits and the operator, watching pods,
// knows to read the request from the audit log. DIR defaults to the runner's
// ($TMPDIR/droid-runner); prints nothing (the kubelet keeps probe output).
#pragma once

#include <string>
#include <vector>

namespace droid::runner {

int approval_probe_command(const std::vector<std::string>& args);

}  // namespace droid::runner
