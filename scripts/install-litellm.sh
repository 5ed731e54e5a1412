#!/usr/bin/env bash
# Installs LiteLLM's proxy, pinned, into a virtual environment in the tool cache:
#   $DROID_BIN/litellm-$LITELLM_VERSION/bin/litellm
# from tools/litellm/requirements.txt (every package pinned with its hash; no
# dependency resolution). Skips the work when that environment was made from the
# same requirements file. Prints the path of the litellm program on its last line.
#
#   scripts/install-litellm.sh
#
# Needs Debian 12's python3 (3.11) with venv (make setup) and PyPI. A cold install
# (venv, then about 90 packages, 160 MB) takes about 1.5 minutes here.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

REQUIREMENTS="$ROOT_DIR/tools/litellm/requirements.txt"
PYTHON=${DROID_PYTHON:-/usr/bin/python3}
VENV="$DROID_BIN/litellm-$LITELLM_VERSION"

case $LITELLM_VERSION in
  1.107.*) die "LiteLLM $LITELLM_VERSION is from the compromised 1.107 series: never install it" ;;
esac
grep -q "^litellm==$LITELLM_VERSION " "$REQUIREMENTS" ||
  die "scripts/versions.env says LITELLM_VERSION=$LITELLM_VERSION but $REQUIREMENTS pins another litellm"
[[ -x $PYTHON ]] || die "$PYTHON not found: run 'make setup' (or set DROID_PYTHON to a CPython 3.11)"
py_version=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
[[ $py_version == 3.11 ]] ||
  die "$PYTHON is Python $py_version; the hashes in $REQUIREMENTS are of CPython 3.11 wheels (Debian 12's python3)"

stamp=$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)
if [[ -x $VENV/bin/litellm && "$(cat "$VENV/.requirements-sha256" 2>/dev/null)" == "$stamp" ]]; then
  step "LiteLLM $LITELLM_VERSION already installed in $VENV"
  echo "$VENV/bin/litellm"
  exit 0
fi

log "LiteLLM $LITELLM_VERSION into $VENV (pinned, hash-checked)"
start=$(now_s)
rm -rf "$VENV"
# A failed install leaves no half-made environment behind (the stamp is written last).
trap '[[ -f "$VENV/.requirements-sha256" ]] || rm -rf "$VENV"' EXIT
"$PYTHON" -m venv "$VENV" || die "cannot make a virtual environment with $PYTHON: install python3-venv (make setup)"
# --no-deps with --require-hashes: exactly the listed files, nothing resolved on the fly.
"$VENV/bin/pip" install --quiet --disable-pip-version-check --no-input --no-deps --require-hashes \
  --only-binary=:all: -r "$REQUIREMENTS"
"$VENV/bin/pip" check >/dev/null || warn "pip check reports conflicts in $VENV (see '$VENV/bin/pip check')"
echo "$stamp" >"$VENV/.requirements-sha256"
step "installed in $(elapsed "$start")"
echo "$VENV/bin/litellm"
