#!/usr/bin/env bash
# Runs the operator benchmark (bench/operator_bench.cc) and prints its figures (not a
# pass/fail test; not part of `make test`). Two parts, each on a cluster of its own:
#
#   control plane  (bench/README.md) builds droid-operator and droid-operator-bench,
#                  starts a fresh control plane (no node) on its own state dir and ports (purging
#                  any earlier one there), applies the CRDs, runs the benchmark: baseline
#                  vs operator latency/throughput, operator RSS; purges the cluster, also
#                  when the benchmark fails
#   node tier      the figure a developer waits for (bench/node_tier.h): the images
#                  (scripts/images/build.sh), a fresh cluster with its node tier and the
#                  test bed of scripts/cluster/stack.sh (the chart's operator, the scripted
#                  gateway, the git server) through scripts/cluster/with-cluster.sh, 20
#                  sessions with real runner pods: create -> Running, create -> first LLM
#                  request, p50/p99; purged afterwards. Needs root (a node tier); where the
#                  machine cannot run one it says why and the part is skipped. Only one
#                  node tier runs per machine: with-cluster.sh pauses another one meanwhile.
#
#   scripts/bench.sh [--control-plane | --node] [droid-operator-bench flags...]
#     e.g. scripts/bench.sh --sessions 100 --rss 1000;  scripts/bench.sh --node --node-sessions 5
#   (default: both parts; the flags go to both; the node part uses --node-sessions,
#   --creators and --timeout)
#
# Environment: DROID_BENCH_BUILD_DIR (default build/default); the control plane's
# DROID_BENCH_CLUSTER_DIR and DROID_BENCH_{APISERVER,ETCD,KCM,SCHEDULER}_PORT (default
# cluster-bench, 30443/30379/30257/30259); the node tier's DROID_BENCH_NODE_CLUSTER_DIR
# (default cluster-bench-node; ports 31443/31379/31257/31259, kubelet 31250/31248,
# kube-proxy 31249/31256, prometheus 39091).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need cmake

parts=(control-plane node)
case "${1:-}" in
  --control-plane) parts=(control-plane); shift ;;
  --node) parts=(node); shift ;;
esac
if [[ ${#parts[@]} -gt 1 ]]; then
  # Each part in a process of its own (set -e holds there); a failing one does not stop the other.
  rc=0
  "$0" --control-plane "$@" || rc=$?
  "$0" --node "$@" || rc=$?
  exit "$rc"
fi

BUILD_DIR="${DROID_BENCH_BUILD_DIR:-$ROOT_DIR/build/default}"
BENCH_CLUSTER_ENV=(
  DROID_CLUSTER_DIR="${DROID_BENCH_CLUSTER_DIR:-$DROID_CACHE/cluster-bench}"
  DROID_APISERVER_PORT="${DROID_BENCH_APISERVER_PORT:-30443}"
  DROID_ETCD_PORT="${DROID_BENCH_ETCD_PORT:-30379}"
  DROID_KCM_PORT="${DROID_BENCH_KCM_PORT:-30257}"
  DROID_SCHEDULER_PORT="${DROID_BENCH_SCHEDULER_PORT:-30259}"
  # No node tier: up.sh would add one where the machine can run it, and then a kubelet
  # would start (or fail to pull) thousands of runner pods while the operator is measured,
  # and another cluster's node tier (the test tier's) could not run meanwhile.
  DROID_NODE=0
)
BENCH_NODE_CLUSTER_ENV=(
  DROID_CLUSTER_DIR="${DROID_BENCH_NODE_CLUSTER_DIR:-$DROID_CACHE/cluster-bench-node}"
  DROID_APISERVER_PORT=31443 DROID_ETCD_PORT=31379
  DROID_KCM_PORT=31257 DROID_SCHEDULER_PORT=31259
  DROID_KUBELET_PORT=31250 DROID_KUBELET_HEALTHZ_PORT=31248
  DROID_KUBE_PROXY_METRICS_PORT=31249 DROID_KUBE_PROXY_HEALTHZ_PORT=31256
  DROID_PROMETHEUS_PORT=39091
)
KUBECTL="$DROID_BIN/kubernetes-$KUBERNETES_VERSION/kubectl"
BENCH="$BUILD_DIR/bench/droid-operator-bench"

log "building droid-operator and droid-operator-bench in $BUILD_DIR (preset default)"
cmake --preset default -B "$BUILD_DIR" >/dev/null
cmake --build "$BUILD_DIR" --target droid-operator droid-operator-bench -j "$(nproc)"
[[ -x "$KUBECTL" ]] || die "no kubectl at $KUBECTL: run 'make setup' first"

cluster() {  # cluster SCRIPT [ARGS...]: scripts/cluster/SCRIPT on the benchmark's cluster
  env "${BENCH_CLUSTER_ENV[@]}" "$ROOT_DIR/scripts/cluster/$1" "${@:2}"
}

bench_control_plane() {
  log "starting a fresh benchmark cluster (${BENCH_CLUSTER_ENV[*]})"
  trap 'log "purging the benchmark cluster"; cluster down.sh --purge' EXIT
  cluster down.sh --purge
  local kubeconfig
  kubeconfig=$(cluster up.sh | tail -n 1)

  log "applying the CRDs"
  "$KUBECTL" --kubeconfig "$kubeconfig" apply --server-side --force-conflicts --field-manager droid-bench \
    -f "$ROOT_DIR/crds/" >/dev/null
  "$KUBECTL" --kubeconfig "$kubeconfig" wait --for=condition=Established --timeout=60s \
    crd/droidsessions.droid.dev crd/orgpolicies.droid.dev >/dev/null

  log "running the benchmark (machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
  "$BENCH" --kubeconfig "$kubeconfig" "$@"
}

bench_node() {
  local why
  why=$(env "${BENCH_NODE_CLUSTER_ENV[@]}" bash -c ". '$ROOT_DIR/scripts/cluster/common.sh'; node_unsupported")
  if [[ -n "$why" ]]; then
    warn "node-tier figure skipped: this machine cannot run a node tier: $why"
    return 0
  fi
  log "node tier: CoreDNS and kube-router, then the images from $BUILD_DIR"
  "$ROOT_DIR/scripts/build-tools.sh" coredns kube-router
  "$ROOT_DIR/scripts/images/build.sh" "$BUILD_DIR"
  log "node tier: a fresh cluster with its node and test bed (${BENCH_NODE_CLUSTER_ENV[*]}), then the figure"
  # with-cluster.sh sets KUBECONFIG; stack.sh up wrote the test bed's addresses to stack.json.
  env "${BENCH_NODE_CLUSTER_ENV[@]}" "$ROOT_DIR/scripts/cluster/with-cluster.sh" --node --stack -- \
    bash -c 'exec "$0" --kubeconfig "$KUBECONFIG" --stack "$DROID_CLUSTER_DIR/stack/stack.json" "$@"' "$BENCH" "$@"
}

"bench_${parts[0]//-/_}" "$@"
