#!/usr/bin/env bash
# Generates, with openssl, the certificates, keys and kubeconfigs of the local
# cluster under $DROID_CLUSTER_DIR/pki (see common.sh for the variables).
# Idempotent: a file that exists, matches its key, chains to its CA, has the
# subject/SANs asked for and is valid for 30 more days is kept; anything else
# is (re)issued. up.sh runs it; run it by hand to inspect or renew:
#
#   scripts/cluster/pki.sh
#
# Layout (pki/):
#   ca.{crt,key}                       cluster CA: client certs, serving certs
#   etcd/ca.{crt,key}                  etcd CA
#   etcd/server.{crt,key}              etcd serving and peer cert (127.0.0.1)
#   apiserver-etcd-client.{crt,key}    apiserver -> etcd (etcd CA)
#   apiserver.{crt,key}                apiserver serving cert
#   apiserver-kubelet-client.{crt,key} apiserver -> kubelet (node tier)
#   admin.{crt,key}                    O=system:masters
#   kube-controller-manager[-serving].{crt,key}
#   kube-scheduler[-serving].{crt,key}
#   front-proxy-ca.{crt,key}, front-proxy-client.{crt,key}   aggregation layer
#   sa.{key,pub}                       service-account token signing pair
#   kubelet.{crt,key}                  node client: O=system:nodes, CN=system:node:$NODE_NAME
#   kubelet-serving.{crt,key}          kubelet API serving cert ($NODE_IP, $NODE_NAME)
#   kube-proxy.{crt,key}               CN=system:kube-proxy (bound to system:node-proxier)
#   kube-router.{crt,key}              CN=system:kube-router (components/kube-router.sh binds its role)
# Kubeconfigs (client certs embedded): $DROID_CLUSTER_DIR/admin.kubeconfig,
# $DROID_CLUSTER_DIR/kubeconfig/{kube-controller-manager,kube-scheduler,kubelet,kube-proxy,kube-router}.kubeconfig
set -euo pipefail
. "$(dirname "$0")/common.sh"
need openssl base64

CA_DAYS=3650
LEAF_DAYS=365
RENEW_BEFORE=$((30 * 24 * 3600))   # re-issue a leaf with less than 30 days left

mkdir -p "$PKI/etcd" "$DROID_CLUSTER_DIR/kubeconfig"
chmod 700 "$DROID_CLUSTER_DIR" "$PKI"
touch "$CLUSTER_MARKER"
umask 077
ISSUED=0

# new_key FILE writes a fresh ECDSA P-256 key.
new_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# key_matches CRT KEY succeeds when KEY is the private key of CRT.
key_matches() {
  [[ "$(openssl x509 -in "$1" -noout -pubkey 2>/dev/null)" == "$(openssl pkey -in "$2" -pubout 2>/dev/null)" ]]
}

# ca NAME CN makes the self-signed CA pki/NAME.{crt,key} unless a valid one exists.
ca() {
  local name=$1 cn=$2 crt="$PKI/$1.crt" key="$PKI/$1.key"
  if [[ -f "$crt" && -f "$key" ]] && key_matches "$crt" "$key" &&
     openssl x509 -in "$crt" -noout -checkend $((365 * 24 * 3600)) >/dev/null 2>&1; then
    return 0
  fi
  step "issuing CA $name ($cn)"
  new_key "$key"
  openssl req -x509 -new -key "$key" -sha256 -days "$CA_DAYS" -subj "/CN=$cn" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
    -addext "subjectKeyIdentifier=hash" -out "$crt" 2>/dev/null
  ISSUED=$((ISSUED + 1))
}

# cert NAME CA SUBJECT EKU [SAN] issues pki/NAME.{crt,key} signed by pki/CA,
# with SUBJECT like "/O=system:masters/CN=admin", EKU serverAuth and/or
# clientAuth, and SAN like "IP:127.0.0.1,DNS:localhost".
cert() {
  local name=$1 ca=$2 subj=$3 eku=$4 san=${5:-}
  local crt="$PKI/$name.crt" key="$PKI/$name.key" ext="$PKI/$name.ext"
  local want="basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=$eku
authorityKeyIdentifier=keyid
${san:+subjectAltName=$san
}# subject: $subj"
  if [[ -f "$crt" && -f "$key" && "$(cat "$ext" 2>/dev/null)" == "$want" ]] && key_matches "$crt" "$key" &&
     openssl verify -CAfile "$PKI/$ca.crt" "$crt" >/dev/null 2>&1 &&
     openssl x509 -in "$crt" -noout -checkend "$RENEW_BEFORE" >/dev/null 2>&1; then
    return 0
  fi
  step "issuing $name ($subj${san:+, $san})"
  printf '%s\n' "$want" >"$ext"
  [[ -f "$key" ]] || new_key "$key"
  openssl req -new -key "$key" -subj "$subj" 2>/dev/null |
    openssl x509 -req -CA "$PKI/$ca.crt" -CAkey "$PKI/$ca.key" -set_serial "0x$(openssl rand -hex 16)" \
      -sha256 -days "$LEAF_DAYS" -extfile "$ext" -out "$crt" 2>/dev/null
  ISSUED=$((ISSUED + 1))
}

