#!/usr/bin/env bash
# The main job, end to end on a local cluster. Today (foundation issue) it:
#   1. builds droid-operator, droid-runner and kubectl-droid;
#   2. starts the local control plane (scripts/cluster/up.sh);
#   3. installs the CRDs and the org policies, and creates the sample sessions;
#   4. merges the four settings levels of one session, as the runner will:
#      org (an OrgPolicy read back from the apiserver), project
#      (deploy/demo/project-settings.json), folder ({}), user (the session's
#      spec.settings), and prints the effective settings and their provenance.
# It grows as the operator, runner and node tier land. The cluster is left
# running; `make cluster-down` stops it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

KUBECTL="$DROID_BIN/kubernetes-$KUBERNETES_VERSION/kubectl"
RUNNER="$ROOT_DIR/build/default/runner/droid-runner"
NS=droid-demo
start=$(now_s)

log "1/4 building"
cmake --preset default >/dev/null
cmake --build --preset default

log "2/4 starting the local control plane"
export KUBECONFIG
KUBECONFIG=$("$ROOT_DIR/scripts/cluster/up.sh" | tail -n 1)
k() { "$KUBECTL" "$@"; }

log "3/4 installing the CRDs, the org policies and the sample sessions"
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

log "4/4 merging the settings of session refactor-with-settings"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
k get orgpolicy baseline -o jsonpath='{.spec.settings}' >"$work/org.json"
k get droidsession refactor-with-settings -n "$NS" -o jsonpath='{.spec.settings}' >"$work/user.json"
echo '{}' >"$work/folder.json"
levels=("$work/org.json" "$ROOT_DIR/deploy/demo/project-settings.json" "$work/folder.json" "$work/user.json")
step "droid-runner settings merge ORG PROJECT FOLDER USER"
"$RUNNER" settings merge "${levels[@]}"
step "droid-runner settings merge --provenance ... (which level set each field)"
"$RUNNER" settings merge --provenance "${levels[@]}" 2>/dev/null

echo
log "demo done in $(elapsed "$start")"
cat >&2 <<NEXT
    Look around:
      export KUBECONFIG=$KUBECONFIG
      $KUBECTL explain droidsession.spec
      $KUBECTL get droidsessions -A          # sessions stay without a phase until the operator runs
      $KUBECTL get orgpolicies -o wide
    Stop the cluster with: make cluster-down
NEXT
