# shellcheck shell=bash
# Component: etcd, the cluster's store. TLS with client-certificate auth on
# 127.0.0.1 for clients (port DROID_ETCD_PORT) and the peer (port + 1);
# metrics are served on the client port only (no extra listener).
# Sourced by common.sh; see the component interface there.

etcd_binary() { echo "$ETCD_BIN/etcd"; }
etcd_ports() { echo "$ETCD_PORT $ETCD_PEER_PORT"; }

etcd_start() {
  local tls="$PKI/etcd"
  mkdir -p "$DROID_CLUSTER_DIR/etcd"
  chmod 700 "$DROID_CLUSTER_DIR/etcd"
  run_daemon etcd "$(etcd_binary)" \
    --name=droid \
    --data-dir="$DROID_CLUSTER_DIR/etcd" \
    --listen-client-urls="https://127.0.0.1:$ETCD_PORT" \
    --advertise-client-urls="https://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls="https://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-advertise-peer-urls="https://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster="droid=https://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster-state=new \
    --cert-file="$tls/server.crt" --key-file="$tls/server.key" \
    --trusted-ca-file="$tls/ca.crt" --client-cert-auth=true \
    --peer-cert-file="$tls/server.crt" --peer-key-file="$tls/server.key" \
    --peer-trusted-ca-file="$tls/ca.crt" --peer-client-cert-auth=true \
    --log-level=warn
}

etcd_ready() {
  https_ok "https://127.0.0.1:$ETCD_PORT/health" "$PKI/etcd/ca.crt" \
    "$PKI/apiserver-etcd-client.crt" "$PKI/apiserver-etcd-client.key"
}
