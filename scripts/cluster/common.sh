# shellcheck shell=bash
# shellcheck disable=SC2034  # the variables here are used by the files that source it
# Shared settings and helpers of the local cluster scripts (up.sh, down.sh,
# pki.sh and components/*.sh). Source it; do not run it.
#
# Everything that differs between two clusters on one machine comes from the
# environment, so a second cluster can run beside the first:
#   DROID_CLUSTER_DIR       state dir (certs, kubeconfigs, etcd data, logs, pids)
#   DROID_APISERVER_PORT    kube-apiserver secure port           (default 6443)
#   DROID_ETCD_PORT         etcd client port; peer port is +1    (default 2379)
#   DROID_KCM_PORT          kube-controller-manager secure port  (default 10257)
#   DROID_SCHEDULER_PORT    kube-scheduler secure port           (default 10259)
#   DROID_READY_TIMEOUT     seconds to wait for one component    (default 90)
# and, for the node tier (containerd, kubelet, kube-proxy, kube-router; see node.sh):
#   DROID_KUBELET_PORT              kubelet API (HTTPS)          (default 10250)
#   DROID_KUBELET_HEALTHZ_PORT      kubelet healthz on 127.0.0.1 (default 10248)
#   DROID_KUBE_PROXY_METRICS_PORT   kube-proxy metrics           (default 10249)
#   DROID_KUBE_PROXY_HEALTHZ_PORT   kube-proxy healthz           (default 10256)
#   DROID_NODE_NAME, DROID_NODE_IP  the node's name (default: hostname) and
#                                   address (default: that of the default route)
#   DROID_IMAGES_DIR                images imported into containerd (default build/images)
# Only one node tier can run on a machine at a time (iptables, cgroups and the
# cni0 bridge are global): up.sh refuses to start a second one.

# shellcheck source=../lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh"
CLUSTER_SCRIPTS="$ROOT_DIR/scripts/cluster"

# ---------------------------------------------------------------------------
# Components, in start order, grouped in tiers. up.sh starts the tiers it is
# given (default: control-plane) in this order; down.sh stops every component
# of every tier in the reverse order.
#
# To add a component (e.g. the node tier: containerd, kubelet, kube-proxy,
# kube-router): write components/NAME.sh defining, with FN = NAME with '-'
# replaced by '_':
#   FN_binary    print the absolute path of the program (used to find the
#                process again, so it must be the file that is exec'd)
#   FN_ports     print the TCP ports it listens on (checked free before start,
#                checked closed after stop)
#   FN_start     start it with: run_daemon NAME BINARY ARGS... where ARGS
#                name a path under $DROID_CLUSTER_DIR/ (that is how down.sh
#                tells this cluster's processes from another cluster's)
#   FN_ready     return 0 when it serves (called repeatedly; keep it quick)
#   FN_depends   optional: print the components whose restart makes up.sh
#                restart this one too
#   FN_cleanup   optional: called by down.sh after the process is gone
#                (unmounts, iptables chains, ...)
#   FN_prestop   optional: called by down.sh before it stops the process
#                (work that needs it serving, e.g. removing pods' containers)
#   FN_post      optional: called by up.sh once it is ready, on every run
#                (idempotent work that needs it serving, e.g. image imports)
# then add NAME to a tier below. A new tier also goes into CLUSTER_TIERS.
# ---------------------------------------------------------------------------
CLUSTER_TIERS=(control-plane node)
TIER_control_plane=(etcd kube-apiserver kube-controller-manager kube-scheduler)
TIER_node=(containerd kubelet kube-proxy kube-router)
# up.sh without tiers starts control-plane, plus node where node_supported
# says the machine can run it (DROID_NODE=0 or --control-plane-only: not).

# tier_components TIER prints the components of TIER, one a line.
tier_components() {
  local var="TIER_${1//-/_}[@]"
  declare -p "TIER_${1//-/_}" >/dev/null 2>&1 || die "unknown tier '$1' (known: ${CLUSTER_TIERS[*]})"
  [[ -n "${!var+x}" ]] || return 0
  printf '%s\n' "${!var}"
}

