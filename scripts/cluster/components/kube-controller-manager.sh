# shellcheck shell=bash
# Component: kube-controller-manager on 127.0.0.1:DROID_KCM_PORT with all
# default controllers (garbage collector, namespace, service-account tokens,
# certificate signing, ...), one service account per controller, no leader
# election. Sourced by common.sh; see the interface there.

kube_controller_manager_binary() { echo "$K8S_BIN/kube-controller-manager"; }
kube_controller_manager_depends() { echo kube-apiserver; }
kube_controller_manager_ports() { echo "$KCM_PORT"; }

kube_controller_manager_start() {
  local kc="$DROID_CLUSTER_DIR/kubeconfig/kube-controller-manager.kubeconfig"
  run_daemon kube-controller-manager "$(kube_controller_manager_binary)" \
    --kubeconfig="$kc" \
    --authentication-kubeconfig="$kc" \
    --authorization-kubeconfig="$kc" \
    --bind-address=127.0.0.1 \
    --secure-port="$KCM_PORT" \
    --tls-cert-file="$PKI/kube-controller-manager-serving.crt" \
    --tls-private-key-file="$PKI/kube-controller-manager-serving.key" \
    --client-ca-file="$PKI/ca.crt" \
    --requestheader-client-ca-file="$PKI/front-proxy-ca.crt" \
    --leader-elect=false \
    --use-service-account-credentials=true \
    --service-account-private-key-file="$PKI/sa.key" \
    --root-ca-file="$PKI/ca.crt" \
    --cluster-signing-cert-file="$PKI/ca.crt" \
    --cluster-signing-key-file="$PKI/ca.key" \
    --service-cluster-ip-range="$SERVICE_CIDR" \
    --cluster-cidr="$POD_CIDR" \
    --allocate-node-cidrs=true \
    --profiling=false
}

kube_controller_manager_ready() {
  https_ok "https://127.0.0.1:$KCM_PORT/healthz" "$PKI/ca.crt"
}
