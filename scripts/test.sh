#!/usr/bin/env bash
# Runs the project's test tiers and prints one report:
#   unit          the unit tests of the default build (ctest -L unit)
#   sanitize      the unit tests again under AddressSanitizer and UBSan
#   lint          clang-format and clang-tidy, clean or failing (in the background at
#                 nice 19 while the cluster tiers after it run: they leave CPU idle)
#   controlplane  a real control plane (scripts/cluster/up.sh, on its own state
#                 dir and ports), the tests labelled controlplane, then down
#   gateway       the runner through a real LiteLLM proxy (pinned; installed into the
#                 tool cache by scripts/install-litellm.sh) in front of the scripted
#                 gateway, on loopback: the tests labelled gateway
#   node          the images (scripts/images/build.sh, then the tests labelled
#                 images, the air-gap bundle among them), a cluster with its node
#                 tier on its own state dir and ports, the tests labelled node
#                 (real pods), then down; SKIP with the reason where the machine
#                 cannot run a node (not root, no cgroups, ...)
#
#   scripts/test.sh [TIER...]     (default: all six, in this order)
#
# A failing tier does not stop the others; the script fails if any tier failed.
# Each tier's full output is kept in build/test-logs/TIER.log.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need cmake ctest

LOG_DIR="${DROID_TEST_LOG_DIR:-$ROOT_DIR/build/test-logs}"
mkdir -p "$LOG_DIR"
JOBS=$(nproc)

# The control-plane tier runs its own cluster, so that a developer's cluster
# (make cluster-up) is neither used nor disturbed.
TEST_CLUSTER_ENV=(
  DROID_CLUSTER_DIR="$DROID_CACHE/cluster-test"
  DROID_APISERVER_PORT=26443 DROID_ETCD_PORT=22379
  DROID_KCM_PORT=20257 DROID_SCHEDULER_PORT=20259 DROID_NODE=0
)

# The node tier's cluster: its own state dir and ports, so that it runs beside
# the controlplane tier's and a developer's control plane (only one node tier
# per machine, though: scripts/cluster/up.sh refuses a second).
NODE_CLUSTER_ENV=(
  DROID_CLUSTER_DIR="$DROID_CACHE/cluster-node-test"
  DROID_APISERVER_PORT=27443 DROID_ETCD_PORT=23379
  DROID_KCM_PORT=21257 DROID_SCHEDULER_PORT=21259
  DROID_KUBELET_PORT=21250 DROID_KUBELET_HEALTHZ_PORT=21248
  DROID_KUBE_PROXY_METRICS_PORT=21249 DROID_KUBE_PROXY_HEALTHZ_PORT=21256
  DROID_PROMETHEUS_PORT=29090
)

# The OpenTelemetry Collector the telemetry tests (runner/telemetry) export to,
# built by scripts/build-tools.sh otelcol; they fail, naming it, without it.
OTELCOL_ENV=(DROID_OTELCOL="$DROID_BIN/otelcol-$OTELCOL_VERSION/otelcol")

build() {  # build PRESET
  cmake --preset "$1" >/dev/null
  cmake --build --preset "$1" -j "$JOBS"
}

tier_unit() {
  build default
  env "${OTELCOL_ENV[@]}" ctest --preset unit -j "$JOBS"
}

tier_sanitize() {
  build sanitize
  env "${OTELCOL_ENV[@]}" ctest --preset sanitize -j "$JOBS"
}

tier_lint() {
  need clang-format clang-tidy
  # In the background the tree was built before (the cluster tiers build in it meanwhile).
  [[ "${DROID_LINT_PREBUILT:-0}" == 1 ]] || build default >/dev/null
  local files
  mapfile -t files < <(cd "$ROOT_DIR" && git ls-files '*.cc' '*.h')
  echo "clang-format: ${#files[@]} files"
  (cd "$ROOT_DIR" && clang-format --dry-run --Werror "${files[@]}")
  # Every translation unit but the GoogleTest files, whose macros cost most of
  # clang-tidy's time and find nothing the compiler's warnings do not.
  mapfile -t files < <(cd "$ROOT_DIR" && git ls-files '*.cc' ':!:*_test.cc' ':!:tests/e2e/*_test.cc')
  echo "clang-tidy: ${#files[@]} translation units"
  # clang-tidy counts the diagnostics it suppressed in system headers on stderr: drop that line.
  (cd "$ROOT_DIR" && printf '%s\n' "${files[@]}" |
    xargs -P "$JOBS" -n 2 clang-tidy -p build/default --quiet 2> >(grep -v ' warnings generated\.$' >&2))
  echo "lint: clean"
}