# all_components prints every component of every tier in start order.
all_components() {
  local t
  for t in "${CLUSTER_TIERS[@]}"; do tier_components "$t"; done
}

# fn NAME prints the function prefix of component NAME.
fn() { echo "${1//-/_}"; }

# ---------------------------------------------------------------------------
# Ports, paths and binaries.
# ---------------------------------------------------------------------------
APISERVER_PORT="${DROID_APISERVER_PORT:-6443}"
ETCD_PORT="${DROID_ETCD_PORT:-2379}"
ETCD_PEER_PORT="$((ETCD_PORT + 1))"
KCM_PORT="${DROID_KCM_PORT:-10257}"
SCHEDULER_PORT="${DROID_SCHEDULER_PORT:-10259}"
READY_TIMEOUT="${DROID_READY_TIMEOUT:-90}"

# Cluster networking (no ports; only matters once the node tier exists).
SERVICE_CIDR="${DROID_SERVICE_CIDR:-10.96.0.0/12}"
SERVICE_IP="${DROID_SERVICE_IP:-10.96.0.1}"     # first IP of SERVICE_CIDR: the kubernetes Service
POD_CIDR="${DROID_POD_CIDR:-10.244.0.0/16}"
# Address the apiserver publishes in the "kubernetes" Endpoints. Loopback is
# what a control plane without nodes needs; Kubernetes refuses loopback
# endpoints, so up.sh sets it to NODE_IP when it starts the node tier (pods
# reach the apiserver there, through the kubernetes Service).
APISERVER_ADVERTISE="${DROID_APISERVER_ADVERTISE:-127.0.0.1}"

# The node tier (components containerd, kubelet, kube-proxy, kube-router; node.sh).
KUBELET_PORT="${DROID_KUBELET_PORT:-10250}"
KUBELET_HEALTHZ_PORT="${DROID_KUBELET_HEALTHZ_PORT:-10248}"
KUBE_PROXY_METRICS_PORT="${DROID_KUBE_PROXY_METRICS_PORT:-10249}"
KUBE_PROXY_HEALTHZ_PORT="${DROID_KUBE_PROXY_HEALTHZ_PORT:-10256}"
NODE_NAME="${DROID_NODE_NAME:-$(hostname | tr '[:upper:]_' '[:lower:]-')}"   # a DNS-1123 name
# default_route_ip prints the IPv4 address of the default route's interface.
default_route_ip() {
  local dev
  dev=$(ip -4 route show default 2>/dev/null | awk '{for (i = 1; i < NF; i++) if ($i == "dev") { print $(i + 1); exit }}')
  [[ -n "$dev" ]] || return 0
  ip -4 -o addr show dev "$dev" scope global 2>/dev/null | awk '{ sub(/\/.*/, "", $4); print $4; exit }'
}
NODE_IP="${DROID_NODE_IP:-$(default_route_ip)}"
IMAGES_DIR="${DROID_IMAGES_DIR:-$ROOT_DIR/build/images}"

DROID_CLUSTER_DIR=$(realpath -m "$DROID_CLUSTER_DIR")   # absolute: it identifies our processes
PKI="$DROID_CLUSTER_DIR/pki"
LOGS="$DROID_CLUSTER_DIR/logs"
RUN="$DROID_CLUSTER_DIR/run"
ADMIN_KUBECONFIG="$DROID_CLUSTER_DIR/admin.kubeconfig"
# A marker file: down.sh --purge only deletes a directory that holds it.
CLUSTER_MARKER="$DROID_CLUSTER_DIR/.droid-cluster"

K8S_BIN="$DROID_BIN/kubernetes-$KUBERNETES_VERSION"
ETCD_BIN="$DROID_BIN/etcd-$ETCD_VERSION"

# Node tier state, all under the cluster dir (down.sh --purge removes it).
CONTAINERD_DIR="$DROID_CLUSTER_DIR/containerd"
CONTAINERD_SOCK="$CONTAINERD_DIR/containerd.sock"
KUBELET_DIR="$DROID_CLUSTER_DIR/kubelet"
CNI_DIR="$DROID_CLUSTER_DIR/cni"

