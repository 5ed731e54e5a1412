#!/usr/bin/env bash
# Reproduces a difference between kube-router v2.1.0 and the NetworkPolicy API
# (scripts/cluster/README.md, "Where kube-router v2.1.0 differs"): an egress rule
# with a named port and no `to` must allow any pod on its port of that name, and
# nothing else. kube-router resolves the name on the policy's own namespace only,
# then allows the number to every address.
#
#   KUBECONFIG=... scripts/cluster/kube-router-named-port-repro.sh
#
# On a cluster with the node tier (the runner image has the python3 it uses). Makes
# namespaces kr-repro-a and kr-repro-b and deletes them. Exits 0 when the cluster
# behaves as the API says, 1 when it shows the difference.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
: "${KUBECONFIG:?set KUBECONFIG to the cluster}"
K="${DROID_KUBECTL:-$DROID_BIN/kubernetes-$KUBERNETES_VERSION/kubectl}"
VERSION=$(sed -nE 's/^project\(droid-operator VERSION ([0-9.]+).*/\1/p' "$ROOT_DIR/CMakeLists.txt")
IMG="${DROID_NODE_TEST_IMAGE:-localhost/droid/runner:$VERSION}"
trap '"$K" delete namespace kr-repro-a kr-repro-b --ignore-not-found --wait=false >/dev/null' EXIT

pod() {  # NS NAME COMMAND PORTS-JSON
  "$K" -n "$1" apply -f - >/dev/null <<Y
{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "$2", "labels": {"app": "$2"}},
 "spec": {"terminationGracePeriodSeconds": 1, "automountServiceAccountToken": false,
  "containers": [{"name": "main", "image": "$IMG", "imagePullPolicy": "Never", "command": ["sh", "-c", "$3"], "ports": $4}]}}
Y
}
connects() {  # HOST PORT
  "$K" -n kr-repro-a exec client -- python3 -c \
    'import socket, sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)' "$1" "$2" 2>/dev/null
}

"$K" create namespace kr-repro-a >/dev/null
"$K" create namespace kr-repro-b >/dev/null
for _ in $(seq 30); do "$K" -n kr-repro-a get serviceaccount default >/dev/null 2>&1 && "$K" -n kr-repro-b get serviceaccount default >/dev/null 2>&1 && break; sleep 1; done
pod kr-repro-a client "sleep 3600" "[]"
pod kr-repro-a named8080 "cd /tmp && exec python3 -m http.server 8080" '[{"name": "http", "containerPort": 8080}]'
pod kr-repro-b named9090 "cd /tmp && python3 -m http.server 8080 & cd /tmp && exec python3 -m http.server 9090" \
  '[{"name": "http", "containerPort": 9090}]'
"$K" -n kr-repro-a wait --for=condition=Ready pod --all --timeout=120s >/dev/null
"$K" -n kr-repro-b wait --for=condition=Ready pod --all --timeout=120s >/dev/null
b=$("$K" -n kr-repro-b get pod named9090 -o jsonpath='{.status.podIP}')
connects "$b" 9090 && connects "$b" 8080 || die "the client cannot reach $b:9090 and :8080 even without a policy"

"$K" -n kr-repro-a apply -f - >/dev/null <<'Y'
{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "egress-named-http"},
 "spec": {"podSelector": {"matchLabels": {"app": "client"}}, "policyTypes": ["Egress"],
  "egress": [{"ports": [{"protocol": "TCP", "port": "http"}]}]}}
Y
sleep 5
differs=0
if connects "$b" 9090; then step "kr-repro-b/named9090:9090 (its port named http): connects, as the API says"
else step "kr-repro-b/named9090:9090 (its port named http): REFUSED; the API allows it"; differs=1; fi
if connects "$b" 8080; then step "kr-repro-b/named9090:8080 (not named http): CONNECTS; the API refuses it"; differs=1
else step "kr-repro-b/named9090:8080 (not named http): refused, as the API says"; fi
[[ $differs -eq 0 ]] || { warn "the cluster's NetworkPolicy controller differs from the API here"; exit 1; }
log "as the API says"
