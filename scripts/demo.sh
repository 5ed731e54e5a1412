#!/usr/bin/env bash
# The main job, end to end on a local cluster with real runner pods (SPEC §8, node tier):
#   1. builds the C++ programs and the container images (buildah, offline; cached);
#   2. starts the local cluster with its node tier (containerd, kubelet, kube-proxy,
#      NetworkPolicy enforcement, CoreDNS; scripts/cluster/up.sh);
#   3. installs the Helm chart (operator with two replicas, admission webhook, the egress
#      gateway droid-egress: runner pods reach only it, it holds the keys) and the
#      test bed: the scripted LLM gateway, the OpenTelemetry Collector, a git server with
#      deploy/demo/repo, Prometheus on the host (scripts/cluster/stack.sh);
#   4. session 1 with `kubectl droid run`, shown as it happens: the runner pod clones the
#      repository, the model (the gateway replays deploy/demo/scenario.json) reads the code,
#      runs the failing test, fixes the bug, tries `curl ... | sh` (blocked: the repository's
#      .factory/settings.json blocklists curl), re-runs the test; the runner commits and
#      pushes a branch; Succeeded; every request went through the egress gateway (its
#      audit lines for the session are shown);
#   5. session 2, one the org policy forbids (a model it does not allow): refused by the
#      webhook, naming the field, with `kubectl droid run`'s exit code 3;
#   6. the results and where to look: the sessions, the pushed branch, the collector's
#      output, Prometheus, the commands to go on.
# Needs root (the node tier and buildah). Cached after the first run; the cluster keeps
# running (`make cluster-down` stops it).
set -euo pipefail
# shellcheck source=cluster/common.sh
. "$(dirname "$0")/cluster/common.sh"  # lib.sh and node_unsupported

KUBECTL="$DROID_BIN/kubernetes-$KUBERNETES_VERSION/kubectl"
KUBECTL_DROID="$ROOT_DIR/build/default/kubectl-droid/kubectl-droid"
NS=droid-demo
start=$(now_s)

why=$(node_unsupported)
[[ -z "$why" ]] || die "make demo runs sessions in real pods, and this machine cannot run the node tier: $why"

log "1/6 building the programs and the container images (cached after the first run)"
cmake --preset default >/dev/null
# Only what the demo runs (the tests are make test's): the images' five programs and the plugin.
cmake --build --preset default --target droid-operator droid-egress droid-runner droid-scripted-gateway droid-pause \
  kubectl-droid
"$ROOT_DIR/scripts/build-tools.sh" coredns kube-router
"$ROOT_DIR/scripts/images/build.sh" build/default

log "2/6 starting the local cluster with its node tier"
export KUBECONFIG
KUBECONFIG=$("$ROOT_DIR/scripts/cluster/up.sh" control-plane node | tail -n 1)
k() { "$KUBECTL" "$@"; }
k get nodes -o wide

log "3/6 installing droid-operator (Helm chart) and the test bed"
stack=$("$ROOT_DIR/scripts/cluster/stack.sh" up | tail -n 1)
info() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$stack" "$1"; }
k get pods -n droid-system -o wide
k get pods -n droid-testbed -o wide
# A fresh start: the sessions of an earlier run go, and so do the org policies of policies/
# that the control-plane-only demo of earlier versions applied (this demo's org policy is
# the chart's default, pointing at the test bed).
if k get namespace "$NS" >/dev/null 2>&1; then
  step "deleting namespace $NS of an earlier run"
  k delete namespace "$NS" --wait --timeout=120s >/dev/null
fi
k delete -f "$ROOT_DIR/policies/" --ignore-not-found 2>/dev/null | sed 's/^/    /' || true
k create namespace "$NS" >/dev/null
for _ in $(seq 1 30); do k get serviceaccount default -n "$NS" >/dev/null 2>&1 && break; sleep 1; done
k get orgpolicies

# The gateway replays its scenario once per session: start it over for this run.
auth=$(mktemp)
trap 'rm -f "$auth"' EXIT
printf 'Authorization: Bearer %s\n' "$(cat "$(info gatewayKeyFile)")" >"$auth"
curl -fsS -X PUT -H "@$auth" -H 'Content-Type: application/json' --data-binary "@$ROOT_DIR/deploy/demo/scenario.json" \
  "$(info gatewayURL)/_gateway/script" >/dev/null

run_id=$(date +%H%M%S)
name="fix-calc-$run_id"
branch="droid/demo-$run_id"
log "4/6 session $name: fix the failing test and push $branch (kubectl droid run, as it happens)"
step "kubectl droid run -n $NS --name $name --repo $(info gitRepositoryURL) --auto high --push-branch $branch ..."
rc=0
"$KUBECTL_DROID" run -n "$NS" --name "$name" --repo "$(info gitRepositoryURL)" --ref main \
  --model "$(info model)" --auto high --timeout 10m --push-branch "$branch" --label droid.dev/demo=true \
  --prompt "The test in test_calc.py is failing. Find the bug and fix it." || rc=$?
