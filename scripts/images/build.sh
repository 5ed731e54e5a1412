#!/usr/bin/env bash
# Builds every container image of the project with buildah, offline from any
# registry (SPEC §7, §8), and exports each as a docker-archive that
# `ctr -n k8s.io images import` and `skopeo copy` accept, with its tag:
#
#   build/images/<name>.tar   =  localhost/droid/<name>:<version>
#
#   operator          Dockerfile.operator           droid-operator and droid-egress, distroless, no shell
#   runner            Dockerfile.runner             droid-runner + git, make, gcc, python3
#   scripted-gateway  workloads/Dockerfile.*        the test bed's LLM gateway, distroless
#   otel-collector    workloads/Dockerfile.*        the collector of scripts/build-tools.sh
#   git-server        workloads/Dockerfile.*        git http-backend + a sample repository
#   pause             workloads/Dockerfile.*        tools/pause, static, the pod sandbox
#
#   scripts/images/build.sh [BUILD_DIR] [NAME...]     (BUILD_DIR default build/default)
#   scripts/images/build.sh --prefetch    only the bases that need no binary (minbase, git-base)
#   DROID_IMAGES_PREBUILT=1 scripts/images/build.sh DIR   (DIR's binaries as they are, no cmake)
#
# The C++ binaries come from BUILD_DIR (configured with the default preset if it is
# not yet; only the five targets are built). The bases are the project's own Debian
# root filesystems (debian-base.sh): runtime-base (the binaries' runtime libraries,
# found from their ldd closure with dpkg -S), runner-base (that + the agent's tools)
# and git-base. Cached: debootstrap tarballs under $DROID_CACHE/images, buildah's
# layer cache, and an archive is only rewritten when its image changed.
# Needs root (buildah with --isolation chroot, debootstrap). DROID_IMAGE_VERSION
# overrides the tag (default: CMakeLists.txt's project VERSION).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

# The git server's base needs none of the binaries: --prefetch makes it (and the minbase
# root filesystem all bases start from) ahead, network-bound work that scripts/test.sh
# runs beside the CPU-bound builds.
GIT_BASE_PACKAGES=(ca-certificates git python3)
if [[ ${1:-} == --prefetch ]]; then
  [[ $(id -u) -eq 0 ]] || die "buildah (chroot isolation) and debootstrap need root"
  cd "$ROOT_DIR"
  scripts/images/debian-base.sh git-base "${GIT_BASE_PACKAGES[@]}" >/dev/null
  exit 0
fi

