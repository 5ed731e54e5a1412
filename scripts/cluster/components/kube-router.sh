# shellcheck shell=bash
# Component: kube-router (tools/kube-router, scripts/build-tools.sh kube-router)
# as the node tier's NetworkPolicy controller, in firewall-only mode: no routes,
# no service proxy (kube-proxy is that), no listener (health and metrics ports
# off: its health server would listen on every address). It programs iptables
# chains KUBE-ROUTER-{INPUT,FORWARD,OUTPUT}, KUBE-POD-FW-*, KUBE-NWPLCY-* and
# ipsets KUBE-SRC-*/KUBE-DST-* with the host's iptables (the backend kube-proxy
# uses); down.sh removes them (node_iptables_cleanup, node_ipsets_cleanup in
# node.sh). It reads the API as system:kube-router (its own certificate,
# pki.sh) with the ClusterRole droid:kube-router below: read-only, and only
# what its informers list and watch. Ready once it has finished a full sync
# since it started (its log, at -v=1, says so).
# Sourced by common.sh; see the interface there.

kube_router_binary() { echo "$DROID_BIN/kube-router-$KUBE_ROUTER_VERSION/kube-router"; }
kube_router_depends() { echo kube-apiserver; }
kube_router_ports() { :; }

# kube-router starts informers for services, endpoints, endpointslices, pods,
# nodes, namespaces and networkpolicies whatever mode it runs in, and waits for
# all of them; it reads its own Node by name. Nothing else: no writes, no
# secrets, no events.
kube_router_rbac() {
  "$K8S_BIN/kubectl" --kubeconfig "$ADMIN_KUBECONFIG" apply --server-side --field-manager droid-cluster -f - >/dev/null <<'EOF'
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "droid:kube-router"}
rules:
- {apiGroups: [""], resources: [nodes], verbs: [get, list, watch]}
- {apiGroups: [""], resources: [pods, namespaces, services, endpoints], verbs: [list, watch]}
- {apiGroups: [discovery.k8s.io], resources: [endpointslices], verbs: [list, watch]}
- {apiGroups: [networking.k8s.io], resources: [networkpolicies], verbs: [list, watch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "droid:kube-router"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "droid:kube-router"}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: "system:kube-router"}
EOF
  # What netpol.py (the controller before kube-router) left in an older cluster dir.
  "$K8S_BIN/kubectl" --kubeconfig "$ADMIN_KUBECONFIG" delete --ignore-not-found \
    clusterrolebinding/droid:netpol clusterrole/droid:netpol >/dev/null 2>&1 || true
}

kube_router_start() {
  [[ -x "$(kube_router_binary)" ]] ||
    die "kube-router: $(kube_router_binary) is missing: run scripts/build-tools.sh kube-router (the node tier does not run without NetworkPolicy enforcement)"
  command -v ipset >/dev/null 2>&1 || die "kube-router needs ipset: run 'make setup'"
  kube_router_rbac || die "kube-router: could not apply its ClusterRole and binding"
  # NODE_NAME is the first name kube-router looks its Node up by.
  NODE_NAME="$NODE_NAME" run_daemon kube-router "$(kube_router_binary)" \
    --kubeconfig="$DROID_CLUSTER_DIR/kubeconfig/kube-router.kubeconfig" \
    --run-firewall=true --run-router=false --run-service-proxy=false \
    --hostname-override="$NODE_NAME" \
    --service-cluster-ip-range="$SERVICE_CIDR" \
    --health-port=0 --metrics-port=0 \
    --v=1
}

# kube_router_synced LOG succeeds when the last full sync in LOG (since its
# start) that has ended ended without an error: kube-router logs "Starting sync
# of iptables", then "sync iptables took" when it ends, with an "Aborting sync"
# or "Failed to cleanup stale ipsets" error in between when it failed.
kube_router_synced() {
  awk '/Starting sync of iptables with version/ { running = 1; failed = 0 }
       /Aborting sync|Failed to cleanup stale ipsets/ { if (running) failed = 1 }
       /sync iptables took/ { if (running) { ok = !failed; running = 0 } }
       END { exit ok ? 0 : 1 }' "$1" 2>/dev/null
}

kube_router_ready() { kube_router_synced "$LOGS/kube-router.log"; }