# sa_keys makes the service-account signing pair (RSA: every consumer of the
# tokens' JWKS understands RS256).
sa_keys() {
  local key="$PKI/sa.key" pub="$PKI/sa.pub"
  if [[ -f "$key" && -f "$pub" && "$(openssl pkey -in "$key" -pubout 2>/dev/null)" == "$(cat "$pub")" ]]; then
    return 0
  fi
  step "issuing service-account key pair"
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$key" 2>/dev/null
  openssl pkey -in "$key" -pubout -out "$pub"
  ISSUED=$((ISSUED + 1))
}

# kubeconfig FILE USER CERT writes a kubeconfig for pki/CERT.{crt,key} that
# talks to this cluster's apiserver; the file is replaced only on change.
kubeconfig() {
  local file=$1 user=$2 cert=$3 tmp
  tmp=$(mktemp "$file.XXXXXX")
  cat >"$tmp" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: droid
  cluster:
    server: https://127.0.0.1:$APISERVER_PORT
    certificate-authority-data: $(base64 -w0 <"$PKI/ca.crt")
users:
- name: $user
  user:
    client-certificate-data: $(base64 -w0 <"$PKI/$cert.crt")
    client-key-data: $(base64 -w0 <"$PKI/$cert.key")
contexts:
- name: $user@droid
  context:
    cluster: droid
    user: $user
current-context: $user@droid
EOF
  if cmp -s "$tmp" "$file"; then rm -f "$tmp"; else mv -f "$tmp" "$file"; step "wrote $file"; fi
}

log "certificates and kubeconfigs in $PKI"
LOCAL_SANS="IP:127.0.0.1,DNS:localhost"
# The node's address: pods reach the apiserver there (node tier), and the
# apiserver reaches the kubelet there.
NODE_SANS="${NODE_IP:+IP:$NODE_IP,}DNS:$NODE_NAME"

ca ca droid-kubernetes-ca
ca etcd/ca droid-etcd-ca
ca front-proxy-ca droid-front-proxy-ca

cert etcd/server etcd/ca "/CN=etcd" serverAuth,clientAuth "$LOCAL_SANS"
cert apiserver-etcd-client etcd/ca "/CN=kube-apiserver-etcd-client" clientAuth
cert apiserver ca "/CN=kube-apiserver" serverAuth \
  "$LOCAL_SANS,${NODE_IP:+IP:$NODE_IP,}IP:$SERVICE_IP,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
cert apiserver-kubelet-client ca "/O=system:masters/CN=kube-apiserver-kubelet-client" clientAuth
cert admin ca "/O=system:masters/CN=droid-admin" clientAuth
cert kube-controller-manager ca "/CN=system:kube-controller-manager" clientAuth
cert kube-controller-manager-serving ca "/CN=kube-controller-manager" serverAuth "$LOCAL_SANS"
cert kube-scheduler ca "/CN=system:kube-scheduler" clientAuth
cert kube-scheduler-serving ca "/CN=kube-scheduler" serverAuth "$LOCAL_SANS"
cert front-proxy-client front-proxy-ca "/CN=front-proxy-client" clientAuth
sa_keys
cert kubelet ca "/O=system:nodes/CN=system:node:$NODE_NAME" clientAuth
cert kubelet-serving ca "/CN=system:node:$NODE_NAME" serverAuth "$LOCAL_SANS,$NODE_SANS"
cert kube-proxy ca "/CN=system:kube-proxy" clientAuth
cert kube-router ca "/CN=system:kube-router" clientAuth

kubeconfig "$ADMIN_KUBECONFIG" droid-admin admin
kubeconfig "$DROID_CLUSTER_DIR/kubeconfig/kube-controller-manager.kubeconfig" system:kube-controller-manager kube-controller-manager
kubeconfig "$DROID_CLUSTER_DIR/kubeconfig/kube-scheduler.kubeconfig" system:kube-scheduler kube-scheduler
kubeconfig "$DROID_CLUSTER_DIR/kubeconfig/kubelet.kubeconfig" "system:node:$NODE_NAME" kubelet
kubeconfig "$DROID_CLUSTER_DIR/kubeconfig/kube-proxy.kubeconfig" system:kube-proxy kube-proxy
kubeconfig "$DROID_CLUSTER_DIR/kubeconfig/kube-router.kubeconfig" system:kube-router kube-router

if [[ $ISSUED -eq 0 ]]; then step "all certificates valid: reused"; else step "$ISSUED certificates or keys issued"; fi
