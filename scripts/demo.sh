#!/usr/bin/env bash
# The main job, end to end on a local cluster. Today (foundation issue) it:
#   1. builds droid-operator, droid-runner and kubectl-droid;
#   2. starts the local control plane (scripts/cluster/up.sh --control-plane-only: the demo on real pods comes with the node tier issue);
#   3. installs the CRDs and the org policies, and creates the sample sessions;
#   4. merges the four settings levels of one session, as the runner will:
#      org (an OrgPolicy read back from the apiserver), project
#      (deploy/demo/project-settings.json), folder ({}), user (the session's
#      spec.settings), and prints the effective settings and their provenance.
#   5. runs droid-operator against the cluster: each sample session is resolved
#      against the org policies and either Denied with a reason or given its
#      ConfigMap, NetworkPolicy and runner Pod (which stay Pending until the
#      node tier runs pods);
#   6. runs one agent session locally with `droid-runner exec` against the
#      scripted LLM gateway (deploy/demo/scenario.json) in a copy of
#      deploy/demo/repo: the model reads, runs the test, fixes the bug, tries a
#      command the policy refuses, and finishes; the audit log is printed.
# It grows as the node tier lands. The cluster is left running;
# `make cluster-down` stops it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

KUBECTL="$DROID_BIN/kubernetes-$KUBERNETES_VERSION/kubectl"
RUNNER="$ROOT_DIR/build/default/runner/droid-runner"
OPERATOR="$ROOT_DIR/build/default/operator/droid-operator"
GATEWAY="$ROOT_DIR/build/default/runner/llm/droid-scripted-gateway"
NS=droid-demo
start=$(now_s)

log "1/6 building"
cmake --preset default >/dev/null
cmake --build --preset default

log "2/6 starting the local control plane"
export KUBECONFIG
KUBECONFIG=$("$ROOT_DIR/scripts/cluster/up.sh" --control-plane-only | tail -n 1)
k() { "$KUBECTL" "$@"; }

log "3/6 installing the CRDs, the org policies and the sample sessions"
k apply --server-side --force-conflicts --field-manager=droid-demo -f "$ROOT_DIR/crds/" >/dev/null
k wait --for condition=Established --timeout=60s crd/droidsessions.droid.dev crd/orgpolicies.droid.dev >/dev/null
k apply --server-side --field-manager=droid-demo -f "$ROOT_DIR/policies/"
k create namespace "$NS" --dry-run=client -o yaml | k apply --server-side --field-manager=droid-demo -f - >/dev/null
k apply --server-side --field-manager=droid-demo -n "$NS" -f "$ROOT_DIR/deploy/samples/"
echo
k get orgpolicies
echo
k get droidsessions -n "$NS" -o wide
echo
step "an invalid session is refused at admission, naming the field:"
if k apply --server-side --field-manager=droid-demo -n "$NS" -f - 2>&1 <<'BAD'; then die "the apiserver accepted an invalid session"; fi
apiVersion: droid.dev/v1alpha1
kind: DroidSession
metadata: {name: bad-demo}
spec: {prompt: "fix it", autonomyLevel: full, timeoutSeconds: -5}
BAD

log "4/6 merging the settings of session refactor-with-settings"
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
k get orgpolicy baseline -o jsonpath='{.spec.settings}' >"$work/org.json"
k get droidsession refactor-with-settings -n "$NS" -o jsonpath='{.spec.settings}' >"$work/user.json"
echo '{}' >"$work/folder.json"
levels=("$work/org.json" "$ROOT_DIR/deploy/demo/project-settings.json" "$work/folder.json" "$work/user.json")
step "droid-runner settings merge ORG PROJECT FOLDER USER"
"$RUNNER" settings merge "${levels[@]}"
step "droid-runner settings merge --provenance ... (which level set each field)"
"$RUNNER" settings merge --provenance "${levels[@]}" 2>/dev/null

log "5/6 running droid-operator against the cluster"
k create namespace droid-system --dry-run=client -o yaml | k apply --server-side --field-manager=droid-demo -f - >/dev/null
ops_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$OPERATOR" --kubeconfig "$KUBECONFIG" --namespace droid-system --identity demo \
  --ops-bind-address "127.0.0.1:$ops_port" >"$work/operator.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:$ops_port/readyz" >/dev/null 2>&1 && break
  sleep 1
done
curl -fsS "http://127.0.0.1:$ops_port/readyz" >/dev/null || { tail -n 20 "$work/operator.log" >&2; die "droid-operator did not become ready"; }
sleep 5  # one reconcile pass over the samples
step "the sessions, as the operator reconciled them (pods stay Pending until the node tier runs them):"
k get droidsessions -n "$NS" -o custom-columns='NAME:.metadata.name,PHASE:.status.phase,REASON:.status.conditions[?(@.type=="Ready")].reason,POD:.status.podName,POLICY:.status.policy.names'
echo
step "what the operator created for the sessions (owned by them; deleting a session removes them):"
k get pods,configmaps,networkpolicies -n "$NS" -l droid.dev/session
step "its metrics:"
curl -fsS "http://127.0.0.1:$ops_port/metrics" | grep -E '^droid_sessions' || true
kill "${pids[-1]}" 2>/dev/null || true

log "6/6 one agent session, locally: droid-runner exec against the scripted LLM gateway"
cp -r "$ROOT_DIR/deploy/demo/repo" "$work/repo"
echo "demo-gateway-key-$RANDOM$RANDOM" >"$work/gateway-key"
"$GATEWAY" --script "$ROOT_DIR/deploy/demo/scenario.json" --listen http://127.0.0.1:0 \
  --api-key-file "$work/gateway-key" >"$work/gateway.out" 2>"$work/gateway.log" &
pids+=($!)
for _ in $(seq 1 50); do [[ -s "$work/gateway.out" ]] && break; sleep 0.1; done
gateway_url=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["listening"])' "$work/gateway.out")
step "droid-runner exec --auto medium --model demo --gateway $gateway_url/v1 \"the test ... is failing; fix the bug\""
"$RUNNER" exec --auto medium --model demo --gateway "$gateway_url/v1" --api-key-file "$work/gateway-key" \
  --workspace "$work/repo" --audit-log "$work/audit.jsonl" \
  "the test in test_calc.py is failing; fix the bug"
step "the audit log (one JSON line per decision; here a digest):"
python3 - "$work/audit.jsonl" <<'DIGEST'
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    what = {"llm_call": lambda: f"{e['input_tokens']} in / {e['output_tokens']} out, {e['tool_calls']} tool call(s)",
            "tool_call": lambda: f"{e['tool']:6} {e['action']:7} {e.get('command', e.get('result', {}).get('path', ''))}"
                                 + (f"  <- {e['reasons'][-1]}" if e['action'] != 'run' else ""),
            "session_end": lambda: f"{e['outcome']} ({e['reason']}), {e['commands_blocked']} command(s) refused"}.get(
        e["event"], lambda: "")()
    print(f"    {e['seq']:>2} {e['event']:13} {what}")
DIGEST
step "the fix, in the workspace:"
diff -u "$ROOT_DIR/deploy/demo/repo/calc.py" "$work/repo/calc.py" || true

echo
log "demo done in $(elapsed "$start")"
cat >&2 <<NEXT
    Look around:
      export KUBECONFIG=$KUBECONFIG
      $KUBECTL explain droidsession.spec
      $KUBECTL get droidsessions -A          # phases and reasons the operator set
      $KUBECTL get orgpolicies -o wide
    Stop the cluster with: make cluster-down
NEXT
