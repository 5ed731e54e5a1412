# shellcheck shell=bash
# shellcheck disable=SC2154  # K8S_BIN, the paths and step/die come from common.sh
# Cluster DNS of the node tier, sourced by common.sh: CoreDNS (built from its Go
# module by scripts/build-tools.sh coredns) runs as a pod in kube-system with
# label k8s-app=kube-dns behind the Service kube-dns ($DNS_IP), as in a kubeadm
# cluster, so that NetworkPolicies allowing DNS to those pods (the runner's)
# apply. Its image (the static binary alone, from scratch) is made with buildah
# next to the binary and imported like the others. It answers for
# cluster.local (Services, pods) and forwards nothing (no upstream here).
# Without the binary there is no cluster DNS (clusterDNS stays empty).

DNS_IP="${DROID_DNS_IP:-10.96.0.10}"
COREDNS_BIN="$DROID_BIN/coredns-$COREDNS_VERSION"
COREDNS_IMAGE="localhost/droid/coredns:$COREDNS_VERSION"

# coredns_enabled succeeds when CoreDNS is built (and DROID_DNS is not 0).
coredns_enabled() { [[ "${DROID_DNS:-1}" != 0 && -x "$COREDNS_BIN/coredns" ]]; }

# coredns_image makes $COREDNS_BIN/image.tar (docker-archive of $COREDNS_IMAGE)
# unless it exists for the current binary.
coredns_image() {
  local tar="$COREDNS_BIN/image.tar" stamp="$COREDNS_BIN/image.sha256" sum c
  sum=$(sha256sum "$COREDNS_BIN/coredns" | cut -d' ' -f1)
  [[ -f "$tar" && "$(cat "$stamp" 2>/dev/null)" == "$sum" ]] && return 0
  need buildah
  step "making the image $COREDNS_IMAGE (buildah, from scratch)"
  c=$(buildah from scratch)
  buildah copy "$c" "$COREDNS_BIN/coredns" /coredns >/dev/null
  buildah config --entrypoint '["/coredns"]' --port 53/udp --port 53/tcp "$c"
  buildah commit -q "$c" "$COREDNS_IMAGE" >/dev/null
  buildah rm "$c" >/dev/null
  rm -f "$tar"
  buildah push -q "$COREDNS_IMAGE" "docker-archive:$tar:$COREDNS_IMAGE"
  buildah rmi "$COREDNS_IMAGE" >/dev/null 2>&1 || true
  echo "$sum" >"$stamp"
}

# coredns_deploy applies CoreDNS's objects and waits until it answers.
coredns_deploy() {
  local t0 kubectl=("$K8S_BIN/kubectl" --kubeconfig "$ADMIN_KUBECONFIG")
  t0=$(now_s)
  coredns_image
  node_import_archive "$COREDNS_BIN/image.tar" coredns
  "${kubectl[@]}" apply --server-side --force-conflicts --field-manager droid-cluster -f - >/dev/null <<EOF
apiVersion: v1
kind: ServiceAccount
metadata: {name: coredns, namespace: kube-system}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "system:coredns"}
rules:
- {apiGroups: [""], resources: [endpoints, services, pods, namespaces], verbs: [list, watch]}
- {apiGroups: [discovery.k8s.io], resources: [endpointslices], verbs: [list, watch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "system:coredns"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:coredns"}
subjects:
- {kind: ServiceAccount, name: coredns, namespace: kube-system}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: coredns, namespace: kube-system}
data:
  Corefile: |
    .:53 {
        errors
        health :8080
        ready :8181
        kubernetes cluster.local in-addr.arpa ip6.arpa {
            pods insecure
            fallthrough in-addr.arpa ip6.arpa
            ttl 30
        }
        cache 30
        reload
        loadbalance
    }
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: coredns, namespace: kube-system, labels: {k8s-app: kube-dns}}
spec:
  replicas: 1
  selector: {matchLabels: {k8s-app: kube-dns}}
  template:
    metadata: {labels: {k8s-app: kube-dns}}
    spec:
      serviceAccountName: coredns
      dnsPolicy: Default
      priorityClassName: system-cluster-critical
      terminationGracePeriodSeconds: 5
      containers:
      - name: coredns
        image: $COREDNS_IMAGE
        imagePullPolicy: Never
        args: [-conf, /etc/coredns/Corefile]
        ports:
        - {name: dns, containerPort: 53, protocol: UDP}
        - {name: dns-tcp, containerPort: 53, protocol: TCP}
        securityContext:
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          capabilities: {add: [NET_BIND_SERVICE], drop: [ALL]}
        readinessProbe: {httpGet: {path: /ready, port: 8181}, periodSeconds: 2}
        livenessProbe: {httpGet: {path: /health, port: 8080}, initialDelaySeconds: 10, periodSeconds: 10}
        resources:
          requests: {cpu: 50m, memory: 40Mi}
          limits: {memory: 170Mi}
        volumeMounts: [{name: config, mountPath: /etc/coredns, readOnly: true}]
      volumes: [{name: config, configMap: {name: coredns}}]
---
apiVersion: v1
kind: Service
metadata: {name: kube-dns, namespace: kube-system, labels: {k8s-app: kube-dns}}
spec:
  clusterIP: $DNS_IP
  selector: {k8s-app: kube-dns}
  ports:
  - {name: dns, port: 53, protocol: UDP}
  - {name: dns-tcp, port: 53, protocol: TCP}
EOF
  "${kubectl[@]}" -n kube-system rollout status deployment/coredns --timeout="${READY_TIMEOUT}s" >/dev/null ||
    die "CoreDNS did not become ready: kubectl -n kube-system describe pod -l k8s-app=kube-dns"
  step "cluster DNS ready at $DNS_IP (CoreDNS $COREDNS_VERSION, $(elapsed "$t0"))"
}
