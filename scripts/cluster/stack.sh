#!/usr/bin/env bash
# The in-cluster test bed of the node tier (issue 6), on a cluster started by up.sh with
# its node tier: what the end-to-end tests (tests/e2e/node) and the demo run sessions
# against.
#
#   scripts/cluster/stack.sh up       install or update everything (idempotent)
#   scripts/cluster/stack.sh down     remove it (the cluster keeps running)
#   scripts/cluster/stack.sh status   what runs, and the info file
#   scripts/cluster/stack.sh targets  re-point prometheus at the operator pods (after a restart)
#   scripts/cluster/stack.sh stop-host  stop prometheus only (down.sh does, before the cluster)
#
# What `up` makes (same DROID_CLUSTER_DIR and ports as up.sh; images from build/images,
# imported by up.sh; nothing is pulled):
#   droid-system     helm install of charts/droid-operator (2 replicas, webhook) and its
#                    egress gateway droid-egress (2 replicas: runner pods reach only it and
#                    DNS; it holds the LLM key and the git password), images
#                    localhost/droid/*:<version> with IfNotPresent; the chart's default
#                    OrgPolicy points at the services below (gateway, telemetry, git as an
#                    egress destination) and runs runner pods under the Localhost seccomp
#                    profile. DROID_STACK_EGRESS=0: direct mode (no gateway; runner pods get
#                    the key and reach the services through the policy's network.egress)
#   droid-testbed    scripted-gateway (Deployment + Service :8080, scenario from the
#                    ConfigMap gateway-script, API key from the Secret gateway-key;
#                    GET/PUT /_gateway/requests and /_gateway/script),
#                    otel-collector (OTLP http :4318, grpc :4317; file exporter to
#                    <stack>/otel/telemetry.jsonl on the host through a hostPath),
#                    git-server (git smart HTTP :8080, sample.git; basic auth, user droid,
#                    password from the Secret git-auth: only the egress gateway has it)
#   host             prometheus (Debian package) on 127.0.0.1:$DROID_PROMETHEUS_PORT
#                    (39090), scraping the operator pods' /metrics and the egress
#                    gateway's (their pod IPs in file_sd files: Debian's build has no
#                    kubernetes_sd); config, data and log in <stack>/prometheus
# <stack> is $DROID_CLUSTER_DIR/stack; `up` writes <stack>/stack.json with the addresses
# and paths the tests read (DROID_STACK_INFO).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

STACK_DIR="$DROID_CLUSTER_DIR/stack"
KUBECONFIG_FILE="${KUBECONFIG_FILE:-$DROID_CLUSTER_DIR/admin.kubeconfig}"
KUBECTL="${DROID_KUBECTL:-$DROID_BIN/kubernetes-$KUBERNETES_VERSION/kubectl}"
HELM="${DROID_HELM:-$DROID_BIN/helm-$HELM_VERSION/helm}"
PROM_PORT="${DROID_PROMETHEUS_PORT:-39090}"
VERSION="${DROID_IMAGE_VERSION:-$(sed -nE 's/^project\(droid-operator VERSION ([0-9.]+).*/\1/p' "$ROOT_DIR/CMakeLists.txt")}"
OP_NS=droid-system
BED_NS=droid-testbed
RELEASE=droid-operator
# The gateway's model names (the OrgPolicy's gateway serves them; the scenario does not care).
MODEL="${DROID_STACK_MODEL:-deepseek-coder-v2-lite-instruct}"
# 1: runner pods go through the egress gateway (the chart's default); 0: direct mode.
EGRESS="${DROID_STACK_EGRESS:-1}"

k() { "$KUBECTL" --kubeconfig "$KUBECONFIG_FILE" "$@"; }

