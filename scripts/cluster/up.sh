#!/usr/bin/env bash
# Starts the local cluster on loopback from the pinned upstream binaries
# (SPEC §8) and prints the path of its admin kubeconfig as the last line of
# stdout (everything else goes to stderr):
#
#   scripts/cluster/up.sh [TIER...]         (default: control-plane)
#   export KUBECONFIG=$(scripts/cluster/up.sh)
#
# Tiers and their components are listed in common.sh (CLUSTER_TIERS); each
# component is a file in components/. Idempotent: a component that runs with
# the same flags and files and answers its readiness check is left alone; a
# dead one is started, one whose flags or certificates changed is restarted.
# Ports and the state dir come from the environment (see common.sh), so a
# second cluster can run beside the first, e.g.
#   DROID_CLUSTER_DIR=/tmp/c2 DROID_APISERVER_PORT=16443 DROID_ETCD_PORT=12379 \
#   DROID_KCM_PORT=20257 DROID_SCHEDULER_PORT=20259 scripts/cluster/up.sh
set -euo pipefail
. "$(dirname "$0")/common.sh"
need openssl curl ss setsid flock

tiers=("$@")
[[ ${#tiers[@]} -gt 0 ]] || tiers=("${DEFAULT_TIERS[@]}")
components=()
for t in "${tiers[@]}"; do
  tier_components "$t" >/dev/null   # dies on an unknown tier
  mapfile -t -O "${#components[@]}" components < <(tier_components "$t")
done

start=$(now_s)
log "cluster in $DROID_CLUSTER_DIR (tiers: ${tiers[*]}; apiserver :$APISERVER_PORT, etcd :$ETCD_PORT/:$ETCD_PEER_PORT, kcm :$KCM_PORT, scheduler :$SCHEDULER_PORT)"
mkdir -p "$DROID_CLUSTER_DIR" "$RUN" "$LOGS"
# One up.sh or down.sh at a time per cluster.
exec 9>"$RUN/.lock"
flock -w 120 9 || die "another up.sh/down.sh holds $RUN/.lock"

"$CLUSTER_SCRIPTS/pki.sh"

# bring_up NAME starts NAME if needed and waits until it is ready. A process
# that was already running is restarted when a component it depends on
# (FN_depends) was just (re)started, since its clients back off for up to a
# minute, or when it is not ready within 20s.
declare -A started=()
bring_up() {
  local name=$1 f t0 dep; f=$(fn "$name"); t0=$(now_s)
  log "$name"
  "${f}_start"
  if [[ $LAUNCHED -eq 0 ]] && declare -F "${f}_depends" >/dev/null; then
    for dep in $("${f}_depends"); do
      if [[ -n "${started[$dep]:-}" ]]; then
        step "$dep was restarted: restarting $name too"
        stop_component "$name"; "${f}_start"; break
      fi
    done
  fi
  local timeout=$READY_TIMEOUT
  [[ $LAUNCHED -eq 1 || $READY_TIMEOUT -lt 20 ]] || timeout=20
  if ! wait_ready "$name" "$timeout"; then
    if [[ $LAUNCHED -eq 0 ]]; then
      warn "$name was running but is not ready: restarting it"
      stop_component "$name"
      "${f}_start"
      wait_ready "$name" || { tail_log "$name"; die "$name did not become ready (log: $LOGS/$name.log)"; }
    else
      tail_log "$name"
      die "$name did not become ready (log: $LOGS/$name.log)"
    fi
  fi
  [[ $LAUNCHED -eq 0 ]] || started[$name]=1
  step "$name ready ($(elapsed "$t0"))"
}

for c in "${components[@]}"; do bring_up "$c"; done

log "cluster ready in $(elapsed "$start"): kubectl --kubeconfig $ADMIN_KUBECONFIG get --raw /readyz"
echo "$ADMIN_KUBECONFIG"