tier_controlplane() {
  build default
  # A fresh cluster, removed on every path (scripts/cluster/with-cluster.sh).
  # Verbose: each ctest test is a GoogleTest program with many cases; their
  # results are what the report counts (gtest_counts).
  # The cluster's own variables too: the resilience tests restart its kube-apiserver.
  env "${TEST_CLUSTER_ENV[@]}" "$ROOT_DIR/scripts/cluster/with-cluster.sh" -- \
    env DROID_KUBECTL="$DROID_BIN/kubernetes-$KUBERNETES_VERSION/kubectl" \
    DROID_HELM="$DROID_BIN/helm-$HELM_VERSION/helm" \
    ctest --preset controlplane --verbose
}

tier_gateway() {
  build default
  local litellm
  litellm=$("$ROOT_DIR/scripts/install-litellm.sh" | tail -n 1)
  DROID_LITELLM="$litellm" ctest --preset gateway --verbose
}

# Why this machine cannot run the node tier's cluster ("" when it can).
node_tier_unsupported() {
  env "${NODE_CLUSTER_ENV[@]}" bash -c ". '$ROOT_DIR/scripts/cluster/common.sh'; node_unsupported"
}

tier_node() {
  local why
  why=$(node_tier_unsupported)
  if [[ -n "$why" ]]; then
    echo "SKIP: this machine cannot run the node tier: $why"
    return 3
  fi
  build default
  # The background prefetch (a sibling of this subshell: waited for by its result file).
  # Its failure is not fatal: build.sh and build-tools.sh do the same work and report what fails.
  while [[ -n "$PREFETCH_PID" && ! -f "$LOG_DIR/node-prefetch.rc" ]] && kill -0 "$PREFETCH_PID" 2>/dev/null; do sleep 2; done
  [[ -z "$PREFETCH_PID" || "$(cat "$LOG_DIR/node-prefetch.rc" 2>/dev/null)" == 0 ]] ||
    warn "the background prefetch failed (build/test-logs/node-prefetch.log); building the same again"
  "$ROOT_DIR/scripts/build-tools.sh" coredns kube-router
  # The images hold this build's binaries; the archives are only rewritten when an image changed.
  "$ROOT_DIR/scripts/images/build.sh" build/default
  "$ROOT_DIR/scripts/images/airgap-bundle.sh"
  DROID_HELM="$DROID_BIN/helm-$HELM_VERSION/helm" ctest --preset images --verbose
  # A fresh cluster with its node tier and the in-cluster test bed the session tests run
  # against (the chart, gateway, collector, git server, Prometheus), removed on every path;
  # another cluster's node tier (make demo's) is stopped meanwhile and started again after
  # (scripts/cluster/with-cluster.sh says so).
  env "${NODE_CLUSTER_ENV[@]}" "$ROOT_DIR/scripts/cluster/with-cluster.sh" --node --stack -- \
    env DROID_KUBECTL="$DROID_BIN/kubernetes-$KUBERNETES_VERSION/kubectl" \
    DROID_HELM="$DROID_BIN/helm-$HELM_VERSION/helm" \
    ctest --preset node --verbose
}

# gtest_counts LOG prints "PASSED FAILED" summed over the GoogleTest programs
# whose output LOG holds ("[  PASSED  ] 85 tests." / "[  FAILED  ] 2 tests, listed below:").
gtest_counts() {
  awk '/\[  PASSED  \] [0-9]+ test/ { p += $(NF-1) + 0; seen = 1 }
       /\[  FAILED  \] [0-9]+ tests?, listed below/ { f += $4 + 0; seen = 1 }
       END { if (seen) print p + 0, f + 0 }' "$1"
}

# The background prefetch's pid (set below when a run includes the node tier; empty
# otherwise, and for --run-tier).
PREFETCH_PID=

# --run-tier TIER: only that tier's work, no report (the background lint below).
if [[ ${1:-} == --run-tier ]]; then
  cd "$ROOT_DIR"
  "tier_$2"
  exit
fi