# wait_rollout NS DEPLOYMENT: until its pods are Ready (prints how long it took).
wait_rollout() {
  local start
  start=$(now_s)
  k -n "$1" rollout status "deployment/$2" --timeout=300s >/dev/null || {
    k -n "$1" describe pods -l "app.kubernetes.io/name=$2" | tail -n 30 >&2
    die "deployment $1/$2 did not become ready"
  }
  step "$1/$2 ready ($(elapsed "$start"))"
}

# The gateway's API key: made once, kept in the stack dir (root only), the same in both
# namespaces (the operator copies droid-system's into each session's Secret).
api_key() {
  local f="$STACK_DIR/gateway-api-key"
  if [[ ! -s $f ]]; then
    (umask 077 && head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' | sed 's/^/sk-testbed-/' >"$f")
  fi
  cat "$f"
}

# The git server's password (basic auth, user droid): made once, kept in the stack dir.
git_password() {
  local f="$STACK_DIR/git-password"
  if [[ ! -s $f ]]; then
    (umask 077 && head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$f")
  fi
  cat "$f"
}

apply_secret() {  # NS NAME KEY VALUE
  k -n "$1" create secret generic "$2" --from-literal="$3=$4" --dry-run=client -o yaml | k apply -f - >/dev/null
}

testbed_manifests() {  # the droid-testbed namespace's workloads, as YAML
  cat <<EOF
apiVersion: v1
kind: Namespace
metadata:
  name: $BED_NS
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: otelcol-config
  namespace: $BED_NS
data:
  config.yaml: |
    receivers:
      otlp:
        protocols:
          grpc: {endpoint: 0.0.0.0:4317}
          http: {endpoint: 0.0.0.0:4318}
    processors:
      batch: {timeout: 1s}
    exporters:
      debug: {verbosity: basic}
      file: {path: /data/telemetry.jsonl}
    service:
      pipelines:
        traces: {receivers: [otlp], processors: [batch], exporters: [debug, file]}
        metrics: {receivers: [otlp], processors: [batch], exporters: [debug, file]}
        logs: {receivers: [otlp], processors: [batch], exporters: [debug, file]}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: otel-collector
  namespace: $BED_NS
  labels: {app.kubernetes.io/name: otel-collector}
spec:
  replicas: 1
  strategy: {type: Recreate}
  selector: {matchLabels: {app.kubernetes.io/name: otel-collector}}
  template:
    metadata:
      labels: {app.kubernetes.io/name: otel-collector}
    spec:
      automountServiceAccountToken: false
      securityContext: {runAsUser: 65532, runAsGroup: 65532, runAsNonRoot: true}
      containers:
        - name: otelcol
          image: localhost/droid/otel-collector:$VERSION
          imagePullPolicy: Never
          args: ["--config", "/etc/otelcol-testbed/config.yaml"]
          ports:
            - {name: otlp-http, containerPort: 4318}
            - {name: otlp-grpc, containerPort: 4317}
          readinessProbe:
            tcpSocket: {port: 4318}
            periodSeconds: 2
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {drop: [ALL]}
          volumeMounts:
            - {name: config, mountPath: /etc/otelcol-testbed}
            - {name: data, mountPath: /data}
      volumes:
        - name: config
          configMap: {name: otelcol-config}
        - name: data
          hostPath: {path: $STACK_DIR/otel, type: Directory}
---
apiVersion: v1
kind: Service
metadata:
  name: otel-collector
  namespace: $BED_NS
spec:
  selector: {app.kubernetes.io/name: otel-collector}
  ports:
    - {name: otlp-http, port: 4318, targetPort: 4318}
    - {name: otlp-grpc, port: 4317, targetPort: 4317}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: scripted-gateway
  namespace: $BED_NS
  labels: {app.kubernetes.io/name: scripted-gateway}
spec:
  replicas: 1
  strategy: {type: Recreate}
  selector: {matchLabels: {app.kubernetes.io/name: scripted-gateway}}
  template:
    metadata:
      labels: {app.kubernetes.io/name: scripted-gateway}
    spec:
      automountServiceAccountToken: false
      securityContext: {runAsUser: 65532, runAsGroup: 65532, runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
      containers:
        - name: gateway
          image: localhost/droid/scripted-gateway:$VERSION
          imagePullPolicy: Never
          args: ["--script", "/etc/droid-gateway/script.json", "--listen", "http://0.0.0.0:8080"]
          env:
            - name: DROID_GATEWAY_API_KEY
              valueFrom: {secretKeyRef: {name: gateway-key, key: api-key}}
          ports: [{name: http, containerPort: 8080}]
          readinessProbe:
            httpGet: {path: /healthz, port: 8080}
            periodSeconds: 2
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {drop: [ALL]}
          volumeMounts:
            - {name: script, mountPath: /etc/droid-gateway}
            - {name: tmp, mountPath: /tmp}
      volumes:
        - name: script
          configMap: {name: gateway-script}
        - name: tmp
          emptyDir: {}
---
apiVersion: v1
kind: Service
metadata:
  name: scripted-gateway
  namespace: $BED_NS
spec:
  selector: {app.kubernetes.io/name: scripted-gateway}
  ports: [{name: http, port: 8080, targetPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: git-server
  namespace: $BED_NS
  labels: {app.kubernetes.io/name: git-server}
spec:
  replicas: 1
  strategy: {type: Recreate}
  selector: {matchLabels: {app.kubernetes.io/name: git-server}}
  template:
    metadata:
      labels: {app.kubernetes.io/name: git-server}
    spec:
      automountServiceAccountToken: false
      securityContext: {runAsUser: 65532, runAsGroup: 65532, runAsNonRoot: true, fsGroup: 65532}
      containers:
        - name: git
          image: localhost/droid/git-server:$VERSION
          imagePullPolicy: Never
          args: ["--root", "/var/lib/git", "--seed", "/srv/git-seed", "--port", "8080",
                 "--user", "droid", "--password-file", "/etc/git-auth/password"]
          ports: [{name: http, containerPort: 8080}]
          readinessProbe:
            tcpSocket: {port: 8080}
            periodSeconds: 2
          securityContext:
            allowPrivilegeEscalation: false
            capabilities: {drop: [ALL]}
          volumeMounts:
            - {name: repos, mountPath: /var/lib/git}
            - {name: auth, mountPath: /etc/git-auth, readOnly: true}
      volumes:
        - name: repos
          emptyDir: {}
        - name: auth
          secret: {secretName: git-auth}
---
apiVersion: v1
kind: Service
metadata:
  name: git-server
  namespace: $BED_NS
spec:
  selector: {app.kubernetes.io/name: git-server}
  ports: [{name: http, port: 8080, targetPort: 8080}]
EOF
}

# The chart's values: the default OrgPolicy points at the test bed's Services.
chart_values() {
  local svc="svc.cluster.local" api_ips api_port cidrs="" ip
  # The operator's NetworkPolicy sees the API server after the kubernetes Service's NAT:
  # its endpoint addresses and port (this cluster's apiserver port is DROID_APISERVER_PORT).
  api_ips=$(k get endpointslices -n default -l kubernetes.io/service-name=kubernetes \
    -o jsonpath='{.items[*].endpoints[*].addresses[*]}')
  api_port=$(k get endpointslices -n default -l kubernetes.io/service-name=kubernetes \
    -o jsonpath='{.items[0].ports[0].port}')
  for ip in $api_ips; do cidrs+="${cidrs:+, }$ip/32"; done
  cat <<EOF
runnerImage:
  pullPolicy: IfNotPresent
image:
  pullPolicy: IfNotPresent
egress:
  enabled: $([[ $EGRESS == 1 ]] && echo true || echo false)
  otlpEndpoint: http://otel-collector.$BED_NS.$svc:4318
networkPolicy:
  apiServer:
    cidrs: [$cidrs]
    ports: [$api_port]
  metrics:
    namespaceSelector:
      matchLabels:
        kubernetes.io/metadata.name: $BED_NS
defaultOrgPolicy:
  settings:
    maxAutonomyLevel: high
    models:
      allowed: ["$MODEL"]
    shield:
      enabled: true
      mode: redact
    commandBlocklist: [shutdown, reboot, mkfs]
  runner:
    # Small requests: the node has two cores and the runner's default limit would ask for them.
    defaultResources:
      requests: {cpu: 100m, memory: 256Mi}
      limits: {cpu: "1", memory: 1Gi}
    seccompProfile:
      type: Localhost
      localhostProfile: profiles/droid-runner.json
    maxTimeoutSeconds: 3600
  gateways:
    - name: scripted
      provider: openai
      baseURL: http://scripted-gateway.$BED_NS.$svc:8080/v1
      models: ["$MODEL"]
      credentialsSecretRef: {name: gateway-key, namespace: $OP_NS, key: api-key}
  egress:
    destinations:
      # The git server, through the egress gateway, which adds the password.
      - name: git
        kind: git
        hosts: [git-server.$BED_NS.$svc]
        ports: [8080]
        scheme: http
        repositories: [/sample.git]
        credentialType: basic
        credentialsSecretRef: {name: git-push, key: userpass}
  telemetry:
    otlpEndpoint: http://otel-collector.$BED_NS.$svc:4318
    protocol: http/protobuf
    resourceAttributes:
      deployment.environment: testbed
  network:
    allowDNS: true
    egress:
      - name: gateway
        namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: $BED_NS}}
        podSelector: {matchLabels: {app.kubernetes.io/name: scripted-gateway}}
        ports: [{port: 8080}]
      - name: git
        namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: $BED_NS}}
        podSelector: {matchLabels: {app.kubernetes.io/name: git-server}}
        ports: [{port: 8080}]
      - name: telemetry
        namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: $BED_NS}}
        podSelector: {matchLabels: {app.kubernetes.io/name: otel-collector}}
        ports: [{port: 4318}]
  limits:
    maxConcurrentSessionsPerNamespace: 10