# Load the component definitions and the node tier's host helpers.
# shellcheck source=node.sh
. "$CLUSTER_SCRIPTS/node.sh"
# shellcheck source=coredns.sh
. "$CLUSTER_SCRIPTS/coredns.sh"
for _f in "$CLUSTER_SCRIPTS"/components/*.sh; do
  # shellcheck source=/dev/null
  . "$_f"
done
unset _f

# ---------------------------------------------------------------------------
# Processes. A component's process is known by its pid file; the pid counts
# only while /proc/PID/exe is the component's binary, so a stale pid file
# never points at an unrelated process.
# ---------------------------------------------------------------------------

# exe_of PID prints the program a process runs ("" when it is gone).
exe_of() {
  local exe
  exe=$(readlink "/proc/$1/exe" 2>/dev/null) || return 0
  echo "${exe% (deleted)}"   # a rebuilt binary still identifies its old process
}

# binary_of NAME prints the real path of NAME's program (symlinks resolved,
# as /proc/PID/exe shows it).
binary_of() { readlink -f "$("$(fn "$1")_binary")"; }

# component_pid NAME prints the pid of NAME when it runs, else nothing.
component_pid() {
  local name=$1 pid
  [[ -f "$RUN/$name.pid" ]] || return 0
  pid=$(<"$RUN/$name.pid")
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  if [[ "$(exe_of "$pid")" == "$(binary_of "$name")" ]]; then echo "$pid"; fi
}

# orphan_pids NAME prints pids running NAME's binary for THIS cluster that the
# pid file does not know about (the pid file was lost). A process belongs to
# this cluster when its command line mentions $DROID_CLUSTER_DIR/, which every
# component's flags do; a second cluster's processes never match.
orphan_pids() {
  local name=$1 bin known link target pid
  bin=$(binary_of "$name"); known=$(component_pid "$name")
  { find /proc/[0-9]*/exe -maxdepth 0 -printf '%p %l\n' 2>/dev/null || true; } |
    while read -r link target; do
      pid=${link#/proc/}; pid=${pid%/exe}
      [[ "${target% (deleted)}" == "$bin" && "$pid" != "$known" ]] || continue
      if tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$DROID_CLUSTER_DIR/"; then
        echo "$pid"
      fi
    done
}