[[ $rc -eq 0 ]] || die "session $name did not succeed (kubectl droid run exited $rc): kubectl droid get $name -n $NS"
step "the branch on the git server (from the host, through the Service):"
checkout=$(mktemp -d)
trap 'rm -f "$auth"; rm -rf "$checkout"' EXIT
git clone -q --branch "$branch" "$(info gitURL)/sample.git" "$checkout"
git -C "$checkout" --no-pager log -1 --stat --format='commit %H%nAuthor: %an <%ae>%n%n%w(0,4,4)%B' | sed 's/^/    /'
git -C "$checkout" --no-pager diff HEAD~1 | sed 's/^/    /'

log "5/6 session forbidden-model: a model the org policy does not allow"
step "kubectl droid run -n $NS --name forbidden-model --model gpt-4o ..."
rc=0
"$KUBECTL_DROID" run -n "$NS" --name forbidden-model --repo "$(info gitRepositoryURL)" --model gpt-4o \
  --prompt "Refactor calc.py." || rc=$?
[[ $rc -eq 3 ]] || die "the forbidden session was not refused by policy (kubectl droid run exited $rc, expected 3)"
step "refused at admission (exit code 3, Denied); no session and no pod were created:"
k get droidsession forbidden-model -n "$NS" 2>&1 | sed 's/^/    /' || true

log "6/6 results"
k get droidsessions -n "$NS" -o wide
echo
trace=$(k get droidsession "$name" -n "$NS" -o jsonpath='{.status.traceId}')
telemetry=$(info telemetryFile)
for _ in $(seq 1 20); do grep -q "$trace" "$telemetry" 2>/dev/null && break; sleep 1; done
step "the OpenTelemetry Collector's output ($telemetry):"
python3 - "$telemetry" "$name" "$trace" <<'DIGEST'
import json, sys
path, name, trace = sys.argv[1:]
spans, metrics = [], set()
for line in open(path):
    doc = json.loads(line)
    for rs in doc.get("resourceSpans", []):
        for ss in rs.get("scopeSpans", []):
            spans += [s["name"] for s in ss.get("spans", []) if s.get("traceId") == trace]
    for rm in doc.get("resourceMetrics", []):
        attrs = {a["key"]: a["value"].get("stringValue") for a in rm.get("resource", {}).get("attributes", [])}
        if attrs.get("droid.session") == name:
            for sm in rm.get("scopeMetrics", []):
                metrics.update(m["name"] for m in sm.get("metrics", []))
print(f"    trace {trace}: {len(spans)} spans ({', '.join(sorted(set(spans))[:6])}, ...)")
print(f"    metrics of session {name}: {', '.join(sorted(metrics))}")
DIGEST
if [[ $(info egress) == True ]]; then
  step "the egress gateway's audit log for $NS/$name (the runner pod held no key and no git password):"
  k logs -n droid-system -l app.kubernetes.io/name=droid-egress --tail=-1 2>/dev/null | python3 -c '
import collections, json, sys
want, seen = sys.argv[1], collections.Counter()
for line in sys.stdin:
    try:
        a = json.loads(line)
    except ValueError:
        continue
    if a.get("audit") == "egress" and a.get("session") == want:
        seen[(a.get("decision"), a.get("destination") or a.get("host"), a.get("method"), a.get("path", "").split("?")[0])] += 1
for (decision, dest, method, path), n in sorted(seen.items()):
    print(f"    {decision:8} {dest:18} {method:5} {path} x{n}")' "$NS/$name"
fi
prom=$(info prometheusURL)
step "Prometheus ($prom), scraping the operator pods: droid_sessions by phase"
# Until a scrape after the session ended (Prometheus scrapes every 5 s).
for _ in $(seq 1 30); do
  out=$(curl -fsS "$prom/api/v1/query" --data-urlencode 'query=max by (phase) (droid_sessions)' | python3 -c '
import json, sys
n = {x["metric"]["phase"]: int(float(x["value"][1])) for x in json.load(sys.stdin)["data"]["result"]}
print("  ".join(f"{p}={v}" for p, v in sorted(n.items())))
sys.exit(0 if n.get("Succeeded", 0) >= 1 and n.get("Running", 0) == 0 and n.get("Pending", 0) == 0 else 1)') && break
  sleep 1
done
echo "    $out"

echo
log "demo done in $(elapsed "$start")"
cat >&2 <<NEXT
    Look around:
      export KUBECONFIG=$KUBECONFIG
      $KUBECTL_DROID get $name -n $NS            # result, usage, branch, commit
      $KUBECTL_DROID logs $name -n $NS           # the runner's audit log, while its pod is kept
      $KUBECTL_DROID policy explain -n $NS       # the effective org policy, and who set each field
      $KUBECTL get droidsessions -A -o wide
      $KUBECTL get events -n $NS
      less $telemetry                            # what the collector received
      $prom/graph?g0.expr=droid_sessions         # Prometheus
      scripts/cluster/stack.sh status            # what runs in the test bed
    Stop the cluster with: make cluster-down
NEXT
