#!/usr/bin/env bash
# Stops the local cluster started by up.sh: every component of every tier, in
# reverse start order (SIGTERM, up to 20s, then SIGKILL), found by its pid file
# and, as a fallback, by its binary together with this cluster's state dir in
# its command line (a second cluster is never touched). Then checks that no
# process, listening port or mount of the cluster remains. Idempotent.
#
#   scripts/cluster/down.sh           keep certificates and etcd data
#   scripts/cluster/down.sh --purge   also delete $DROID_CLUSTER_DIR
#
# Uses the same environment as up.sh (DROID_CLUSTER_DIR, DROID_*_PORT).
set -euo pipefail
. "$(dirname "$0")/common.sh"
need ss findmnt flock

purge=0
case "${1:-}" in
  "") ;;
  --purge) purge=1 ;;
  *) die "usage: $0 [--purge]" ;;
esac

log "stopping the cluster in $DROID_CLUSTER_DIR"
if [[ -d "$RUN" ]]; then
  exec 9>"$RUN/.lock"
  flock -w 120 9 || die "another up.sh/down.sh holds $RUN/.lock"
fi

# The test bed's Prometheus (stack.sh) runs on the host from this cluster's dir.
"$(dirname "$0")/stack.sh" stop-host || true

# Whether this cluster's node tier owns the machine's host state (checked below once it is undone).
owned_node=0
if node_owned && [[ -d "$CONTAINERD_DIR" ]]; then owned_node=1; fi

mapfile -t components < <(all_components | tac)
for c in "${components[@]}"; do
  if [[ -n "$(component_pid "$c")" ]] && declare -F "$(fn "$c")_prestop" >/dev/null; then "$(fn "$c")_prestop"; fi
  stop_component "$c"
  if declare -F "$(fn "$c")_cleanup" >/dev/null; then "$(fn "$c")_cleanup"; fi
done

# mounts_under DIR prints the mount points at or below DIR, newest first
# (unmounting in that order also uncovers mounts hidden by later ones).
mounts_under() {
  findmnt -rn -o TARGET 2>/dev/null | awk -v d="$1" 'index($0, d "/") == 1 || $0 == d' | tac
}
if [[ -d "$DROID_CLUSTER_DIR" ]]; then
  for pass in 1 2 3; do
    mapfile -t mounts < <(mounts_under "$DROID_CLUSTER_DIR")
    [[ ${#mounts[@]} -gt 0 ]] || break
    for m in "${mounts[@]}"; do
      step "unmounting $m"
      umount "$m" 2>/dev/null || { [[ $pass -lt 3 ]] || umount -l "$m" 2>/dev/null; } || true
    done
  done
fi

# ours SS_LINE succeeds when a process listed in an `ss -p` line belongs to
# this cluster (its command line names the state dir) or cannot be told.
ours() {
  local pids p
  pids=$(grep -o 'pid=[0-9]*' <<<"$1" | cut -d= -f2)
  [[ -n "$pids" ]] || return 0
  for p in $pids; do
    if tr '\0' '\n' <"/proc/$p/cmdline" 2>/dev/null | grep -qF -- "$DROID_CLUSTER_DIR/"; then return 0; fi
  done
  return 1
}

# Verify that nothing is left.
problems=()
for c in "${components[@]}"; do
  for p in $(component_pid "$c") $(orphan_pids "$c"); do problems+=("$c still runs as pid $p"); done
  for port in $("$(fn "$c")_ports"); do
    l=$(port_listeners "$port")
    [[ -n "$l" ]] || continue
    if ours "$l"; then problems+=("port $port ($c) is still listening: $l")
    else warn "port $port is in use, but not by this cluster: $l"; fi
  done
done
if [[ -d "$DROID_CLUSTER_DIR" ]]; then
  while read -r m; do [[ -z "$m" ]] || problems+=("still mounted: $m"); done \
    < <(mounts_under "$DROID_CLUSTER_DIR")
fi
# The host state of its node tier: kube-proxy's, kube-router's and the CNI plugins' iptables
# chains, kube-router's ipsets, the bridge.
if [[ $owned_node -eq 1 ]]; then
  for cmd in iptables ip6tables; do
    command -v "$cmd-save" >/dev/null 2>&1 || continue
    n=$("$cmd-save" 2>/dev/null | grep -cE '^:(KUBE-|CNI-|DROID-NP)' || true)
    [[ $n -eq 0 ]] || problems+=("$cmd: $n KUBE-*/CNI-* chains left ($cmd-save | grep -E '^:(KUBE-|CNI-)')")
  done
  if command -v ipset >/dev/null 2>&1; then
    n=$(ipset list -n 2>/dev/null | grep -cE "$KUBE_ROUTER_IPSETS" || true)
    [[ $n -eq 0 ]] || problems+=("$n ipsets of kube-router left (ipset list -n)")
  fi
  if ip link show "$CNI_BRIDGE" >/dev/null 2>&1; then problems+=("the bridge $CNI_BRIDGE is left"); fi
fi
if [[ ${#problems[@]} -gt 0 ]]; then
  printf '    %s\n' "${problems[@]}" >&2
  die "the cluster did not stop cleanly"
fi
step "no process, listening port or mount of the cluster left$([[ $owned_node -eq 0 ]] || echo "; no iptables chain, ipset or bridge of its node tier")"

if [[ $purge -eq 1 && -d "$DROID_CLUSTER_DIR" ]]; then
  [[ -f "$CLUSTER_MARKER" ]] || die "$DROID_CLUSTER_DIR has no $(basename "$CLUSTER_MARKER") marker: not deleting it"
  rm -rf "$DROID_CLUSTER_DIR"
  step "deleted $DROID_CLUSTER_DIR (etcd data, certificates, logs)"
fi
log "cluster stopped"
