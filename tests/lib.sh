# lib.sh - helpers shared by the shell tests in tests/sh/ (sourced, not run).
#
# Gives: $tmp (a temporary folder removed on exit), pass/fail/check that
# count checks and print one line each, relsim ARGS (runs "$RELSIM" keeping
# $rc, $tmp/out and $tmp/err), show (prints them), has FILE TEXT, rc_is N,
# no_nan FILE, skip_check DESCRIPTION (a check that cannot run here: SKIP,
# counted apart), skip_all REASON (the whole test cannot run here: prints
# SKIP and exits 77, which tests/run.sh counts as skipped, never as passed)
# val DIR KIND.ENTITY.METRIC (the mean of one metric in $tmp/DIR/results.json)
# and finish (the closing count; exit status 1 if any failed).
: "${RELSIM:?set RELSIM to the relsim binary (tests/run.sh does)}"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
checks=0
skips=0

pass() { checks=$((checks + 1)); echo "ok    $*"; }
fail() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL  $*"; }
# check DESCRIPTION COMMAND...: pass if COMMAND succeeds, else fail and show.
check() { desc=$1; shift; if "$@"; then pass "$desc"; else fail "$desc"; show; fi; }

relsim() {
    set +e
    "$RELSIM" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    set -e
}

skip_check() { skips=$((skips + 1)); echo "SKIP  $*"; }
skip_all() { echo "SKIP: $*"; exit 77; }

show() {
    echo "      rc=${rc:-?}"
    sed -n '1,20s/^/      stdout: /p' "$tmp/out" 2>/dev/null || true
    sed -n '1,20s/^/      stderr: /p' "$tmp/err" 2>/dev/null || true
}

has() { grep -qF -- "$2" "$1"; }
rc_is() { [ "$rc" -eq "$1" ]; }
# no NaN or infinity printed
no_nan() { ! grep -qiE '(^|[^a-z])(-?nan|-?inf(inity)?)([^a-z]|$)' "$1"; }

finish() {
    echo "$((checks - fails)) passed, $fails failed, $skips skipped"
    [ "$fails" -eq 0 ]
}

# val DIR KIND.ENTITY.METRIC: the mean of one metric in DIR/results.json
val() {
    python3 - "$tmp/$1/results.json" "$2" <<'PY'
import json, sys
kind, ent, met = sys.argv[2].split('.')
print(json.load(open(sys.argv[1]))[kind][ent][met]['mean'])
PY
}
