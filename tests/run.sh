#!/bin/sh
# Runs every test: the cmocka binaries in $BUILD/tests and the shell tests in
# tests/sh/*.sh (each gets $RELSIM, the binary under test), or only the test
# files named as arguments.  Prints one line per test and the closing
# "N passed, N failed, N skipped" line.  A test that exits 77 (the automake
# convention; tests/lib.sh `skip`) could not run here: it prints SKIP and is
# counted as skipped, never as passed.
: "${BUILD:=build}"
: "${RELSIM:=$BUILD/relsim}"
export RELSIM BUILD
here=$(cd "$(dirname "$0")" && pwd)
export TESTS_DIR="$here"
pass=0; fail=0; skip=0
log="$BUILD/test-logs"
mkdir -p "$log"
if [ $# -eq 0 ]; then
    set -- "$BUILD"/tests/test_* "$here"/sh/*.sh
fi
for t in "$@"; do
    [ -e "$t" ] || continue
    name=$(basename "$t")
    case "$t" in
        *.sh) cmd="sh $t" ;;
        *) cmd="$t" ;;
    esac
    start=$(date +%s)
    $cmd >"$log/$name.log" 2>&1
    rc=$?
    # checks skipped inside a passing test (cmocka skip(), lib.sh skip_check) are named
    inner=$(grep -cE '^\[  SKIPPED \]|^SKIP  ' "$log/$name.log" || true)
    if [ "$rc" -eq 0 ] && [ "$inner" -gt 0 ]; then
        pass=$((pass + 1))
        printf '  ok    %-32s %3ss  (%s check(s) SKIPPED inside: see %s)\n' "$name" \
            $(( $(date +%s) - start )) "$inner" "$log/$name.log"
    elif [ "$rc" -eq 0 ]; then
        pass=$((pass + 1)); printf '  ok    %-32s %3ss\n' "$name" $(( $(date +%s) - start ))
    elif [ "$rc" -eq 77 ]; then
        skip=$((skip + 1))
        printf '  SKIP  %-32s %s\n' "$name" "$(grep -m1 -i '^skip' "$log/$name.log" | cut -c1-100)"
    else
        fail=$((fail + 1))
        printf '  FAIL  %-32s (log: %s)\n' "$name" "$log/$name.log"
        tail -n 25 "$log/$name.log" | sed 's/^/        /'
    fi
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
