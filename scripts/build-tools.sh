#!/usr/bin/env bash
# Builds the pinned upstream tools of the test bed from their Go modules (SPEC §8)
# into $DROID_BIN/<tool>-<version>/, skipping what is already built.
#
#   scripts/build-tools.sh [kubernetes] [etcd] [helm] [otelcol] [coredns] [kube-router] [gitleaks]
#   (default: kubernetes etcd helm otelcol)
#   scripts/build-tools.sh --download-only coredns kube-router    (only `go mod download`)
#
# gitleaks is built only when asked: the shield benchmark (runner/shield) runs it.
# coredns is the local cluster's DNS (scripts/cluster/coredns.sh runs it as a pod):
# tools/coredns/main.go, CoreDNS with only the plugins the cluster uses. Built when
# the node tier is wanted (make cluster-up, make test-node), not by plain setup: a
# control plane without a node needs no DNS.
# kube-router is the node tier's NetworkPolicy controller (firewall-only mode,
# scripts/cluster/components/kube-router.sh), built like coredns: when the node
# tier is wanted. tools/kube-router raises the dependencies that have advisories
# against the versions kube-router v2.1.0 pins (require lines there).
# otelcol is the OpenTelemetry Collector the telemetry tests export to: the
# collector builder (ocb, tools/otelcol-builder) generates a minimal
# distribution from tools/otelcol/builder.yaml, then `go build` compiles it.
#
# The consumer modules in tools/ pin versions and checksums (go.sum), so the
# build needs only the Go module proxy; the checksum database is not consulted.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need go jq

export GOTOOLCHAIN=local GOSUMDB=off GOFLAGS="-mod=readonly -buildvcs=false" CGO_ENABLED=0