BUILD_DIR=build/default
if [[ $# -gt 0 && ( -d "$1" || $1 == */* ) ]]; then BUILD_DIR=$1; shift; fi
ALL=(operator runner scripted-gateway otel-collector git-server pause)
SELECTED=("$@")
[[ ${#SELECTED[@]} -gt 0 ]] || SELECTED=("${ALL[@]}")

[[ $(id -u) -eq 0 ]] || die "buildah (chroot isolation) and debootstrap need root"
need buildah cmake ldd dpkg strip sha256sum
cd "$ROOT_DIR"
VERSION="${DROID_IMAGE_VERSION:-$(sed -nE 's/^project\(droid-operator VERSION ([0-9.]+).*/\1/p' CMakeLists.txt)}"
[[ -n "$VERSION" ]] || die "no project VERSION in CMakeLists.txt"
REVISION=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
OUT_DIR="$ROOT_DIR/build/images"
CONTEXT="$OUT_DIR/context"
OTELCOL="${DROID_OTELCOL:-$DROID_BIN/otelcol-$OTELCOL_VERSION/otelcol}"
export BUILDAH_ISOLATION=chroot
total=$(now_s)

# --- 1. the binaries.
log "binaries from $BUILD_DIR"
start=$(now_s)
if [[ "${DROID_IMAGES_PREBUILT:-0}" != 1 ]]; then  # 1: use BUILD_DIR's binaries as they are
  [[ -f "$BUILD_DIR/CMakeCache.txt" ]] || cmake --preset default -B "$BUILD_DIR" >/dev/null
  cmake --build "$BUILD_DIR" -j"${DROID_JOBS:-2}" --target droid-operator droid-egress droid-runner droid-scripted-gateway droid-pause |
    grep -vE '^\[[0-9]+/[0-9]+\] (Building|Linking)' || true
fi
declare -A BIN=(
  [droid-operator]="$BUILD_DIR/operator/droid-operator"
  [droid-egress]="$BUILD_DIR/egress/droid-egress"
  [droid-runner]="$BUILD_DIR/runner/droid-runner"
  [droid-scripted-gateway]="$BUILD_DIR/runner/llm/droid-scripted-gateway"
  [droid-pause]="$BUILD_DIR/tools/pause/droid-pause"
)
for b in "${!BIN[@]}"; do [[ -x "${BIN[$b]}" ]] || die "$b was not built at ${BIN[$b]}"; done
[[ -x "$OTELCOL" ]] || die "no collector at $OTELCOL: run scripts/build-tools.sh (make tools)"
step "ready in $(elapsed "$start")"

# --- 2. the build context: stripped binaries (debug info stays in BUILD_DIR) and files.
log "staging the build context in $CONTEXT"
mkdir -p "$CONTEXT/bin" "$CONTEXT/sample"
stage() {  # stage SRC DEST: copy when changed (keeps mtimes, so buildah's layer cache holds)
  if ! cmp -s "$1" "$2"; then cp "$1" "$2"; fi
}
for b in "${!BIN[@]}"; do
  tmp="$CONTEXT/bin/.$b.tmp"
  strip --strip-debug -o "$tmp" "${BIN[$b]}"
  if cmp -s "$tmp" "$CONTEXT/bin/$b"; then rm "$tmp"; else mv "$tmp" "$CONTEXT/bin/$b"; fi
  step "$b: $(du -h "${BIN[$b]}" | cut -f1) -> $(du -h "$CONTEXT/bin/$b" | cut -f1) without debug info"
done
stage "$OTELCOL" "$CONTEXT/bin/otelcol"
stage scripts/images/minimal-rootfs.sh "$CONTEXT/minimal-rootfs.sh"
stage scripts/images/workloads/otelcol-config.yaml "$CONTEXT/otelcol-config.yaml"
stage tools/git-server/git_http_server.py "$CONTEXT/git_http_server.py"
rsync_dir() { rm -rf "$2.new" && cp -a "$1" "$2.new" && if diff -rq "$2.new" "$2" >/dev/null 2>&1; then rm -rf "$2.new"; else rm -rf "$2" && mv "$2.new" "$2"; fi; }
rsync_dir deploy/demo/repo "$CONTEXT/sample"

# --- 3. the bases (Debian packages only; the mirror is needed the first time).
# packages_of BINARY...: the Debian packages providing the binaries' shared libraries,
# as PKG or PKG/bookworm-backports when the installed one came from backports.
packages_of() {
  local -a libs paths
  mapfile -t libs < <(ldd "$@" 2>/dev/null | awk '/=> \// {print $3}' | sort -u)
  local lib real
  for lib in "${libs[@]}"; do
    real=$(readlink -f "$lib")
    paths+=("$real" "${real#/usr}")  # dpkg knows a file by the path its package shipped
  done
  # One dpkg -S for all (it is slow per call); it fails for the paths no package has.
  local owners
  owners=$(dpkg -S "${paths[@]}" 2>/dev/null || true)
  for lib in "${libs[@]}"; do
    real=$(readlink -f "$lib")
    sed 's/^[^ ]* //' <<<"$owners" | grep -qxF -e "$real" -e "${real#/usr}" || die "no Debian package provides $lib (needed by $*)"
  done
  local pkg
  for pkg in $(cut -d: -f1 <<<"$owners" | sort -u); do
    if dpkg-query -W -f='${Version}' "$pkg" | grep -q '~bpo'; then echo "$pkg/bookworm-backports"; else echo "$pkg"; fi
  done
}
log "base images (scripts/images/debian-base.sh)"
mapfile -t RUNTIME_PKGS < <(packages_of "${BIN[droid-operator]}" "${BIN[droid-egress]}" "${BIN[droid-scripted-gateway]}" \
  "${BIN[droid-runner]}")
RUNTIME_BASE=$(scripts/images/debian-base.sh runtime-base ca-certificates "${RUNTIME_PKGS[@]}")
RUNNER_BASE=$(scripts/images/debian-base.sh runner-base ca-certificates "${RUNTIME_PKGS[@]}" \
  git make gcc g++ libc6-dev python3 python3-venv patch diffutils less \
  '/usr/bin/x86_64-linux-gnu-lto-dump-*' '/usr/bin/lto-dump-*')  # 31 MB, an LTO debugging tool
GIT_BASE=$(scripts/images/debian-base.sh git-base "${GIT_BASE_PACKAGES[@]}")

# --- 4. the images.
dockerfile_of() {
  case $1 in
    operator) echo Dockerfile.operator ;;
    runner) echo Dockerfile.runner ;;
    *) echo "scripts/images/workloads/Dockerfile.$1" ;;
  esac
}
base_of() {
  case $1 in
    runner) echo "$RUNNER_BASE" ;;
    git-server) echo "$GIT_BASE" ;;
    *) echo "$RUNTIME_BASE" ;;
  esac
}
SIZES=()
for name in "${SELECTED[@]}"; do
  [[ " ${ALL[*]} " == *" $name "* ]] || die "unknown image '$name' (one of: ${ALL[*]})"
  ref="localhost/droid/$name:$VERSION"
  start=$(now_s)
  log "$ref ($(dockerfile_of "$name"))"
  buildah bud --quiet --isolation chroot --pull=never --layers --format docker \
    --build-arg "BASE=$(base_of "$name")" --build-arg "VERSION=$VERSION" --build-arg "REVISION=$REVISION" \
    --build-arg "OTELCOL_VERSION=$OTELCOL_VERSION" \
    -f "$(dockerfile_of "$name")" -t "$ref" "$CONTEXT" >/dev/null
  id=$(buildah images --noheading --no-trunc --format '{{.ID}}' "$ref" | head -n1)
  archive="$OUT_DIR/$name.tar"
  if [[ -s "$archive" && "$(cat "$archive.id" 2>/dev/null)" == "$id" ]]; then
    step "built in $(elapsed "$start"); $archive is up to date"
  else
    rm -f "$archive" "$archive.id"
    buildah push --quiet "$ref" "docker-archive:$archive:$ref" >/dev/null
    echo "$id" >"$archive.id"
    step "built and exported in $(elapsed "$start")"
  fi
  size=$(buildah images --noheading --format '{{.Size}}' "$ref" | head -n1)
  SIZES+=("$(printf '%-18s %-10s %-10s %s' "$name" "$size" "$(du -h "$archive" | cut -f1)" "$ref")")
done

log "images (name, size in the store, archive, reference) in $(elapsed "$total")"
printf '    %-18s %-10s %-10s %s\n' image size archive reference >&2
printf '    %s\n' "${SIZES[@]}" >&2
