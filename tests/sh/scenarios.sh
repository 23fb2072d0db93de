#!/bin/sh
# Every example scenario validates, and each lesson scenario still shows its
# lesson (with margin), so the library cannot silently rot.
set -eu
: "${RELSIM:?}"
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
for f in "$here"/scenarios/*.json; do
    if "$RELSIM" check "$f"; then echo "ok   check $(basename "$f")"; else echo "FAIL check $f"; fail=1; fi
done

run() { "$RELSIM" run "$here/scenarios/$1.json" -q --no-plots -o "$tmp/$1" "$@" >/dev/null 2>&1 || true; }
# success rate over the bins that start at or after T (ended requests pooled)
after() {
    python3 - "$tmp/$1/timeseries.csv" "$2" <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if float(r['t_start']) >= float(sys.argv[2])]
vals = [float(r['client.web.success']) for r in rows if r['client.web.success']]
print(sum(vals) / len(vals))
PY
}
expect() { # name value op bound
    if python3 -c "import sys; sys.exit(0 if $2 $3 $4 else 1)"; then
        echo "ok   $1: $2 $3 $4"
    else
        echo "FAIL $1: $2 not $3 $4"; fail=1
    fi
}

for s in retry-storm retry-storm-budget retry-storm-breaker no-retry; do
    "$RELSIM" run "$here/scenarios/$s.json" -q --no-plots -o "$tmp/$s" >/dev/null
done
expect "retry-storm stays collapsed after the spike (success, t >= 100)" "$(after retry-storm 100)" "<" 0.1
expect "retry-storm-budget recovers (success, t >= 100)" "$(after retry-storm-budget 100)" ">" 0.9
expect "retry-storm-breaker recovers (success, t >= 100)" "$(after retry-storm-breaker 100)" ">" 0.9
expect "no-retry recovers (success, t >= 100)" "$(after no-retry 100)" ">" 0.9
expect "retry-storm was healthy before the spike" "$(python3 - "$tmp/retry-storm/timeseries.csv" <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if float(r['t_end']) <= 60]
print(min(float(r['client.web.success']) for r in rows))
PY
)" ">" 0.95

"$RELSIM" run "$here/scenarios/multi-tier.json" -q --no-plots -o "$tmp/mt" >/dev/null
amp=$(python3 -c "import json; print(json.load(open('$tmp/mt/results.json'))['pools']['db']['load_amplification']['mean'])")
expect "multi-tier: attempts at the dead bottom tier per request" "$amp" "==" 27

"$RELSIM" run "$here/scenarios/repair-crews.json" -q --no-plots -r 4 -o "$tmp/rc1" >/dev/null
"$RELSIM" run "$here/scenarios/repair-crews.json" -q --no-plots -r 4 -o "$tmp/rcn" --set pools.fleet.repair_crews=0 >/dev/null
a1=$(python3 -c "import json; print(json.load(open('$tmp/rc1/results.json'))['pools']['fleet']['system_availability']['mean'])")
an=$(python3 -c "import json; print(json.load(open('$tmp/rcn/results.json'))['pools']['fleet']['system_availability']['mean'])")
expect "repair-crews: one crew is worse than one per server" "$a1" "<" "$an - 0.1"

"$RELSIM" run "$here/scenarios/weibull-wearout.json" -q --no-plots -r 3 --horizon 20000 -o "$tmp/ww" >/dev/null
v=$(python3 -c "
import json
mc = json.load(open('$tmp/ww/results.json'))['model_check']
print(1 if all(m['verdict'] == 'not applicable' for m in mc if 'availability' in m['quantity']) else 0)")
expect "weibull-wearout: exponential formulas declared not applicable" "$v" "==" 1

exit $fail
