#!/usr/bin/env bash
# scripts/cluster/with-cluster.sh, which the cluster test tiers of scripts/test.sh run
# through, leaves nothing behind on any path: after (1) the command failing, (2) SIGTERM
# while the command runs and (3) up.sh failing half-way (the apiserver's port taken, etcd
# already started), no process of the cluster runs, none of its ports listens and its state
# dir is gone. A control plane of its own (state dir and ports below); label controlplane.
set -euo pipefail
ROOT_DIR=$(cd "$(dirname "$0")/../../.." && pwd)
. "$ROOT_DIR/scripts/lib.sh"
DIR=$(realpath -m "$DROID_CACHE/cluster-cleanup-test")
PORTS=(28443 24379 24380 22257 22259)
CLUSTER_ENV=(DROID_CLUSTER_DIR="$DIR" DROID_APISERVER_PORT=28443 DROID_ETCD_PORT=24379
  DROID_KCM_PORT=22257 DROID_SCHEDULER_PORT=22259 DROID_NODE=0)
KUBECTL="$DROID_BIN/kubernetes-$KUBERNETES_VERSION/kubectl"
WITH_CLUSTER=(env "${CLUSTER_ENV[@]}" "$ROOT_DIR/scripts/cluster/with-cluster.sh")
MARK=$(mktemp -d)
trap 'rm -rf "$MARK"; [[ -z "${listener:-}" ]] || kill "$listener" 2>/dev/null || true' EXIT
passed=0 failed=0

# left [PORT...] prints what the cluster left: processes naming its dir, listeners on its
# ports (but the ones given, which the test itself holds), the dir.
left() {
  local p
  pgrep -af -- "$DIR/" | grep -v -e "pgrep" -e "$0" | sed 's/^/process: /' || true
  for p in "${PORTS[@]}"; do
    [[ " $* " == *" $p "* ]] && continue
    ss -Hltn "sport = :$p" | grep -q . && echo "port $p listens"
  done
  [[ ! -e "$DIR" ]] || echo "state dir $DIR is still there"
  return 0
}

# check NAME WANT_RC GOT_RC [PORT...]
check() {
  local name=$1 want=$2 got=$3 what; shift 3
  what=$(left "$@")
  if [[ "$got" == "$want" && -z "$what" ]]; then
    echo "[  OK  ] $name: exit $got, nothing left"
    passed=$((passed + 1))
  else
    echo "[ FAIL ] $name: exit $got (want $want)${what:+; left: }$what"
    failed=$((failed + 1))
  fi
}

[[ -z "$(left)" ]] || { "${WITH_CLUSTER[@]}" -- true >/dev/null 2>&1 || true; }

# 1. The command fails (after seeing a running cluster).
rc=0
"${WITH_CLUSTER[@]}" -- sh -c '"$0" get --raw /readyz >/dev/null && touch "$1/saw-cluster" && exit 7' \
  "$KUBECTL" "$MARK" || rc=$?
[[ -f "$MARK/saw-cluster" ]] || { echo "[ FAIL ] the command did not reach the cluster"; failed=$((failed + 1)); }
check "the command fails" 7 "$rc"

# 2. SIGTERM while the command runs.
"${WITH_CLUSTER[@]}" -- sh -c 'touch "$0/running"; exec sleep 600' "$MARK" &
pid=$!
for _ in $(seq 600); do [[ -f "$MARK/running" ]] && break; kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
[[ -f "$MARK/running" ]] || echo "the command never started"
kill -TERM "$pid"
rc=0; wait "$pid" || rc=$?
check "SIGTERM while the command runs" 143 "$rc"

# 3. up.sh fails: the apiserver's port is taken (etcd has started by then).
python3 -c 'import socket, time; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 28443)); s.listen(); time.sleep(600)' &
listener=$!
for _ in $(seq 50); do ss -Hltn "sport = :28443" | grep -q . && break; sleep 0.1; done
rc=0
"${WITH_CLUSTER[@]}" -- true || rc=$?
kill "$listener"; wait "$listener" 2>/dev/null || true; listener=
check "up.sh fails half-way" 1 "$rc" 28443

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
