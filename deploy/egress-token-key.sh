#!/usr/bin/env bash
# Makes the egress gateway's token key for an install from plain manifests
# (deploy/manifests) or from the chart with egress.tokenKey.generate=false: the Secret
# droid-egress-token-key (data key "key", 48 random bytes) in the operator's namespace,
# from which the operator mints each session's token and the gateway verifies it.
# Idempotent: an existing key is kept. --rotate moves "key" to "previous" (the gateway
# still accepts tokens minted with it, so running sessions go on) and makes a new "key";
# restart nothing: the operator re-reads the key within a minute.
#
#   deploy/egress-token-key.sh [--namespace droid-system] [--rotate]
#
# Uses kubectl ($KUBECTL, default kubectl) with the current KUBECONFIG, and openssl.
set -euo pipefail

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

namespace=droid-system rotate=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --namespace) namespace=${2:?--namespace needs a value}; shift 2 ;;
    --rotate) rotate=1; shift ;;
    *) die "usage: $0 [--namespace NS] [--rotate]" ;;
  esac
done
KUBECTL=${KUBECTL:-kubectl}
command -v "$KUBECTL" >/dev/null || die "kubectl not found (set KUBECTL)"
command -v openssl >/dev/null || die "openssl not found"
name=droid-egress-token-key

current=$("$KUBECTL" -n "$namespace" get secret "$name" -o 'jsonpath={.data.key}' 2>/dev/null || true)
if [[ -n $current && $rotate == 0 ]]; then
  log "secret $namespace/$name exists; kept (--rotate makes a new key)"
  exit 0
fi
new=$(openssl rand -base64 48 | tr -d '\n')
if [[ -n $current ]]; then
  log "rotating $namespace/$name: the old key becomes 'previous'"
  "$KUBECTL" -n "$namespace" create secret generic "$name" --from-literal="key=$new" \
    --from-literal="previous=$(printf '%s' "$current" | base64 -d)" --dry-run=client -o yaml |
    "$KUBECTL" apply -f - >/dev/null
else
  log "creating $namespace/$name"
  "$KUBECTL" -n "$namespace" create secret generic "$name" --from-literal="key=$new" >/dev/null
fi
