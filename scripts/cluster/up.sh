#!/usr/bin/env bash
# Starts the local cluster on loopback from the pinned upstream binaries
# (SPEC §8) and prints the path of its admin kubeconfig as the last line of
# stdout (everything else goes to stderr):
#
#   scripts/cluster/up.sh [TIER...]         (default: control-plane and node)
#   scripts/cluster/up.sh --control-plane-only   (same as DROID_NODE=0)
#   export KUBECONFIG=$(scripts/cluster/up.sh)
#
# Without tiers it starts the node tier (containerd, kubelet, kube-proxy,
# kube-router; then CoreDNS) too where the machine can run it (root, cgroups,
# br_netfilter, the Debian packages, the kubelet built, the pause image), unless
# another cluster's node tier runs or this cluster's control plane already runs
# without one: then it says why and starts the control plane alone. With the node tier the apiserver advertises (and
# listens on) the node's address, which pods reach through the kubernetes
# Service; images in build/images/*.tar are imported into containerd.
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
# The settings this cluster is started with (DROID_* of the environment, as given), kept
# in $DROID_CLUSTER_DIR/cluster.env below: with-cluster.sh starts a cluster it had to
# stop again with them.
started_env=$(for v in $(compgen -e); do
  case "$v" in DROID_APISERVER_ADVERTISE | DROID_TEST_*) ;; DROID_*) printf '%s=%q\n' "$v" "${!v}" ;; esac
done)

tiers=()
cp_only=0
[[ "${DROID_NODE:-1}" != 0 ]] || cp_only=1
for a in "$@"; do
  case "$a" in
    --control-plane-only) cp_only=1 ;;
    -*) die "unknown option $a (usage: $0 [--control-plane-only] [TIER...])" ;;
    *) tiers+=("$a") ;;
  esac
done
if [[ ${#tiers[@]} -eq 0 ]]; then
  tiers=(control-plane)
  if [[ $cp_only -eq 0 ]]; then
    why=$(node_unsupported)
    [[ -n "$why" || -n "$(pause_image)" ]] ||
      why="no pause image in $IMAGES_DIR (build the images: scripts/images/build.sh)"
    [[ -n "$why" || -x "$(kube_router_binary)" ]] ||
      why="kube-router is not built (scripts/build-tools.sh kube-router; no node tier without NetworkPolicy enforcement)"
    owner=$(node_owner)
    if [[ -z "$why" && -n "$owner" && "$owner" != "$DROID_CLUSTER_DIR" && -n "$(node_pids_in "$owner")" ]]; then
      why="the node tier of $owner runs (one per machine)"
    fi
    # A control plane running without a node tier is not restarted under its
    # users to add one (its apiserver would move to the node's address).
    if [[ -z "$why" && ! -d "$CONTAINERD_DIR" && -n "$(component_pid kube-apiserver)" ]]; then
      why="this cluster runs without it (add it with: $0 control-plane node)"
    fi
    if [[ -z "$why" ]]; then tiers+=(node)
    else warn "starting the control plane only, without the node tier: $why"; fi
  fi
fi
# Pods reach the apiserver at the node's address (Kubernetes refuses loopback
# endpoints for the kubernetes Service).
if [[ " ${tiers[*]} " == *" node "* && -z "${DROID_APISERVER_ADVERTISE:-}" ]]; then
  [[ -n "$NODE_IP" ]] || die "the node tier needs the node's IPv4 address: set DROID_NODE_IP"
  APISERVER_ADVERTISE=$NODE_IP
  export DROID_APISERVER_ADVERTISE=$NODE_IP
fi
components=()
for t in "${tiers[@]}"; do
  tier_components "$t" >/dev/null   # dies on an unknown tier
  mapfile -t -O "${#components[@]}" components < <(tier_components "$t")
done

start=$(now_s)
log "cluster in $DROID_CLUSTER_DIR (tiers: ${tiers[*]}; apiserver :$APISERVER_PORT, etcd :$ETCD_PORT/:$ETCD_PEER_PORT, kcm :$KCM_PORT, scheduler :$SCHEDULER_PORT)"
if [[ " ${tiers[*]} " == *" node "* ]]; then
  step "node $NODE_NAME ($NODE_IP): kubelet :$KUBELET_PORT/:$KUBELET_HEALTHZ_PORT, kube-proxy :$KUBE_PROXY_METRICS_PORT/:$KUBE_PROXY_HEALTHZ_PORT, apiserver advertised at $APISERVER_ADVERTISE"
fi
mkdir -p "$DROID_CLUSTER_DIR" "$RUN" "$LOGS"
printf '# Written by scripts/cluster/up.sh: the settings it was last started with.\n%s\n' "$started_env" \
  >"$DROID_CLUSTER_DIR/cluster.env"
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
  if declare -F "${f}_post" >/dev/null; then "${f}_post"; fi
}

for c in "${components[@]}"; do bring_up "$c"; done
if [[ " ${tiers[*]} " == *" node "* ]]; then
  if coredns_enabled; then log "cluster DNS"; coredns_deploy
  else warn "no cluster DNS: CoreDNS is not built (scripts/build-tools.sh coredns)"; fi
fi

log "cluster ready in $(elapsed "$start"): kubectl --kubeconfig $ADMIN_KUBECONFIG get --raw /readyz"
echo "$ADMIN_KUBECONFIG"
