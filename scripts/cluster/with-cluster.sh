#!/usr/bin/env bash
# Runs a command against a fresh local cluster and removes the cluster afterwards on
# every path: the command passing or failing, up.sh failing half-way, SIGINT or SIGTERM.
# The cluster test tiers of scripts/test.sh run through it.
#
#   scripts/cluster/with-cluster.sh [--node] [--stack] -- COMMAND [ARGS...]
#
#   1. down.sh --purge (a fresh etcd: the tests see only what they create), then up.sh:
#      the control plane, with --node the node tier too; with --stack, stack.sh up;
#   2. COMMAND, with KUBECONFIG set to the cluster's admin kubeconfig; its exit status
#      is this script's;
#   3. always: down.sh --purge, which fails when a process, listening port, mount or (for
#      the node tier) iptables chain or ipset of the cluster is left; then this script
#      checks that the state dir is gone.
#
# With --node, when another cluster's node tier runs on the machine (only one can, and
# `make demo` and `make cluster-up` leave one running), that cluster is stopped first and
# started again at the end (with --stack its test bed too), with the settings it was
# started with (<its dir>/cluster.env, written by up.sh); both are said on screen.
# Same environment as up.sh (DROID_CLUSTER_DIR, DROID_*_PORT).
set -euo pipefail
. "$(dirname "$0")/common.sh"

node=0 stack=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --node) node=1 ;;
    --stack) stack=1 ;;
    --) shift; break ;;
    *) die "usage: $0 [--node] [--stack] -- COMMAND [ARGS...] (unknown option $1)" ;;
  esac
  shift
done
[[ $# -gt 0 ]] || die "usage: $0 [--node] [--stack] -- COMMAND [ARGS...]"
[[ $stack -eq 0 || $node -eq 1 ]] || die "--stack needs --node (the test bed runs in pods)"

cluster() { "$CLUSTER_SCRIPTS/$1" "${@:2}"; }

# other_env DIR VAR=VALUE...: runs the rest with the settings cluster DIR was started
# with in place of ours (every DROID_* variable of this environment unset first).
other_env() {
  local dir=$1 unset_args=() v; shift
  for v in $(compgen -e); do [[ $v != DROID_* ]] || unset_args+=(-u "$v"); done
  env "${unset_args[@]}" bash -c 'set -a; [[ ! -f "$0/cluster.env" ]] || . "$0/cluster.env"; set +a
    export DROID_CLUSTER_DIR="$0"; exec "$@"' "$dir" "$@"
}

child=
finished=0
# finish: stops the command if it still runs, removes the cluster, checks that nothing is
# left, and starts the paused cluster again. Runs once, from the EXIT trap.
finish() {
  local rc=$? problems=0
  [[ $finished -eq 0 ]] || return 0
  finished=1
  trap '' INT TERM
  if [[ -n "$child" ]] && kill -0 "$child" 2>/dev/null; then
    step "stopping the command (pid $child)"
    kill -TERM "$child" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$child" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$child" 2>/dev/null || true
  fi
  log "removing the cluster in $DROID_CLUSTER_DIR"
  cluster down.sh --purge || problems=1
  if [[ -e "$DROID_CLUSTER_DIR" ]]; then
    warn "$DROID_CLUSTER_DIR is still there"
    problems=1
  fi
  if [[ -n "$paused" ]]; then
    log "starting the cluster in $paused again (stopped for these tests)"
    if other_env "$paused" "$CLUSTER_SCRIPTS/up.sh" control-plane node >/dev/null &&
      { [[ $had_stack -eq 0 ]] || other_env "$paused" "$CLUSTER_SCRIPTS/stack.sh" up; }; then
      step "the cluster in $paused runs again"
    else
      warn "could not start the cluster in $paused again: make cluster-up (with its settings) starts it"
      problems=1
    fi
  fi
  [[ $problems -eq 0 || $rc -ne 0 ]] || rc=1
  exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Another cluster whose node tier runs: stopped now, started again by finish().
paused= had_stack=0
if [[ $node -eq 1 ]]; then
  owner=$(node_owner)
  if [[ -n "$owner" && "$owner" != "$DROID_CLUSTER_DIR" && -n "$(node_pids_in "$owner")" ]]; then
    [[ -f "$owner/cluster.env" || "$owner" == "$(realpath -m "$DROID_CACHE/cluster")" ]] ||
      die "the node tier of the cluster in $owner runs, and only one can per machine; it was started without
    $owner/cluster.env, so it could not be started again the same way: stop it yourself first
    (DROID_CLUSTER_DIR=$owner scripts/cluster/down.sh, with the ports it was started with)"
    log "the cluster in $owner runs its node tier (make demo or make cluster-up), and only one can per machine:
    stopping that cluster for these tests; it is started again after them (its data is kept)"
    [[ ! -f "$owner/stack/stack.json" ]] || had_stack=1
    paused=$owner   # from here on, finish() starts it again whatever happens
    other_env "$owner" "$CLUSTER_SCRIPTS/down.sh"
  fi
fi

cluster down.sh --purge
tiers=(control-plane)
[[ $node -eq 0 ]] || tiers+=(node)
KUBECONFIG=$(cluster up.sh "${tiers[@]}" | tail -n 1)
export KUBECONFIG
[[ $stack -eq 0 ]] || cluster stack.sh up
# In the background, so that a signal is acted on at once (finish stops the command).
"$@" &
child=$!
wait "$child"
