#!/usr/bin/env bash
# scripts/test.sh with DROID_TEST_DEADLINE already passed: the tiers it could not run for
# want of time are reported as FAIL ("not run: out of time"), and the run fails; never a
# SKIP that lets the run pass. No tier starts, so nothing is built. Label unit.
set -euo pipefail
ROOT_DIR=$(cd "$(dirname "$0")/../../.." && pwd)
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
rc=0
out=$(DROID_TEST_LOG_DIR="$logs" DROID_TEST_DEADLINE=$(date +%s) "$ROOT_DIR/scripts/test.sh" unit controlplane 2>&1) || rc=$?
echo "$out" | tail -n 8
passed=0 failed=0
expect() {  # expect DESCRIPTION COMMAND...
  if "${@:2}"; then passed=$((passed + 1)); echo "[  OK  ] $1"; else failed=$((failed + 1)); echo "[ FAIL ] $1"; fi
}
expect "the run fails (exit $rc)" test "$rc" -eq 1
expect "unit is reported FAIL, not run: out of time" grep -qE '^ +unit +FAIL .*not run: out of time' <<<"$out"
expect "controlplane is reported FAIL, not run: out of time" grep -qE '^ +controlplane +FAIL .*not run: out of time' <<<"$out"
expect "no tier is reported SKIP" bash -c '! grep -qE "^ +[a-z]+ +SKIP " <<<"$0"' "$out"
expect "no tier ran (its log holds only the reason)" test "$(wc -l <"$logs/unit.log")" -eq 1
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
