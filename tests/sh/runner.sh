#!/bin/sh
# runner.sh - the test runner and the skip convention: a test that cannot run
# here (exit 77) is reported as SKIP and counted as skipped, never as passed
# (tests/run.sh), and tests/sh/mpi.sh without an MPI build and
# tests/sh/browser.sh without chromium skip that way.
set -eu
. "$TESTS_DIR/lib.sh"

mkdir -p "$tmp/b"
printf 'echo "SKIP: nothing to run here"; exit 77\n' >"$tmp/skipper.sh"
printf 'echo fine; exit 0\n' >"$tmp/passer.sh"
printf 'echo broken; exit 1\n' >"$tmp/failer.sh"

set +e
BUILD="$tmp/b" sh "$TESTS_DIR/run.sh" "$tmp/skipper.sh" "$tmp/passer.sh" >"$tmp/out" 2>&1
rc=$?
set -e
check "run.sh: a test exiting 77 is listed as SKIP with its reason" \
    has "$tmp/out" "SKIP  skipper.sh"
check "run.sh: the reason is shown" has "$tmp/out" "nothing to run here"
check "run.sh: closing line counts it as skipped, not passed (exit 0)" \
    eval 'rc_is 0 && has "$tmp/out" "1 passed, 0 failed, 1 skipped"'

set +e
BUILD="$tmp/b" sh "$TESTS_DIR/run.sh" "$tmp/failer.sh" "$tmp/skipper.sh" >"$tmp/out" 2>&1
rc=$?
set -e
check "run.sh: a failing test still fails the run" \
    eval '! rc_is 0 && has "$tmp/out" "0 passed, 1 failed, 1 skipped"'

printf 'echo "ok    one"; echo "SKIP  two: no tool"; exit 0\n' >"$tmp/partial.sh"
set +e
BUILD="$tmp/b" sh "$TESTS_DIR/run.sh" "$tmp/partial.sh" >"$tmp/out" 2>&1
set -e
check "run.sh: a passing test with skipped checks inside says so" \
    eval 'has "$tmp/out" "1 check(s) SKIPPED inside"'

set +e
RELSIM_MPI_BIN="$tmp/no-such-mpi-relsim" sh "$TESTS_DIR/sh/mpi.sh" >"$tmp/out" 2>&1
rc=$?
set -e
check "mpi.sh without an MPI build: exit 77 (SKIP), not ok" \
    eval 'rc_is 77 && has "$tmp/out" "SKIP: no MPI"'

set +e
RELSIM_CHROMIUM="" sh "$TESTS_DIR/sh/browser.sh" >"$tmp/out" 2>&1
rc=$?
set -e
check "browser.sh without chromium: exit 77 (SKIP), not ok" \
    eval 'rc_is 77 && has "$tmp/out" "SKIP: chromium not installed"'

finish
