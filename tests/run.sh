#!/bin/sh
# Runs every test: the cmocka binaries in $BUILD/tests and the shell tests in
# tests/sh/*.sh (each gets $RELSIM, the binary under test).  Prints one line
# per test and the closing "N passed, N failed" line.
: "${BUILD:=build}"
: "${RELSIM:=$BUILD/relsim}"
export RELSIM BUILD
here=$(cd "$(dirname "$0")" && pwd)
export TESTS_DIR="$here"
pass=0; fail=0; failed=""
log="$BUILD/test-logs"
mkdir -p "$log"
for t in "$BUILD"/tests/test_* "$here"/sh/*.sh; do
    [ -e "$t" ] || continue
    name=$(basename "$t")
    case "$t" in
        *.sh) cmd="sh $t" ;;
        *) cmd="$t" ;;
    esac
    start=$(date +%s)
    if $cmd >"$log/$name.log" 2>&1; then
        pass=$((pass + 1)); printf '  ok    %-32s %3ss\n' "$name" $(( $(date +%s) - start ))
    else
        fail=$((fail + 1)); failed="$failed $name"
        printf '  FAIL  %-32s (log: %s)\n' "$name" "$log/$name.log"
        tail -n 25 "$log/$name.log" | sed 's/^/        /'
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
