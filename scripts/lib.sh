# shellcheck shell=bash
# Shared helpers for the project's glue scripts: logging, timing and the
# locations of the cache and the local cluster. Source it; do not run it.

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=versions.env
. "$ROOT_DIR/scripts/versions.env"

# Everything built or generated outside the source tree lives under the cache.
DROID_CACHE="${DROID_CACHE:-${XDG_CACHE_HOME:-${HOME:?HOME is not set: set DROID_CACHE}/.cache}/droid-operator}"
# Upstream binaries, one folder per pinned version so a version bump rebuilds.
DROID_BIN="${DROID_BIN:-$DROID_CACHE/bin}"
# State of the local cluster: certificates, kubeconfigs, data, logs, pid files.
DROID_CLUSTER_DIR="${DROID_CLUSTER_DIR:-$DROID_CACHE/cluster}"

log()  { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
step() { printf '    %s\n' "$*" >&2; }
warn() { printf '\033[1;33mwarning:\033[0m %s\n' "$*" >&2; }
die()  { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# now_s prints seconds since the epoch; elapsed START prints "Ns" since START.
now_s() { date +%s; }
elapsed() { echo "$(( $(now_s) - $1 ))s"; }

# need CMD... fails with a hint when a command is missing.
need() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 || die "'$c' is not installed: run 'make setup' first"
  done
}