tiers=("$@")
[[ ${#tiers[@]} -gt 0 ]] || tiers=(unit sanitize lint controlplane gateway node)

# The node tier's network-bound work (debootstrap from the Debian mirror: the minbase root
# filesystem and the git server's base, about five minutes cold) starts now, beside the
# CPU-bound builds of the other tiers; tier_node waits for it. Cached: nothing to do warm.
if [[ " ${tiers[*]} " == *" node "* && -z "$(node_tier_unsupported)" ]]; then
  log "node tier: image bases and the modules of CoreDNS and kube-router in the background (log: build/test-logs/node-prefetch.log)"
  rm -f "$LOG_DIR/node-prefetch.rc"
  (
    rc=0
    "$ROOT_DIR/scripts/build-tools.sh" --download-only coredns kube-router || rc=$?
    "$ROOT_DIR/scripts/images/build.sh" --prefetch || rc=$?
    echo "$rc" >"$LOG_DIR/node-prefetch.rc"
  ) >"$LOG_DIR/node-prefetch.log" 2>&1 &
  PREFETCH_PID=$!
fi
declare -A result seconds counts
passed_total=0 failed_total=0

# record_tier TIER RC START: the result, time and test counts of a finished tier.
record_tier() {
  local t=$1 rc=$2 start=$3 passed=0 failed=0 line
  # 3 from a tier that cannot run on this machine: SKIP, shown as such (never as PASS).
  if [[ $rc -eq 0 ]]; then
    result[$t]=PASS
  elif [[ $rc -eq 3 ]] && grep -q '^SKIP: ' "$LOG_DIR/$t.log"; then
    result[$t]=SKIP
  else
    result[$t]=FAIL
  fi
  seconds[$t]=$(( $(now_s) - start ))
  # Counts: the GoogleTest cases where a tier shows them (verbose ctest), else
  # ctest's summary "100% tests passed, 0 tests failed out of 55".
  line=$(gtest_counts "$LOG_DIR/$t.log")
  if [[ ( $t != controlplane && $t != gateway && $t != node ) || -z "$line" ]]; then
    line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$LOG_DIR/$t.log" | tail -n 1 |
      sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\2 \1/' || true)
    [[ -z "$line" ]] || line="$(( ${line% *} - ${line#* } )) ${line#* }"
  fi
  if [[ -n "$line" ]]; then
    read -r passed failed <<<"$line"
    counts[$t]="$passed passed, $failed failed"
  else
    counts[$t]="-"
  fi
  [[ ${result[$t]} != SKIP ]] || counts[$t]=$(grep -m1 '^SKIP: ' "$LOG_DIR/$t.log" | cut -c7-)
  # A tier that failed outside its tests (build, lint, cluster) counts as one failure.
  [[ ${result[$t]} != FAIL || $failed -gt 0 ]] || failed=1
  passed_total=$(( passed_total + passed ))
  failed_total=$(( failed_total + failed ))
}

# DROID_TEST_DEADLINE (seconds since the epoch; .ci/run sets it from CI's time limit): a
# tier that could not finish before it on a cold machine is not started, rather than the
# whole run being killed mid-tier with no report; it is reported as FAIL ("not run: ..."),
# never as SKIP or PASS: a run that did not run a tier for want of time has not passed.
# (SKIP is only for a tier this machine cannot run at all, e.g. the node tier without root.)
# Cold costs measured on the 2-core CI machine type, rounded up (node: 20, plus up to 4 for
# building kube-router, 4.2 min of CPU).
declare -A TIER_COLD_MINUTES=([unit]=25 [sanitize]=25 [lint]=30 [controlplane]=8 [gateway]=8 [node]=24)
fits_deadline() {  # TIER
  [[ -n "${DROID_TEST_DEADLINE:-}" ]] || return 0
  (( $(now_s) + TIER_COLD_MINUTES[$1] * 60 <= DROID_TEST_DEADLINE ))
}

# The cluster tiers leave much of the CPU idle (waiting for the API server and pods), and
# lint needs nothing from them: when one follows it, lint runs in the background at the
# lowest CPU priority (nice 19: it takes only what they leave) and is waited for at the end.
LINT_PID= lint_in_background=0 seen_lint=0
# An interrupted run (Ctrl-C, a CI timeout) does not leave the background lint running.
stop_background_lint() {
  if [[ -n "$LINT_PID" ]] && kill -0 "$LINT_PID" 2>/dev/null; then
    kill -TERM -- "-$(cat "$LOG_DIR/lint.pgid" 2>/dev/null)" 2>/dev/null || true
  fi
}
trap stop_background_lint EXIT
trap 'exit 130' INT TERM
for t in "${tiers[@]}"; do
  [[ $t != lint ]] || seen_lint=1
  [[ $seen_lint -eq 0 || ( $t != controlplane && $t != gateway && $t != node ) ]] || lint_in_background=1
done
for t in "${tiers[@]}"; do
  declare -F "tier_$t" >/dev/null || die "unknown tier '$t' (unit, sanitize, lint, controlplane, gateway, node)"
  start=$(now_s)
  if [[ $t == lint && $lint_in_background -eq 1 ]]; then
    # Built here, before the cluster tiers build in the same tree (lint itself then does not).
    if ! (cd "$ROOT_DIR" && build default >"$LOG_DIR/lint.log" 2>&1); then
      log "tier lint (log: build/test-logs/lint.log)"
      tail -n 20 "$LOG_DIR/lint.log"
      record_tier lint 1 "$start"
      continue
    fi
    log "tier lint in the background at nice 19, beside the cluster tiers (log: build/test-logs/lint.log)"
    rm -f "$LOG_DIR/lint.rc"
    # Its own session, so its own scheduler autogroup, whose nice is set too: with autogroups
    # (Debian's default) a process's nice counts only against its own group.
    (
      set +e
      DROID_LINT_PREBUILT=1 setsid --wait bash -c 'echo $$ >"$0"; echo 19 >/proc/self/autogroup 2>/dev/null; exec nice -n 19 "$@"' \
        "$LOG_DIR/lint.pgid" "$ROOT_DIR/scripts/$(basename "$0")" --run-tier lint >"$LOG_DIR/lint.log" 2>&1
      echo $? >"$LOG_DIR/lint.rc"
    ) &
    LINT_PID=$! LINT_START=$start
    continue
  fi
  if ! fits_deadline "$t"; then
    log "tier $t (log: build/test-logs/$t.log)"
    echo "not run: $(( (DROID_TEST_DEADLINE - $(now_s)) / 60 )) minutes are left before DROID_TEST_DEADLINE and a cold $t tier takes up to ${TIER_COLD_MINUTES[$t]} minutes" |
      tee "$LOG_DIR/$t.log"
    record_tier "$t" 1 "$start"
    counts[$t]="not run: out of time"
    continue
  fi
  log "tier $t (log: build/test-logs/$t.log)"
  # The tier runs in a subshell with -e, so its first failing command fails it;
  # not in an `if`, where bash would ignore -e inside it.
  set +e
  # tee ignores SIGINT/SIGTERM: on Ctrl-C the tier's cleanup (with-cluster.sh removing
  # its cluster) still writes to it, and would die of SIGPIPE with tee gone.
  (set -e; cd "$ROOT_DIR"; "tier_$t") 2>&1 | (trap '' INT TERM; exec tee "$LOG_DIR/$t.log")
  rc=${PIPESTATUS[0]}
  set -e
  record_tier "$t" "$rc" "$start"
done
if [[ -n "$LINT_PID" ]]; then
  log "tier lint (started in the background; log: build/test-logs/lint.log)"
  # Up to the deadline (a minute before, to report): then it is stopped and reported as FAIL
  # with how far it got, never as passed or skipped.
  while kill -0 "$LINT_PID" 2>/dev/null; do
    if [[ -n "${DROID_TEST_DEADLINE:-}" ]] && (( $(now_s) + 60 >= DROID_TEST_DEADLINE )); then
      stop_background_lint
      wait "$LINT_PID" 2>/dev/null || true
      if grep -qE '(error|warning):' "$LOG_DIR/lint.log"; then
        echo "stopped at DROID_TEST_DEADLINE; it had already found the problems above" >>"$LOG_DIR/lint.log"
        echo 1 >"$LOG_DIR/lint.rc"
      else
        echo "not finished: stopped at DROID_TEST_DEADLINE after $(( $(now_s) - LINT_START ))s, clean so far but before clang-tidy had checked every unit" >>"$LOG_DIR/lint.log"
        echo 1 >"$LOG_DIR/lint.rc"
      fi
      break
    fi
    sleep 5
  done
  wait "$LINT_PID" 2>/dev/null || true
  tail -n 60 "$LOG_DIR/lint.log"
  record_tier lint "$(cat "$LOG_DIR/lint.rc" 2>/dev/null || echo 1)" "$LINT_START"
fi

echo
log "test report"
printf '    %-14s %-6s %8s   %s\n' tier result time tests
any_failed=0
for t in "${tiers[@]}"; do
  printf '    %-14s %-6s %7ss   %s\n' "$t" "${result[$t]}" "${seconds[$t]}" "${counts[$t]}"
  [[ ${result[$t]} != FAIL ]] || any_failed=1
done
if [[ $any_failed -ne 0 ]]; then
  warn "failed tiers: see build/test-logs/<tier>.log"
  # The failed cases and their assertion messages, last, where a CI excerpt of
  # the end of the output shows them (the logs themselves can be megabytes).
  for t in "${tiers[@]}"; do
    [[ ${result[$t]} == FAIL ]] || continue
    echo "--- failures in tier $t"
    grep -E '^([0-9]+: )?\[  FAILED  \] [A-Za-z]' "$LOG_DIR/$t.log" | sort -u | head -n 40 || true
    grep -E -A 8 ': Failure$' "$LOG_DIR/$t.log" | grep -v '"level":' | cut -c1-400 | head -n 120 || true
    grep -E '(\*\*\*Failed|\*\*\*Timeout|\*\*\*Exception|Error [0-9]+$|error:)' "$LOG_DIR/$t.log" | head -n 20 || true
  done
fi
echo "tests: $passed_total passed, $failed_total failed"
exit "$any_failed"
