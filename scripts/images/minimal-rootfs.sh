#!/bin/bash
# Assembles a "distroless" root filesystem in OUT from the filesystem it runs in
# (stage 1 of the project's Dockerfiles, FROM a Debian base made by debian-base.sh):
#
#   minimal-rootfs.sh OUT [--user NAME:UID] [--ca] PATH...
#
#   PATH...        files copied to the same path under OUT; for every dynamically
#                  linked ELF file among them, its whole shared-library closure (ldd,
#                  transitively: ldd already reports indirect dependencies) and the
#                  program interpreter are copied too, and OUT gets its own
#                  /etc/ld.so.cache listing only those libraries.
#   --user N:UID   /etc/passwd and /etc/group with root and the non-root user N
#                  (uid = gid = UID, home /home/N), shell /sbin/nologin (which does not exist:
#                  there is no shell), and a writable /tmp (1777).
#   --ca           the CA bundle /etc/ssl/certs/ca-certificates.crt, and the OpenSSL
#                  default locations (/usr/lib/ssl/{cert.pem,certs}) pointing at it.
#
# Fails when a library cannot be found (ldd "not found"), so an image with an
# incomplete closure is never built. The result has no shell and no package manager.
set -euo pipefail

[[ $# -ge 2 ]] || { echo "usage: $0 OUT [--user NAME:UID] [--ca] PATH..." >&2; exit 2; }
OUT=$1
shift
USER_SPEC=""
CA=0
FILES=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --user) USER_SPEC=$2; shift 2 ;;
    --ca) CA=1; shift ;;
    *) FILES+=("$1"); shift ;;
  esac
done

mkdir -p "$OUT"
# Merged /usr like the Debian it comes from: /lib and /lib64 are links into /usr, so the
# interpreter path compiled into every binary (/lib64/ld-linux-x86-64.so.2) resolves.
for d in lib lib64; do
  if [[ -L /$d ]]; then
    ln -sfn "$(readlink "/$d")" "$OUT/$d"
  fi
done

copy() {  # copy PATH (dereferenced) to OUT at its real path, and keep the name it was asked by
  local src=$1 real
  real=$(readlink -f "$src")
  [[ -e "$OUT$real" ]] || { mkdir -p "$OUT$(dirname "$real")"; cp -p "$real" "$OUT$real"; }
  local asked
  asked="$(cd "$(dirname "$src")" && pwd -P)/$(basename "$src")"
  if [[ "$asked" != "$real" && ! -e "$OUT$asked" ]]; then
    mkdir -p "$OUT$(dirname "$asked")"
    ln -s "$real" "$OUT$asked"
  fi
}

LIBDIRS=()
for f in "${FILES[@]}"; do
  [[ -e "$f" ]] || { echo "minimal-rootfs: $f does not exist" >&2; exit 1; }
  copy "$f"
  # Only dynamically linked ELF files have a closure (static ones and scripts do not).
  if [[ "$(head -c4 "$f" | od -An -c | tr -d ' ')" == '177ELF' ]] && ldd "$f" >/dev/null 2>&1; then
    deps=$(ldd "$f")
    if grep -q 'not found' <<<"$deps"; then
      echo "minimal-rootfs: $f: missing libraries:" >&2
      grep 'not found' <<<"$deps" >&2
      exit 1
    fi
    while read -r lib; do
      copy "$lib"
      LIBDIRS+=("$(dirname "$(readlink -f "$lib")")")
    done < <(awk '/=> \// {print $3} /^[ \t]*\/[^ ]+ \(0x/ {print $1}' <<<"$deps")
  fi
done

if [[ ${#LIBDIRS[@]} -gt 0 ]]; then
  mkdir -p "$OUT/etc"
  printf '%s\n' "${LIBDIRS[@]}" | sort -u >"$OUT/etc/ld.so.conf"
  ldconfig -r "$OUT"
fi

if [[ -n "$USER_SPEC" ]]; then
  name=${USER_SPEC%%:*}
  uid=${USER_SPEC##*:}
  mkdir -p "$OUT/etc" "$OUT/tmp" "$OUT/home/$name"
  printf 'root:x:0:0:root:/root:/sbin/nologin\n%s:x:%s:%s:%s:/home/%s:/sbin/nologin\n' \
    "$name" "$uid" "$uid" "$name" "$name" >"$OUT/etc/passwd"
  printf 'root:x:0:\n%s:x:%s:\n' "$name" "$uid" >"$OUT/etc/group"
  chmod 1777 "$OUT/tmp"
  chown "$uid:$uid" "$OUT/home/$name"
  chmod 0755 "$OUT/home/$name"
fi

if [[ $CA -eq 1 ]]; then
  bundle=/etc/ssl/certs/ca-certificates.crt
  [[ -s $bundle ]] || { echo "minimal-rootfs: no CA bundle at $bundle (install ca-certificates in the base)" >&2; exit 1; }
  mkdir -p "$OUT/etc/ssl/certs" "$OUT/usr/lib/ssl"
  cp "$bundle" "$OUT$bundle"
  ln -sfn /etc/ssl/certs "$OUT/usr/lib/ssl/certs"
  ln -sfn "$bundle" "$OUT/usr/lib/ssl/cert.pem"
fi

echo "minimal-rootfs: $(find "$OUT" -type f | wc -l) files, $(du -sh "$OUT" | cut -f1)" >&2
