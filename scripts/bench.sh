#!/usr/bin/env bash
# Runs the operator benchmark (bench/operator_bench.cc) on a local control plane
# of its own and prints its figures (not a pass/fail test; not part of `make test`):
#   1. builds droid-operator and droid-operator-bench (preset default)
#   2. starts a fresh cluster on its own state dir and ports (purging any earlier
#      one there) and applies the CRDs
#   3. runs the benchmark: baseline vs operator latency/throughput, operator RSS
#   4. stops and purges that cluster, also when the benchmark fails
#
#   scripts/bench.sh [droid-operator-bench flags...]   e.g. --sessions 100 --rss 1000
#
# Environment: DROID_BENCH_BUILD_DIR (default build/default), DROID_BENCH_CLUSTER_DIR
# and DROID_BENCH_{APISERVER,ETCD,KCM,SCHEDULER}_PORT (default 30443/30379/30257/30259).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need cmake

BUILD_DIR="${DROID_BENCH_BUILD_DIR:-$ROOT_DIR/build/default}"
BENCH_CLUSTER_ENV=(
  DROID_CLUSTER_DIR="${DROID_BENCH_CLUSTER_DIR:-$DROID_CACHE/cluster-bench}"
  DROID_APISERVER_PORT="${DROID_BENCH_APISERVER_PORT:-30443}"
  DROID_ETCD_PORT="${DROID_BENCH_ETCD_PORT:-30379}"
  DROID_KCM_PORT="${DROID_BENCH_KCM_PORT:-30257}"
  DROID_SCHEDULER_PORT="${DROID_BENCH_SCHEDULER_PORT:-30259}"
)
KUBECTL="$DROID_BIN/kubernetes-$KUBERNETES_VERSION/kubectl"

cluster() {  # cluster SCRIPT [ARGS...]: scripts/cluster/SCRIPT on the benchmark's cluster
  env "${BENCH_CLUSTER_ENV[@]}" "$ROOT_DIR/scripts/cluster/$1" "${@:2}"
}

log "building droid-operator and droid-operator-bench in $BUILD_DIR (preset default)"
cmake --preset default -B "$BUILD_DIR" >/dev/null
cmake --build "$BUILD_DIR" --target droid-operator droid-operator-bench -j "$(nproc)"
[[ -x "$KUBECTL" ]] || die "no kubectl at $KUBECTL: run 'make setup' first"

log "starting a fresh benchmark cluster (${BENCH_CLUSTER_ENV[*]})"
trap 'log "purging the benchmark cluster"; cluster down.sh --purge' EXIT
cluster down.sh --purge
kubeconfig=$(cluster up.sh | tail -n 1)

log "applying the CRDs"
"$KUBECTL" --kubeconfig "$kubeconfig" apply --server-side --force-conflicts --field-manager droid-bench \
  -f "$ROOT_DIR/crds/" >/dev/null
"$KUBECTL" --kubeconfig "$kubeconfig" wait --for=condition=Established --timeout=60s \
  crd/droidsessions.droid.dev crd/orgpolicies.droid.dev >/dev/null

log "running the benchmark (machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
"$BUILD_DIR/bench/droid-operator-bench" --kubeconfig "$kubeconfig" "$@"