# fingerprint ARGS... prints the command line followed by the checksums of
# the cluster's files it names (certs, keys, kubeconfigs): when either
# changes, the running process is out of date.
fingerprint() {
  local a f
  printf '%s\n' "$@"
  for a in "$@"; do
    f=${a#*=}
    if [[ "$f" == "$DROID_CLUSTER_DIR"/* && -f "$f" ]]; then sha256sum "$f"; fi
  done
}

# run_daemon NAME BINARY ARGS... makes sure NAME runs exactly this command:
# left alone when it already does (LAUNCHED=0), else (re)started (LAUNCHED=1)
# in its own session so that it outlives the calling script, logging to
# $LOGS/NAME.log (the previous log is kept as NAME.log.1).
LAUNCHED=0
run_daemon() {
  local name=$1 pid want port; shift
  [[ -x "$1" ]] || die "$name: $1 is missing: run scripts/build-tools.sh first"
  mkdir -p "$LOGS" "$RUN"
  want=$(fingerprint "$@")
  pid=$(component_pid "$name")
  if [[ -n "$pid" && -z "$(orphan_pids "$name")" ]]; then
    if [[ "$want" == "$(cat "$RUN/$name.cmd" 2>/dev/null)" ]]; then
      step "$name already running (pid $pid)"
      LAUNCHED=0; return 0
    fi
    step "$name: flags or files changed since it started: restarting"
  fi
  stop_component "$name"
  for port in $("$(fn "$name")_ports"); do
    # A multi-threaded process whose leader is already a zombie may still hold
    # its sockets for a moment while its threads exit: wait for them briefly.
    local i
    for ((i = 0; i < 50; i++)); do
      [[ -n "$(port_listeners "$port")" ]] || break
      sleep 0.2
    done
    [[ -z "$(port_listeners "$port")" ]] ||
      die "$name: port $port is taken by another process (choose other DROID_*_PORT values):
$(port_listeners "$port")"
  done
  [[ -f "$LOGS/$name.log" ]] && mv -f "$LOGS/$name.log" "$LOGS/$name.log.1"
  printf '=== %s: %s\n' "$(date -u +%FT%TZ)" "$*" >"$LOGS/$name.log"
  (
    # Close inherited descriptors beyond stderr, so nothing waiting on the
    # caller's pipes (e.g. $(up.sh)) also waits for the daemon.
    for fd in /proc/self/fd/*; do
      fd=${fd##*/}
      if [[ $fd -gt 2 ]]; then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    exec setsid "$@" </dev/null >>"$LOGS/$name.log" 2>&1
  ) &
  echo $! >"$RUN/$name.pid"
  printf '%s\n' "$want" >"$RUN/$name.cmd"
  step "$name started (pid $!, log $LOGS/$name.log)"
  LAUNCHED=1
}

# stop_pid NAME PID... sends SIGTERM, waits up to 20s, then sends SIGKILL.
stop_pid() {
  local name=$1 p i alive; shift
  kill -TERM "$@" 2>/dev/null || true
  kill -CONT "$@" 2>/dev/null || true   # a stopped process cannot act on SIGTERM
  for ((i = 0; i < 100; i++)); do
    alive=()
    for p in "$@"; do [[ -d /proc/$p ]] && [[ "$(cut -d' ' -f3 /proc/"$p"/stat 2>/dev/null)" != Z ]] && alive+=("$p"); done
    [[ ${#alive[@]} -eq 0 ]] && return 0
    sleep 0.2
  done
  warn "$name did not stop on SIGTERM within 20s: sending SIGKILL to ${alive[*]}"
  kill -KILL "${alive[@]}" 2>/dev/null || true
  sleep 0.5
}

# stop_component NAME stops NAME (pid file and orphans) and forgets its pid.
stop_component() {
  local name=$1 pids
  mapfile -t pids < <(component_pid "$name"; orphan_pids "$name")
  if [[ ${#pids[@]} -gt 0 ]]; then
    step "stopping $name (pid ${pids[*]})"
    stop_pid "$name" "${pids[@]}"
  fi
  rm -f "$RUN/$name.pid" "$RUN/$name.cmd"
}

# ---------------------------------------------------------------------------
# Ports and readiness.
# ---------------------------------------------------------------------------

# port_listeners PORT prints the `ss` lines of TCP listeners on PORT.
port_listeners() { ss -Hltnp "sport = :$1" 2>/dev/null; }

# tail_log NAME prints the end of NAME's log to stderr, indented.
tail_log() {
  local f="$LOGS/$1.log"
  [[ -f "$f" ]] || return 0
  printf '    --- last lines of %s ---\n' "$f" >&2
  tail -n 25 "$f" | sed 's/^/    | /' >&2
}

# wait_ready NAME [SECONDS] waits until NAME_ready succeeds; fails (status 1)
# when the process exits or SECONDS (default READY_TIMEOUT) pass.
wait_ready() {
  local name=$1 timeout=${2:-$READY_TIMEOUT} f deadline
  f=$(fn "$name"); deadline=$(( $(now_s) + timeout ))
  until "${f}_ready"; do
    if [[ -z "$(component_pid "$name")" ]]; then
      # Just started: /proc/PID/exe may still be setsid for an instant.
      local pid; pid=$(cat "$RUN/$name.pid" 2>/dev/null || true)
      if [[ -z "$pid" || ! -d /proc/$pid ]]; then
        warn "$name exited"; return 1
      fi
    fi
    if (( $(now_s) >= deadline )); then
      warn "$name not ready after ${timeout}s"; return 1
    fi
    sleep 0.3
  done
}

# https_ok URL CA [CERT KEY] succeeds when URL answers 200 "ok"-ish within 2s.
https_ok() {
  local url=$1 ca=$2 cert=${3:-} key=${4:-}
  local args=(--silent --fail --max-time 2 --cacert "$ca")
  [[ -n "$cert" ]] && args+=(--cert "$cert" --key "$key")
  curl "${args[@]}" "$url" >/dev/null 2>&1
}
