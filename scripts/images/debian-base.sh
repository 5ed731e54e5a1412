#!/usr/bin/env bash
# Makes one of the project's base images from Debian's own packages, without any
# container registry (SPEC §7): a debootstrap --variant=minbase root filesystem of
# bookworm from the Debian mirror apt already uses, plus the packages named on the
# command line installed with apt inside it, trimmed of documentation, manual pages,
# locales and apt's lists, imported into buildah's store as
#
#   localhost/droid/NAME:<hash of the package list>   (and :latest)
#
#   scripts/images/debian-base.sh NAME [PKG | PKG/bookworm-backports | /PATH]...
#
# A /PATH argument (a glob) is deleted from the root filesystem after the install:
# files a package brings that the image never needs (e.g. gcc's lto-dump).
#
# Caches under $DROID_CACHE/images/: the minbase tarball (debootstrap, once) and
# one tarball per package list, so a second run only re-imports when the image is
# missing from the store and does nothing when it is there. Needs root (debootstrap
# and chroot). Prints the image reference on stdout, progress on stderr.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

[[ $# -ge 1 ]] || die "usage: $0 NAME [PKG]..."
NAME=$1
shift
mapfile -t PKGS < <(printf '%s\n' "$@" | sed '/^$/d' | grep -v '^/' | sort -u || true)
mapfile -t PRUNE < <(printf '%s\n' "$@" | grep '^/' | sort -u || true)
[[ $(id -u) -eq 0 ]] || die "debootstrap and chroot need root"
need debootstrap buildah tar sha256sum

SUITE=bookworm
CACHE="$DROID_CACHE/images"
# The mirrors of the host's own apt sources (the Debian mirror is the one network
# access the project allows); DROID_DEBIAN_MIRROR / DROID_DEBIAN_SECURITY override.
host_uri() {
  grep -rhoE "(URIs:|deb) +https?://[^ ]*/$1/?( |$)" /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null |
    awk '{print $2}' | head -n1 || true
}
MIRROR="${DROID_DEBIAN_MIRROR:-$(host_uri debian)}"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
SECURITY="${DROID_DEBIAN_SECURITY:-$(host_uri debian-security)}"
SECURITY="${SECURITY:-http://deb.debian.org/debian-security}"
# Bump when what this script does to the root filesystem changes (invalidates the cache).
RECIPE=3

mkdir -p "$CACHE"
KEY=$(printf '%s\n' "recipe=$RECIPE" "suite=$SUITE" "${PKGS[@]}" "${PRUNE[@]}" | sha256sum | cut -c1-12)
REF="localhost/droid/$NAME:$KEY"
TARBALL="$CACHE/$NAME-$KEY.tar"
MINBASE="$CACHE/minbase-$SUITE-r$RECIPE.tar"

if buildah inspect --type image "$REF" >/dev/null 2>&1; then
  step "$REF already in the image store"
  buildah tag "$REF" "localhost/droid/$NAME:latest"
  echo "$REF"
  exit 0
fi

WORK=$(mktemp -d "$CACHE/work.XXXXXX")
ROOTFS="$WORK/rootfs"
cleanup() {
  local m
  for m in proc dev/pts dev; do mountpoint -q "$ROOTFS/$m" 2>/dev/null && umount -l "$ROOTFS/$m"; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# --- 1. the minbase root filesystem (debootstrap), cached once per suite.
if [[ ! -s "$MINBASE" ]]; then
  start=$(now_s)
  log "debootstrap --variant=minbase $SUITE from $MIRROR (cached as $MINBASE)"
  mkdir -p "$WORK/minbase"
  debootstrap --variant=minbase --components=main "$SUITE" "$WORK/minbase" "$MIRROR" |
    while read -r line; do [[ $line == I:\ Retrieving* || $line == I:\ Base* ]] || step "$line"; done
  tar -C "$WORK/minbase" --numeric-owner -cf "$MINBASE.tmp" .
  mv "$MINBASE.tmp" "$MINBASE"
  rm -rf "$WORK/minbase"
  step "minbase ready in $(elapsed "$start") ($(du -h "$MINBASE" | cut -f1))"
fi

# --- 2. the packages of this image, installed with apt in a chroot.
if [[ ! -s "$TARBALL" ]]; then
  start=$(now_s)
  log "$NAME: minbase + ${#PKGS[@]} packages (cache key $KEY)"
  mkdir -p "$ROOTFS"
  tar -C "$ROOTFS" --numeric-owner -xf "$MINBASE"
  cat >"$ROOTFS/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $SECURITY $SUITE-security main
EOF
  if printf '%s\n' "${PKGS[@]}" | grep -q '/bookworm-backports$'; then
    echo "deb $MIRROR $SUITE-backports main" >>"$ROOTFS/etc/apt/sources.list"
  fi
  # Never install documentation, manual pages or translations (also for later apt runs).
  cat >"$ROOTFS/etc/dpkg/dpkg.cfg.d/01-droid-nodoc" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
EOF
  cp /etc/resolv.conf "$ROOTFS/etc/resolv.conf"
  mount -t proc proc "$ROOTFS/proc"
  in_root() { chroot "$ROOTFS" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 "$@"; }
  step "apt-get update"
  in_root apt-get update -qq
  step "apt-get upgrade (point release and security updates)"
  in_root apt-get -y -qq upgrade >/dev/null
  if [[ ${#PKGS[@]} -gt 0 ]]; then
    step "apt-get install ${PKGS[*]}"
    in_root apt-get install -y -qq --no-install-recommends "${PKGS[@]}" >/dev/null
  fi
  in_root apt-get clean
  umount "$ROOTFS/proc"
  # Trim: what dpkg installed before the exclusion existed, caches, logs, and the
  # host's resolver (the container runtime provides its own).
  find "$ROOTFS/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete 2>/dev/null || true
  find "$ROOTFS/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
  rm -rf "$ROOTFS"/usr/share/{man,info,locale,lintian}/* "$ROOTFS"/var/lib/apt/lists/* \
    "$ROOTFS"/var/cache/apt/* "$ROOTFS"/var/cache/debconf/*-old "$ROOTFS"/var/log/* "$ROOTFS"/tmp/* \
    "$ROOTFS"/var/cache/ldconfig/aux-cache
  for p in "${PRUNE[@]}"; do
    # shellcheck disable=SC2086  # the glob is meant to expand
    rm -rf "$ROOTFS"$p
  done
  : >"$ROOTFS/etc/resolv.conf"
  printf '%s\n' "${PKGS[@]}" >"$ROOTFS/etc/droid-base-packages"
  tar -C "$ROOTFS" --numeric-owner --sort=name -cf "$TARBALL.tmp" .
  mv "$TARBALL.tmp" "$TARBALL"
  # Earlier package lists of this base are stale now: keep the cache from growing.
  find "$CACHE" -maxdepth 1 -name "$NAME-*.tar" ! -name "$NAME-$KEY.tar" -delete
  step "$NAME root filesystem ready in $(elapsed "$start") ($(du -h "$TARBALL" | cut -f1))"
fi

# --- 3. import into buildah's store: from scratch + the tarball as one layer.
start=$(now_s)
log "importing $REF"
ctr=$(buildah from --pull=never scratch)
trap 'buildah rm "$ctr" >/dev/null 2>&1 || true; cleanup' EXIT
buildah add --quiet "$ctr" "$TARBALL" / >/dev/null
buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --env LANG=C.UTF-8 \
  --cmd /bin/bash --label "org.opencontainers.image.title=droid/$NAME" \
  --label "org.opencontainers.image.description=Debian $SUITE minbase + ${#PKGS[@]} packages, made by droid-operator's scripts/images/debian-base.sh" \
  --label "org.opencontainers.image.base.name=debootstrap:$SUITE" "$ctr"
buildah commit --quiet --rm "$ctr" "$REF" >/dev/null
buildah tag "$REF" "localhost/droid/$NAME:latest"
step "imported in $(elapsed "$start")"
echo "$REF"
