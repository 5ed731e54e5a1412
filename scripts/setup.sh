#!/usr/bin/env bash
# Installs everything the project needs on a fresh Debian 12 machine, and skips
# what is already there:
#   1. Debian packages (adding bookworm-backports for the ones that live there);
#   2. the pinned upstream tools, built from their Go modules (build-tools.sh).
# Prints what it does and how long it took; safe to run again at any time.
#
#   scripts/setup.sh            # everything
#   scripts/setup.sh packages   # only the Debian packages
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# Build and test toolchain and the C++ libraries of SPEC §2.
PACKAGES=(
  g++ make cmake ninja-build pkg-config git ca-certificates curl openssl jq
  iproute2 procps psmisc util-linux
  python3  # the HTTPS git server of the runner's git tests, and the demo's glue
  python3-venv  # the gateway tier's LiteLLM, in a virtual environment (scripts/install-litellm.sh)
  libcpprest-dev libyaml-cpp-dev nlohmann-json3-dev libssl-dev libseccomp-dev
  prometheus-cpp-dev libre2-dev libgtest-dev libgmock-dev librapidcheck-dev
  clang-format clang-tidy
  # What opentelemetry-cpp's CMake package config looks for (find_dependency), which
  # opentelemetry-cpp-dev does not itself depend on.
  libabsl-dev libprotobuf-dev libgrpc++-dev protobuf-compiler-grpc
  prometheus  # the real Prometheus server the metrics tests scrape with (its service is not used)
  containerd runc containernetworking-plugins iptables ipset buildah  # the local cluster's node tier (scripts/cluster; ipset: kube-router; buildah: the CoreDNS image)
  debootstrap  # the container images' own Debian bases (scripts/images/debian-base.sh; buildah builds them)
)
# Packages that bookworm has only in bookworm-backports.
BACKPORTS_PACKAGES=(opentelemetry-cpp-dev)
BACKPORTS_SOURCES=/etc/apt/sources.list.d/bookworm-backports.sources
MIN_GO=1.24

as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

missing_packages() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
  done
}

ensure_backports() {
  if grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then return; fi
  step "adding bookworm-backports to apt sources ($BACKPORTS_SOURCES)"
  as_root tee "$BACKPORTS_SOURCES" >/dev/null <<'SOURCES'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
}

install_packages() {
  local start; start=$(now_s)
  log "Debian packages"
  mapfile -t missing < <(missing_packages "${PACKAGES[@]}")
  mapfile -t missing_bp < <(missing_packages "${BACKPORTS_PACKAGES[@]}")
  if [[ ${#missing[@]} -eq 0 && ${#missing_bp[@]} -eq 0 ]]; then
    step "all $(( ${#PACKAGES[@]} + ${#BACKPORTS_PACKAGES[@]} )) packages already installed"
    return
  fi
  [[ ${#missing_bp[@]} -eq 0 ]] || ensure_backports
  step "apt-get update"
  as_root apt-get update -qq
  if [[ ${#missing[@]} -gt 0 ]]; then
    step "installing ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  if [[ ${#missing_bp[@]} -gt 0 ]]; then
    step "installing from bookworm-backports: ${missing_bp[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      -t bookworm-backports "${missing_bp[@]}" >/dev/null
  fi
  step "packages installed in $(elapsed "$start")"
}

check_go() {
  command -v go >/dev/null 2>&1 || die "Go $MIN_GO or newer is needed to build the upstream tools; install it first"
  local have; have=$(go env GOVERSION | sed 's/^go//')
  if [[ "$(printf '%s\n%s\n' "$MIN_GO" "$have" | sort -V | head -n1)" != "$MIN_GO" ]]; then
    die "Go $have is too old: the upstream tools need Go $MIN_GO or newer"
  fi
  step "Go $have"
}

total=$(now_s)
install_packages
if [[ "${1:-all}" != packages ]]; then
  log "upstream tools (cache: $DROID_BIN)"
  check_go
  "$ROOT_DIR/scripts/build-tools.sh"
fi
log "setup done in $(elapsed "$total")"
