// The node-tier figure of droid-operator-bench (issue 13): what a developer waits for.
// N DroidSessions created at once on a cluster with a real node and the test bed of
// scripts/cluster/stack.sh (the chart's operator, the scripted gateway, the git server),
// spread over namespaces of their own so that none waits for the OrgPolicy's
// per-namespace concurrency slot (removed at the end);
// for each session, from the start of its create call: its runner pod seen by a watch,
// the pod seen Running (a pod whose work takes a second may go from Pending to
// Succeeded in one status update: not every session has it), the runner container's
// startedAt (the kubelet's, whole seconds; every session has it), the session Running, the gateway receiving the
// session's first LLM request (the gateway's receivedAtMs; every process here reads the same host clock), and the
// session Succeeded. Prints p50/p99/max of each, how the sessions ended and how many runner pods the node fits at once
// (scripts/bench.sh --node).
#pragma once
#include <string>

namespace droid::bench {

struct NodeTierOptions {
  std::string kubeconfig;
  std::string stack_info;  // the stack.json `scripts/cluster/stack.sh up` wrote
  int sessions = 20;
  int creators = 4;  // threads creating the sessions
  int timeout_seconds = 600;
};

// Runs the figure and prints it; 0 when every session Succeeded in time, else 1 (the
// figures of the sessions that did are still printed). Throws std::runtime_error when
// the stack cannot be used (no stack.json, the gateway refuses its script).
int run_node_tier(const NodeTierOptions& options);

}  // namespace droid::bench
