# shellcheck shell=bash
# Component: kube-scheduler on 127.0.0.1:DROID_SCHEDULER_PORT, no leader
# election. Sourced by common.sh; see the interface there.

kube_scheduler_binary() { echo "$K8S_BIN/kube-scheduler"; }
kube_scheduler_depends() { echo kube-apiserver; }
kube_scheduler_ports() { echo "$SCHEDULER_PORT"; }

kube_scheduler_start() {
  local kc="$DROID_CLUSTER_DIR/kubeconfig/kube-scheduler.kubeconfig"
  run_daemon kube-scheduler "$(kube_scheduler_binary)" \
    --kubeconfig="$kc" \
    --authentication-kubeconfig="$kc" \
    --authorization-kubeconfig="$kc" \
    --bind-address=127.0.0.1 \
    --secure-port="$SCHEDULER_PORT" \
    --tls-cert-file="$PKI/kube-scheduler-serving.crt" \
    --tls-private-key-file="$PKI/kube-scheduler-serving.key" \
    --client-ca-file="$PKI/ca.crt" \
    --requestheader-client-ca-file="$PKI/front-proxy-ca.crt" \
    --leader-elect=false \
    --profiling=false
}

kube_scheduler_ready() {
  https_ok "https://127.0.0.1:$SCHEDULER_PORT/readyz" "$PKI/ca.crt"
}
