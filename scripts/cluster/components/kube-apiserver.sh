# shellcheck shell=bash
# Component: kube-apiserver on 127.0.0.1:DROID_APISERVER_PORT with RBAC and
# Node authorization, Pod Security admission, admission webhooks (on by
# default), service-account tokens, the aggregation layer (front proxy) and
# etcd over mutual TLS. Sourced by common.sh; see the interface there.
#
# --shutdown-watch-termination-grace-period: without it, SIGTERM leaves open
# watches (its own informers, the controllers') hanging until the HTTP
# server's 60s shutdown deadline; with it the apiserver closes them and exits
# in about 2s.

kube_apiserver_binary() { echo "$K8S_BIN/kube-apiserver"; }
kube_apiserver_ports() { echo "$APISERVER_PORT"; }

kube_apiserver_start() {
  # Kubernetes refuses loopback addresses in the "kubernetes" Endpoints and
  # would log that every 10s: with a loopback advertise address, publish none.
  # With the node tier, pods reach it at the advertised (node) address through
  # the kubernetes Service, so it listens on every address, not just loopback.
  local reconciler=lease bind=0.0.0.0
  [[ "$APISERVER_ADVERTISE" == 127.* ]] && reconciler=none bind=127.0.0.1
  run_daemon kube-apiserver "$(kube_apiserver_binary)" \
    --bind-address="$bind" \
    --secure-port="$APISERVER_PORT" \
    --advertise-address="$APISERVER_ADVERTISE" \
    --endpoint-reconciler-type="$reconciler" \
    --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
    --client-ca-file="$PKI/ca.crt" \
    --etcd-servers="https://127.0.0.1:$ETCD_PORT" \
    --etcd-cafile="$PKI/etcd/ca.crt" \
    --etcd-certfile="$PKI/apiserver-etcd-client.crt" --etcd-keyfile="$PKI/apiserver-etcd-client.key" \
    --authorization-mode=Node,RBAC \
    --enable-admission-plugins=NodeRestriction,PodSecurity \
    --allow-privileged=true \
    --service-cluster-ip-range="$SERVICE_CIDR" \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$PKI/sa.pub" \
    --service-account-signing-key-file="$PKI/sa.key" \
    --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" \
    --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
    --requestheader-client-ca-file="$PKI/front-proxy-ca.crt" \
    --requestheader-allowed-names=front-proxy-client \
    --requestheader-username-headers=X-Remote-User \
    --requestheader-group-headers=X-Remote-Group \
    --requestheader-extra-headers-prefix=X-Remote-Extra- \
    --requestheader-uid-headers=X-Remote-Uid \
    --proxy-client-cert-file="$PKI/front-proxy-client.crt" \
    --proxy-client-key-file="$PKI/front-proxy-client.key" \
    --enable-aggregator-routing=true \
    --profiling=false \
    --shutdown-watch-termination-grace-period=5s
}

kube_apiserver_ready() {
  https_ok "https://127.0.0.1:$APISERVER_PORT/readyz" "$PKI/ca.crt" "$PKI/admin.crt" "$PKI/admin.key"
}