# Version stamps upstream's own release builds set (hack/lib/version.sh and
# Helm's Makefile); without them `kubectl version` and the apiserver's /version
# report v0.0.0.
k8s_version_flags() {
  local v=$KUBERNETES_VERSION minor; minor=${v#v1.}; minor=${minor%%.*}
  local pkg
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    printf -- '-X %s.gitVersion=%s -X %s.gitMajor=1 -X %s.gitMinor=%s -X %s.gitTreeState=clean ' \
      "$pkg" "$v" "$pkg" "$pkg" "$minor" "$pkg"
  done
}
helm_version_flags() {
  local pkg=helm.sh/helm/v3/internal/version
  printf -- '-X %s.version=%s -X %s.metadata= -X %s.gitTreeState=clean' "$pkg" "$HELM_VERSION" "$pkg" "$pkg"
}

# Version stamps of kube-router's own release build (its Makefile): the version,
# and as the build date the release's (the module's time on the proxy), so the
# recipe, and with it the binary, stays the same from one build to the next.
kube_router_version_flags() {
  local pkg=github.com/cloudnativelabs/kube-router/v2/pkg/version info released
  info=$(cd "$ROOT_DIR/tools/kube-router" &&
    go mod download -json "github.com/cloudnativelabs/kube-router/v2@$KUBE_ROUTER_VERSION" | jq -r .Info) &&
    released=$(jq -er .Time "$info") ||
    die "cannot download kube-router $KUBE_ROUTER_VERSION (the Go module proxy)"
  printf -- '-X %s.Version=%s -X %s.BuildDate=%s' "$pkg" "$KUBE_ROUTER_VERSION" "$pkg" "$released"
}

# module_version DIR MODULE prints the version DIR/go.mod requires of MODULE.
module_version() {
  awk -v m="$2" '$1 == m && $2 ~ /^v/ { print $2; exit } $1 == "require" && $2 == m { print $3; exit }' "$ROOT_DIR/tools/$1/go.mod"
}

# go_build_with_progress NAME DIR OUT LDFLAGS PACKAGE... runs `go build -v` in
# the module DIR and, every 30 seconds, says how many packages it has compiled;
# on failure it shows the end of the build's output.
go_build_with_progress() {
  local name=$1 moddir=$2 out=$3 ldflags=$4; shift 4
  local log="$DROID_BIN/.build-$name.log" start rc=0 ticker
  start=$(now_s)
  (while sleep 30; do
    step "... $(grep -c -v -e '^#' -e ' ' "$log" 2>/dev/null || echo 0) packages compiled ($(elapsed "$start"))"
  done) &
  ticker=$!
  (cd "$moddir" && go build -v -trimpath -ldflags="$ldflags" -o "$out" "$@") >"$log" 2>&1 || rc=$?
  kill "$ticker" 2>/dev/null; wait "$ticker" 2>/dev/null || true
  if [[ $rc -ne 0 ]]; then
    tail -n 30 "$log" | sed 's/^/    | /' >&2
    die "building $name failed (full output: $log)"
  fi
}

# build_tool NAME VERSION MODULE OUT LDFLAGS PACKAGE... builds into $DROID_BIN/NAME-VERSION;
# OUT is "/" for one binary per package, or the file name of a single binary.
# The stamp records the recipe, so a change of flags rebuilds; with
# RECIPE_SUMS=1 (kube-router, whose go.mod raises dependencies) the checksums
# of its go.sum too, so a raised dependency rebuilds. (Not for every tool: the
# tool cache is shared by worktrees whose scripts may differ, and a recipe one
# of them does not write alike would make them rebuild each other's tools.)
build_tool() {
  local name=$1 version=$2 module=$3 out=$4 ldflags="-s -w $5"; shift 5
  local dir="$DROID_BIN/$name-$version" stamp
  local pinned; pinned=$(module_version "$name" "$module")
  [[ "$pinned" == "$version" ]] || die "tools/$name/go.mod pins $module $pinned but scripts/versions.env says $version"
  stamp="$dir/.built"
  local recipe="$version $* ldflags: $ldflags"
  [[ "${RECIPE_SUMS:-0}" != 1 ]] || recipe+=" sums: $(sha256sum <"$ROOT_DIR/tools/$name/go.sum" | cut -c1-16)"
  if [[ -f "$stamp" && "$(head -n1 "$stamp")" == "$recipe" ]]; then
    step "$name $version: already built in $dir"
    return
  fi
  local start; start=$(now_s)
  log "building $name $version ($*) — a cold build takes minutes, a warm one seconds"
  rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
  step "downloading modules"
  (cd "$ROOT_DIR/tools/$name" && go mod download)
  step "compiling and linking"
  go_build_with_progress "$name" "$ROOT_DIR/tools/$name" "$dir.tmp/${out#/}" "$ldflags" "$@"
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
  printf '%s\nbuilt %s\n' "$recipe" "$(date -u +%FT%TZ)" > "$stamp"
  step "$name $version built in $(elapsed "$start"): $(ls "$dir" | tr '\n' ' ')"
}

# build_otelcol builds the collector distribution into $DROID_BIN/otelcol-VERSION/otelcol:
# ocb (itself built from tools/otelcol-builder) generates the sources and
# resolves the modules, with tools/otelcol/distribution.sum as the go.sum, so a
# module whose checksum differs from the pinned one, or one not pinned at all,
# fails the build; then
# go_build_with_progress compiles it. The stamp records the config and the sums.
build_otelcol() {
  local version=$OTELCOL_VERSION config="$ROOT_DIR/tools/otelcol/builder.yaml"
  local sums="$ROOT_DIR/tools/otelcol/distribution.sum" dir="$DROID_BIN/otelcol-$OTELCOL_VERSION"
  local stamp="$dir/.built" recipe start
  grep -q "otlpreceiver $version\$" "$config" ||
    die "tools/otelcol/builder.yaml does not use the collector $version of scripts/versions.env"
  recipe="$version config $(sha256sum <"$config" | cut -c1-16) sums $(sha256sum <"$sums" | cut -c1-16)"
  if [[ -f "$stamp" && "$(head -n1 "$stamp")" == "$recipe" ]]; then
    step "otelcol $version: already built in $dir"
    return
  fi
  build_tool otelcol-builder "$version" go.opentelemetry.io/collector/cmd/builder builder "" \
    go.opentelemetry.io/collector/cmd/builder
  start=$(now_s)
  log "building otelcol $version (tools/otelcol/builder.yaml) — a cold build takes minutes, a warm one seconds"
  rm -rf "$dir.tmp" && mkdir -p "$dir.tmp/src"
  cp "$sums" "$dir.tmp/src/go.sum"
  step "generating the distribution and downloading modules (ocb)"
  local log="$DROID_BIN/.build-otelcol-generate.log" rc=0 ticker
  (while sleep 30; do step "... ocb still resolving and downloading modules ($(elapsed "$start"))"; done) &
  ticker=$!
  # ocb runs `go mod tidy`, which -mod=readonly would refuse.
  GOFLAGS=-buildvcs=false "$DROID_BIN/otelcol-builder-$version/builder" --config "$config" \
    --output-path "$dir.tmp/src" --skip-compilation >"$log" 2>&1 || rc=$?
  kill "$ticker" 2>/dev/null; wait "$ticker" 2>/dev/null || true
  if [[ $rc -ne 0 ]]; then
    tail -n 30 "$log" | sed 's/^/    | /' >&2
    die "ocb could not generate the collector (full output: $log)"
  fi
  # Every checksum the build uses must be a pinned one (another Go release may
  # list fewer; none may be new, since GOSUMDB=off would take it unchecked).
  local unpinned
  unpinned=$(comm -13 <(sort "$sums") <(sort "$dir.tmp/src/go.sum"))
  [[ -z "$unpinned" ]] ||
    die "the collector needs modules tools/otelcol/distribution.sum does not pin (after a change of builder.yaml, copy $dir.tmp/src/go.sum there): $(head -n 3 <<<"$unpinned")"
  step "compiling and linking"
  go_build_with_progress otelcol "$dir.tmp/src" "$dir.tmp/otelcol" "-s -w" .
  rm -rf "$dir.tmp/src"
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
  printf '%s\nbuilt %s\n' "$recipe" "$(date -u +%FT%TZ)" > "$stamp"
  step "otelcol $version built in $(elapsed "$start"): $("$dir/otelcol" --version)"
}

# --download-only TOOL...: only fetch the modules (network-bound, nothing to do when they
# are in the module cache; scripts/test.sh runs it beside CPU-bound work).
if [[ ${1:-} == --download-only ]]; then
  shift
  for t in "$@"; do
    [[ -f "$ROOT_DIR/tools/$t/go.mod" ]] || die "no consumer module tools/$t"
    step "downloading the modules of $t"
    (cd "$ROOT_DIR/tools/$t" && go mod download)
  done
  exit 0
fi
tools=("$@")
[[ ${#tools[@]} -gt 0 ]] || tools=(kubernetes etcd helm otelcol)
total=$(now_s)
for t in "${tools[@]}"; do
  case "$t" in
    kubernetes)
      build_tool kubernetes "$KUBERNETES_VERSION" k8s.io/kubernetes / "$(k8s_version_flags)" \
        k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
        k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubelet \
        k8s.io/kubernetes/cmd/kube-proxy k8s.io/kubernetes/cmd/kubectl ;;
    etcd) build_tool etcd "$ETCD_VERSION" go.etcd.io/etcd/server/v3 etcd "" go.etcd.io/etcd/server/v3 ;;
    helm) build_tool helm "$HELM_VERSION" helm.sh/helm/v3 / "$(helm_version_flags)" helm.sh/helm/v3/cmd/helm ;;
    otelcol) build_otelcol ;;
    coredns) build_tool coredns "$COREDNS_VERSION" github.com/coredns/coredns coredns "" droid.dev/tools/coredns ;;
    kube-router)
      RECIPE_SUMS=1 build_tool kube-router "$KUBE_ROUTER_VERSION" github.com/cloudnativelabs/kube-router/v2 kube-router \
        "$(kube_router_version_flags)" github.com/cloudnativelabs/kube-router/v2/cmd/kube-router ;;
    gitleaks)
      build_tool gitleaks "$GITLEAKS_VERSION" github.com/zricethezav/gitleaks/v8 gitleaks \
        "-X github.com/zricethezav/gitleaks/v8/version.Version=$GITLEAKS_VERSION" github.com/zricethezav/gitleaks/v8 ;;
    *) die "unknown tool '$t' (kubernetes, etcd, helm, otelcol, coredns, kube-router, gitleaks)" ;;
  esac
done
log "upstream tools ready in $(elapsed "$total")"
