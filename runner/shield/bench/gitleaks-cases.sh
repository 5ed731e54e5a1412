#!/usr/bin/env bash
# Regenerates runner/shield/testdata/gitleaks/{tps,fps}.tsv: every true- and
# false-positive test case of the rules of the pinned gitleaks release
# (tools/gitleaks/go.mod), as its rule definitions validate them.
#
#   runner/shield/bench/gitleaks-cases.sh
#
# Copies the rule definitions (cmd/generate/config/{rules,utils}) from the Go
# module cache into a temporary module, makes utils.Validate record its cases
# (tools/gitleaks/cases/record.go), and runs tools/gitleaks/cases/main.go over
# every rule upstream's generator lists. Nothing fetched is kept but the cases.
# Cases that come from random generators (secrets.NewSecret) differ between runs.
set -euo pipefail

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
OUT="$ROOT_DIR/runner/shield/testdata/gitleaks"
export GOTOOLCHAIN=local GOSUMDB=off GOFLAGS=-buildvcs=false CGO_ENABLED=0

version="$(sed -n 's/^GITLEAKS_VERSION=//p' "$ROOT_DIR/scripts/versions.env")"
module="github.com/zricethezav/gitleaks/v8"
echo "gitleaks-cases: downloading $module@$version (Go module proxy)"
src="$(cd "$ROOT_DIR/tools/gitleaks" && go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[[ -d "$src/cmd/generate/config/rules" ]] || { echo "gitleaks-cases: no rules in $src" >&2; exit 1; }

work="$(mktemp -d /tmp/gitleaks-cases-XXXXXX)"
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
echo "gitleaks-cases: building the case dumper in $work"
cp -r "$src/cmd/generate/config/rules" "$src/cmd/generate/config/utils" "$work/"
chmod -R u+w "$work"
rm -f "$work"/rules/*_test.go "$work"/utils/*_test.go
# The copied packages import each other as casegen/...; everything else stays upstream's.
sed -i "s#\"$module/cmd/generate/config/utils\"#\"casegen/utils\"#" "$work"/rules/*.go
# Validate and ValidateWithPaths record their cases and return the rule unchecked.
sed -i -e 's/^\(func Validate(rule config.Rule, truePositives \[\]string, falsePositives \[\]string) \*config.Rule {\)$/\1\n\trecord(rule.RuleID, truePositives, falsePositives)\n\treturn \&rule/' \
  -e 's/^\(func ValidateWithPaths(rule config.Rule, truePositives map\[string\]string, falsePositives map\[string\]string) \*config.Rule {\)$/\1\n\trecordPaths(rule.RuleID, truePositives, falsePositives)\n\treturn \&rule/' \
  "$work/utils/validate.go"
grep -q '^	record(' "$work/utils/validate.go" && grep -q '^	recordPaths(' "$work/utils/validate.go" ||
  { echo "gitleaks-cases: utils.Validate changed shape upstream; update the patch" >&2; exit 1; }
sed 1,2d "$ROOT_DIR/tools/gitleaks/cases/record.go" >"$work/utils/record.go"
sed 1,2d "$ROOT_DIR/tools/gitleaks/cases/main.go" >"$work/main.go"
{
  echo 'package main'
  echo 'import ("casegen/rules"; "'"$module"'/config")'
  echo 'var allRules = []func() *config.Rule{'
  grep -v '^[[:space:]]*//' "$src/cmd/generate/config/main.go" | grep -o 'rules\.[A-Za-z0-9_]*()' | sed 's/()$/,/'
  echo '}'
} >"$work/rule_list.go"
cat >"$work/go.mod" <<MOD
module casegen

go 1.24

require $module $version
MOD
(cd "$work" && go mod tidy >/dev/null 2>&1 && go run . "$work/tps.tsv" "$work/fps.tsv") ||
  { echo "gitleaks-cases: the dumper failed (rerun with the commands above in $work)" >&2; exit 1; }
mkdir -p "$OUT"
cp "$work/tps.tsv" "$work/fps.tsv" "$OUT/"
echo "gitleaks-cases: $(grep -vc '^#' "$OUT/tps.tsv") true positives, $(grep -vc '^#' "$OUT/fps.tsv") false positives in $OUT"
