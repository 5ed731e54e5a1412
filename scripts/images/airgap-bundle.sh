#!/usr/bin/env bash
# Writes the air-gap bundle (SPEC §7): one archive with everything an installation
# without network needs, then verifies it.
#
#   build/droid-operator-airgap-<version>.tar.gz
#     droid-operator-airgap-<version>/
#       README.md              how to load the images and install, offline
#       images/<name>.tar      docker-archives, tagged localhost/droid/<name>:<version>
#       images/images.txt      name, reference, image ID, archive
#       chart/droid-operator-<version>.tgz   `helm package` of charts/droid-operator
#       crds/*.yaml            the CustomResourceDefinitions (also inside the chart)
#       seccomp/droid-runner.json            the runner pod's Localhost seccomp profile
#       SHA256SUMS             of every file above
#
#   scripts/images/airgap-bundle.sh [BUILD_DIR]
#
# Builds the images first (scripts/images/build.sh BUILD_DIR; cached, so cheap when
# they are current); DROID_AIRGAP_SKIP_IMAGES=1 takes build/images/*.tar as they are.
# The verification unpacks the archive into a temporary directory and checks every
# checksum and that every image archive carries its tag.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
cd "$ROOT_DIR"

BUILD_DIR=${1:-build/default}
VERSION="${DROID_IMAGE_VERSION:-$(sed -nE 's/^project\(droid-operator VERSION ([0-9.]+).*/\1/p' CMakeLists.txt)}"
HELM="${DROID_HELM:-$DROID_BIN/helm-$HELM_VERSION/helm}"
IMAGES=(operator runner scripted-gateway otel-collector git-server pause)
NAME="droid-operator-airgap-$VERSION"
STAGE="$ROOT_DIR/build/airgap"
BUNDLE="$ROOT_DIR/build/$NAME.tar.gz"
need tar gzip sha256sum jq
[[ -x "$HELM" ]] || die "no helm at $HELM: run scripts/build-tools.sh (make tools) or set DROID_HELM"
total=$(now_s)

if [[ "${DROID_AIRGAP_SKIP_IMAGES:-0}" != 1 ]]; then
  scripts/images/build.sh "$BUILD_DIR" "${IMAGES[@]}"
fi

log "staging $NAME"
rm -rf "$STAGE"
DIR="$STAGE/$NAME"
mkdir -p "$DIR/images" "$DIR/chart" "$DIR/crds" "$DIR/seccomp"
: >"$DIR/images/images.txt"
for name in "${IMAGES[@]}"; do
  archive="build/images/$name.tar"
  [[ -s "$archive" ]] || die "$archive is missing: run scripts/images/build.sh"
  ref=$(tar -xOf "$archive" manifest.json | jq -r '.[0].RepoTags[0]')
  [[ "$ref" == "localhost/droid/$name:$VERSION" ]] || die "$archive is $ref, not localhost/droid/$name:$VERSION"
  cp "$archive" "$DIR/images/$name.tar"
  printf '%-18s %-45s %s images/%s.tar\n' "$name" "$ref" "$(cat "$archive.id" 2>/dev/null || echo -)" "$name" \
    >>"$DIR/images/images.txt"
  step "images/$name.tar ($(du -h "$archive" | cut -f1))"
done
"$HELM" package charts/droid-operator --destination "$DIR/chart" >/dev/null
step "chart/$(ls "$DIR/chart")"
cp crds/*.yaml "$DIR/crds/"
cp policies/seccomp/droid-runner.json "$DIR/seccomp/"
sed -e "s/@VERSION@/$VERSION/g" scripts/images/airgap-README.md >"$DIR/README.md"
(cd "$DIR" && find . -type f ! -name SHA256SUMS -printf '%P\n' | sort | xargs sha256sum >SHA256SUMS)

log "writing $BUNDLE"
start=$(now_s)
tar -C "$STAGE" --sort=name --owner=0 --group=0 --numeric-owner -cf - "$NAME" | gzip -1 >"$BUNDLE.tmp"  # fast: the images are the bulk and compress little better at -6
mv "$BUNDLE.tmp" "$BUNDLE"
(cd "$(dirname "$BUNDLE")" && sha256sum "$(basename "$BUNDLE")" >"$BUNDLE.sha256")
rm -rf "$STAGE"
step "$(du -h "$BUNDLE" | cut -f1) in $(elapsed "$start")"

log "verifying $BUNDLE"
CHECK=$(mktemp -d)
trap 'rm -rf "$CHECK"' EXIT
(cd "$(dirname "$BUNDLE")" && sha256sum --quiet -c "$(basename "$BUNDLE").sha256")
tar -C "$CHECK" -xzf "$BUNDLE"
(cd "$CHECK/$NAME" && sha256sum --quiet --strict -c SHA256SUMS) || die "a checksum in $BUNDLE does not match"
count=$(wc -l <"$CHECK/$NAME/SHA256SUMS")
listed=$(find "$CHECK/$NAME" -type f ! -name SHA256SUMS | wc -l)
[[ "$count" -eq "$listed" ]] || die "SHA256SUMS lists $count files, the bundle has $listed"
for name in "${IMAGES[@]}"; do
  ref=$(tar -xOf "$CHECK/$NAME/images/$name.tar" manifest.json | jq -r '.[0].RepoTags[0]')
  [[ "$ref" == "localhost/droid/$name:$VERSION" ]] || die "images/$name.tar is tagged $ref"
done
step "$count checksums match; ${#IMAGES[@]} image archives tagged"
log "air-gap bundle ready in $(elapsed "$total"): $BUNDLE"
echo "$BUNDLE"
