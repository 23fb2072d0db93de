#!/bin/sh
# run.sh - run every libFuzzer harness built by `make fuzz` for FUZZ_SECONDS
# each (default 60), then report.  Usage: sh tests/fuzz/run.sh [FUZZ_BUILD]
#
# Corpus directories, in libFuzzer's order (new inputs go to the first):
#   FUZZ_BUILD/corpus/NAME          grows across runs, never committed
#   tests/fuzz/regressions/NAME     every crash found so far (must stay fixed)
#   seeds: fuzz_loader: scenarios/ and tests/bad/; fuzz_set, fuzz_variants,
#   fuzz_sweep_read: tests/fuzz/seeds/NAME/ (fuzz_sweep_read: and tests/fixtures/sweep1/)
# A crash leaves FUZZ_BUILD/artifacts/NAME/crash-* (or leak-*, timeout-*):
# minimise it, copy it to tests/fuzz/regressions/NAME/, fix, rerun.
# Exit status: 0 if no harness found anything, 1 otherwise.
set -u
build=${1:-build/fuzz}
secs=${FUZZ_SECONDS:-60}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
status=0
for name in fuzz_loader fuzz_set fuzz_variants fuzz_sweep_read; do
    bin="$build/fuzz/$name"
    if [ ! -x "$bin" ]; then
        echo "fuzz: $bin not built (run: make fuzz)"
        status=1
        continue
    fi
    corpus="$build/corpus/$name"
    art="$build/artifacts/$name"
    mkdir -p "$corpus" "$art" "tests/fuzz/regressions/$name"
    case $name in
    fuzz_loader) seeds="scenarios tests/bad"; dict="-dict=tests/fuzz/scenario.dict" ;;
    fuzz_sweep_read) seeds="tests/fuzz/seeds/$name tests/fixtures/sweep1"; dict="-dict=tests/fuzz/scenario.dict" ;;
    *) seeds="tests/fuzz/seeds/$name"; dict="-dict=tests/fuzz/scenario.dict" ;;
    esac
    log="$build/$name.log"
    # -timeout: one input may take at most 10 s; -rss_limit_mb: no runaway
    # allocation; -max_len: scenario files beyond 64 KiB add nothing here.
    # shellcheck disable=SC2086
    "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 -artifact_prefix="$art/" $dict \
        "$corpus" "tests/fuzz/regressions/$name" $seeds >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
    if [ $rc -eq 0 ]; then
        echo "fuzz: ok    $name: ${runs:-?} executions in ${secs} s, $cov, corpus $(ls "$corpus" | wc -l) files"
    else
        status=1
        echo "fuzz: FAIL  $name (exit $rc): see $log; inputs in $art/"
        grep -E 'ERROR|SUMMARY|Test unit written|==[0-9]+==' "$log" | head -n 20 | sed 's/^/      /'
    fi
done
exit $status
