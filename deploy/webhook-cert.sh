#!/usr/bin/env bash
# Makes the admission webhook's certificate for an install from plain manifests
# (deploy/manifests) or from the chart with webhook.certificate.generate=false:
#   1. a CA and a serving certificate for <release>-webhook.<namespace>.svc (openssl),
#   2. the Secret <release>-webhook-tls (tls.crt, tls.key, ca.crt) the pods mount,
#   3. the CA bundle patched into the MutatingWebhookConfiguration and the
#      ValidatingWebhookConfiguration named <release>.
# Idempotent: an existing Secret is kept (its CA goes into the webhook configurations
# again) unless --rotate is given. The CA's key is not kept anywhere.
#
#   deploy/webhook-cert.sh [--namespace droid-system] [--release droid-operator]
#                          [--days 3650] [--cluster-domain cluster.local] [--rotate]
#
# Uses kubectl ($KUBECTL, default kubectl) with the current KUBECONFIG, and openssl.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ -f "$here/../scripts/lib.sh" ]]; then
  # shellcheck source=../scripts/lib.sh
  . "$here/../scripts/lib.sh"
else  # shipped on its own (air-gap bundle)
  log() { printf '==> %s\n' "$*" >&2; }
  step() { printf '    %s\n' "$*" >&2; }
  die() { printf 'error: %s\n' "$*" >&2; exit 1; }
  need() { local c; for c in "$@"; do command -v "$c" >/dev/null 2>&1 || die "'$c' is not installed"; done; }
fi

namespace=droid-system release=droid-operator days=3650 domain=cluster.local rotate=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --namespace) namespace=${2:?}; shift 2 ;;
    --release) release=${2:?}; shift 2 ;;
    --days) days=${2:?}; shift 2 ;;
    --cluster-domain) domain=${2:?}; shift 2 ;;
    --rotate) rotate=1; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
KUBECTL=${KUBECTL:-kubectl}
need openssl "$KUBECTL"
k() { "$KUBECTL" "$@"; }

service="$release-webhook"
secret="$release-webhook-tls"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for kind in mutatingwebhookconfiguration validatingwebhookconfiguration; do
  k get "$kind" "$release" -o name >/dev/null || die "$kind/$release not found: apply the manifests first"
done

if [[ $rotate -eq 0 ]] && k get secret "$secret" -n "$namespace" -o name >/dev/null 2>&1; then
  log "keeping the existing Secret $namespace/$secret (--rotate makes a new one)"
  k get secret "$secret" -n "$namespace" -o jsonpath='{.data.ca\.crt}' | base64 -d >"$work/ca.crt"
  [[ -s "$work/ca.crt" ]] || die "Secret $namespace/$secret has no ca.crt: run again with --rotate"
else
  log "making a CA and a serving certificate for $service.$namespace.svc ($days days)"
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days "$days" -subj "/CN=$release-webhook-ca" \
    -keyout "$work/ca.key" -out "$work/ca.crt" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -sha256 -subj "/CN=$service.$namespace.svc" \
    -keyout "$work/tls.key" -out "$work/tls.csr" 2>/dev/null
  cat >"$work/ext.cnf" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:$service,DNS:$service.$namespace,DNS:$service.$namespace.svc,DNS:$service.$namespace.svc.$domain
EXT
  openssl x509 -req -sha256 -days "$days" -in "$work/tls.csr" -CA "$work/ca.crt" -CAkey "$work/ca.key" \
    -CAcreateserial -extfile "$work/ext.cnf" -out "$work/tls.crt" 2>/dev/null
  openssl verify -CAfile "$work/ca.crt" "$work/tls.crt" >/dev/null || die "the new certificate does not verify"
  step "Secret $namespace/$secret"
  # Written whole by one apply: the operator reloads the pair when the mounted files change.
  k create secret generic "$secret" -n "$namespace" --type kubernetes.io/tls \
    --from-file=tls.crt="$work/tls.crt" --from-file=tls.key="$work/tls.key" --from-file=ca.crt="$work/ca.crt" \
    --dry-run=client -o yaml | k apply --server-side --force-conflicts --field-manager=droid-webhook-cert -f - >/dev/null
fi

bundle=$(base64 -w0 <"$work/ca.crt")
for kind in mutatingwebhookconfiguration validatingwebhookconfiguration; do
  count=$(k get "$kind" "$release" -o jsonpath='{range .webhooks[*]}x{end}')
  patch="["
  for ((i = 0; i < ${#count}; i++)); do
    [[ $i -eq 0 ]] || patch+=","
    patch+="{\"op\":\"add\",\"path\":\"/webhooks/$i/clientConfig/caBundle\",\"value\":\"$bundle\"}"
  done
  patch+="]"
  k patch "$kind" "$release" --type json -p "$patch" >/dev/null
  step "caBundle of $kind/$release (${#count} webhooks)"
done
log "done: the operator's pods start once they can mount $namespace/$secret"