EOF
}

prometheus_up() {
  need prometheus
  local dir="$STACK_DIR/prometheus"
  mkdir -p "$dir/data"
  # Debian's prometheus has no kubernetes_sd: the operator pods' addresses go to a
  # file_sd targets file (re-read by prometheus when it changes; `stack.sh targets`).
  write_targets
  cat >"$dir/prometheus.yml" <<EOF
# Written by scripts/cluster/stack.sh: the operator pods' /metrics (port "ops").
global:
  scrape_interval: 5s
  evaluation_interval: 5s
scrape_configs:
  - job_name: droid-operator
    file_sd_configs:
      - files: [$dir/targets.json]
        refresh_interval: 5s
  - job_name: droid-egress
    file_sd_configs:
      - files: [$dir/targets-egress.json]
        refresh_interval: 5s
EOF
  local pid_file="$dir/prometheus.pid"
  if [[ -s $pid_file ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
    kill -HUP "$(cat "$pid_file")"  # reload the config
    step "prometheus running (pid $(cat "$pid_file")), config reloaded"
  else
    setsid prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
      --web.listen-address="127.0.0.1:$PROM_PORT" --storage.tsdb.retention.time=2d \
      >"$dir/prometheus.log" 2>&1 </dev/null &
    echo $! >"$pid_file"
    step "prometheus started (pid $!, log $dir/prometheus.log)"
  fi
  local i
  for ((i = 0; i < 60; i++)); do
    curl -sf "http://127.0.0.1:$PROM_PORT/-/ready" >/dev/null && break
    sleep 1
  done
  curl -sf "http://127.0.0.1:$PROM_PORT/-/ready" >/dev/null || die "prometheus is not ready: see $dir/prometheus.log"
  step "prometheus ready on http://127.0.0.1:$PROM_PORT"
}

# write_targets: the operator pods' ops addresses and the egress gateway's metrics
# addresses as prometheus file_sd documents.
write_targets() {
  write_targets_of droid-operator "$RELEASE" ops targets.json
  if k -n "$OP_NS" get deployment droid-egress >/dev/null 2>&1; then
    write_targets_of droid-egress droid-egress metrics targets-egress.json
  else
    echo '[]' >"$STACK_DIR/prometheus/targets-egress.json"
  fi
}

# write_targets_of APP DEPLOYMENT PORT_NAME FILE
write_targets_of() {
  local dir="$STACK_DIR/prometheus" port
  port=$(k -n "$OP_NS" get deployment "$2" \
    -o jsonpath="{.spec.template.spec.containers[0].ports[?(@.name==\"$3\")].containerPort}")
  k -n "$OP_NS" get pods -l "app.kubernetes.io/name=$1,app.kubernetes.io/instance=$RELEASE" \
    --field-selector=status.phase=Running \
    -o jsonpath='{range .items[*]}{.metadata.name} {.status.podIP}{"\n"}{end}' |
    python3 -c '
import json, sys
port = sys.argv[1]
groups = [{"targets": [ip + ":" + port], "labels": {"pod": name}}
          for name, ip in (line.split() for line in sys.stdin if len(line.split()) == 2)]
print(json.dumps(groups, indent=2))' "$port" >"$dir/$4.tmp"
  mv "$dir/$4.tmp" "$dir/$4"
  step "prometheus targets of $1: $(python3 -c 'import json,sys; print(" ".join(t for g in json.load(open(sys.argv[1])) for t in g["targets"]))' "$dir/$4")"
}

prometheus_down() {
  local pid_file="$STACK_DIR/prometheus/prometheus.pid"
  if [[ -s $pid_file ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
    kill "$(cat "$pid_file")"
    step "prometheus stopped"
  fi
  rm -f "$pid_file"
}

cmd_up() {
  local total start
  total=$(now_s)
  need curl
  [[ -x $KUBECTL && -x $HELM ]] || die "kubectl or helm missing: run 'make tools'"
  [[ -f $KUBECONFIG_FILE ]] || die "no cluster at $DROID_CLUSTER_DIR: run scripts/cluster/up.sh first"
  k get --raw /readyz >/dev/null || die "the cluster at $DROID_CLUSTER_DIR does not answer"
  k get nodes -o name | grep -q . || die "the cluster has no node: start its node tier (scripts/cluster/up.sh control-plane node)"
  mkdir -p "$STACK_DIR/otel"
  chown 65532:65532 "$STACK_DIR/otel"
  chmod 755 "$STACK_DIR/otel"
  # The collector's hostPath must be reachable by uid 65532.
  chmod 711 "$STACK_DIR"
  local key git_pw
  key=$(api_key)
  git_pw=$(git_password)

  log "test bed workloads in $BED_NS (gateway, collector, git server)"
  start=$(now_s)
  k get namespace "$BED_NS" >/dev/null 2>&1 || k create namespace "$BED_NS" >/dev/null
  apply_secret "$BED_NS" git-auth password "$git_pw"
  testbed_manifests | k apply -f - >/dev/null
  apply_secret "$BED_NS" gateway-key api-key "$key"
  k -n "$BED_NS" create configmap gateway-script --from-file=script.json="$ROOT_DIR/deploy/demo/scenario.json" \
    --dry-run=client -o yaml | k apply -f - >/dev/null
  wait_rollout "$BED_NS" scripted-gateway
  wait_rollout "$BED_NS" otel-collector
  wait_rollout "$BED_NS" git-server
  step "test bed ready ($(elapsed "$start"))"

  log "helm install of charts/droid-operator in $OP_NS (images localhost/droid/*:$VERSION)"
  start=$(now_s)
  k get namespace "$OP_NS" >/dev/null 2>&1 || k create namespace "$OP_NS" >/dev/null
  apply_secret "$OP_NS" gateway-key api-key "$key"
  apply_secret "$OP_NS" git-push userpass "droid:$git_pw"
  chart_values >"$STACK_DIR/values.yaml"
  "$HELM" --kubeconfig "$KUBECONFIG_FILE" upgrade --install "$RELEASE" "$ROOT_DIR/charts/droid-operator" \
    --namespace "$OP_NS" -f "$STACK_DIR/values.yaml" --wait --timeout 5m >/dev/null
  # The CRDs of a chart upgrade are not updated by helm: apply them (server side, idempotent).
  k apply --server-side --force-conflicts -f "$ROOT_DIR/charts/droid-operator/crds/" >/dev/null
  wait_rollout "$OP_NS" "$RELEASE"
  [[ $EGRESS == 1 ]] && wait_rollout "$OP_NS" droid-egress
  step "operator installed ($(elapsed "$start"))"

  log "prometheus on the host"
  prometheus_up

  local gw git otel
  gw=$(k -n "$BED_NS" get service scripted-gateway -o jsonpath='{.spec.clusterIP}')
  git=$(k -n "$BED_NS" get service git-server -o jsonpath='{.spec.clusterIP}')
  otel=$(k -n "$BED_NS" get service otel-collector -o jsonpath='{.spec.clusterIP}')
  cat >"$STACK_DIR/stack.json" <<EOF
{
  "kubeconfig": "$KUBECONFIG_FILE",
  "operatorNamespace": "$OP_NS",
  "testbedNamespace": "$BED_NS",
  "release": "$RELEASE",
  "orgPolicy": "$RELEASE-default",
  "model": "$MODEL",
  "gatewayURL": "http://$gw:8080",
  "gatewayKeyFile": "$STACK_DIR/gateway-api-key",
  "gitURL": "http://droid:$git_pw@$git:8080",
  "egress": $([[ $EGRESS == 1 ]] && echo true || echo false),
  "egressGateway": "droid-egress.$OP_NS.svc:3128",
  "gitRepositoryURL": "http://git-server.$BED_NS.svc.cluster.local:8080/sample.git",
  "otlpHttpURL": "http://$otel:4318",
  "telemetryFile": "$STACK_DIR/otel/telemetry.jsonl",
  "prometheusURL": "http://127.0.0.1:$PROM_PORT",
  "scenario": "$ROOT_DIR/deploy/demo/scenario.json"
}
EOF
  chmod 600 "$STACK_DIR/stack.json"  # the git password is in gitURL
  log "stack ready in $(elapsed "$total"): $STACK_DIR/stack.json"
  echo "$STACK_DIR/stack.json"
}

cmd_down() {
  log "removing the test bed stack"
  prometheus_down
  if [[ -f $KUBECONFIG_FILE ]] && k get --raw /readyz >/dev/null 2>&1; then
    "$HELM" --kubeconfig "$KUBECONFIG_FILE" uninstall "$RELEASE" --namespace "$OP_NS" --wait >/dev/null 2>&1 || true
    k delete namespace "$BED_NS" "$OP_NS" --ignore-not-found --wait=true --timeout=120s >/dev/null || true
    step "namespaces $BED_NS and $OP_NS deleted"
  fi
  rm -rf "$STACK_DIR/otel" "$STACK_DIR/stack.json"
}

cmd_status() {
  k -n "$OP_NS" get pods -o wide 2>/dev/null || true
  k -n "$BED_NS" get pods,services -o wide 2>/dev/null || true
  [[ -f $STACK_DIR/stack.json ]] && cat "$STACK_DIR/stack.json"
  return 0
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  targets) write_targets ;;
  stop-host) prometheus_down ;;  # down.sh: what runs on the host from the cluster dir
  *) die "usage: $0 up|down|status|targets|stop-host" ;;
esac
