# shellcheck shell=bash
# Component: NetworkPolicy enforcement (scripts/cluster/netpol.py), last of the
# node tier: iptables chains DROID-NP* that allow what the NetworkPolicies of
# the node's pods allow and reject the rest. It stands in for kube-router's
# firewall-only mode, which cannot be built here (the Go module proxy refuses
# github.com/cloudnativelabs/kube-router). No listener; ready once it has
# synced since it started ($DROID_CLUSTER_DIR/netpol/synced). Its chains are
# removed by down.sh with kube-proxy's (node.sh).
# Sourced by common.sh; see the interface there.

# Debian's python3 (setup.sh), not a shim on PATH: /proc/PID/exe must be this file.
netpol_binary() { echo /usr/bin/python3; }
netpol_depends() { echo kube-apiserver; }
netpol_ports() { :; }

# It reads pods, namespaces and policies as system:droid-netpol (pki.sh).
netpol_rbac() {
  "$K8S_BIN/kubectl" --kubeconfig "$ADMIN_KUBECONFIG" apply --server-side --field-manager droid-cluster -f - >/dev/null <<'EOF'
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "droid:netpol"}
rules:
- {apiGroups: [""], resources: [pods, namespaces], verbs: [get, list, watch]}
- {apiGroups: [networking.k8s.io], resources: [networkpolicies], verbs: [get, list, watch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "droid:netpol"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "droid:netpol"}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: "system:droid-netpol"}
EOF
}

netpol_start() {
  netpol_rbac || die "netpol: could not apply its ClusterRole and binding"
  run_daemon netpol "$(netpol_binary)" "$CLUSTER_SCRIPTS/netpol.py" \
    --kubectl "$K8S_BIN/kubectl" \
    --kubeconfig "$DROID_CLUSTER_DIR/kubeconfig/netpol.kubeconfig" \
    --state-dir "$DROID_CLUSTER_DIR/netpol"
}

netpol_ready() {
  local synced="$DROID_CLUSTER_DIR/netpol/synced"
  [[ -f "$synced" && "$(stat -c %Y "$synced")" -ge "$(stat -c %Y "$RUN/netpol.pid" 2>/dev/null || echo 0)" ]]
}
