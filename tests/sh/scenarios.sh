#!/bin/sh
# Every example scenario validates, and each lesson scenario still shows its
# lesson (with margin), so the library cannot silently rot.
set -eu
: "${RELSIM:?}"
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
for f in "$here"/scenarios/*.json "$here"/scenarios/published/*.json; do
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
# Every ended request made exactly 3 x 3 x 3 = 27 db attempts; a request still
# in flight at the horizon (20/s x a few ms: about 0.1 per replication) has
# made some of its 27 without ending, so the ratio is 27 plus at most
# 26/1200 per replication.
expect "multi-tier: attempts at the dead bottom tier per request" "$amp" ">=" 27
expect "multi-tier: ... up to the requests in flight at the horizon" "$amp" "<" 27.03

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

# mean of a statistic in a results.json: stat DIR pools|clients NAME METRIC
stat() { python3 -c "import json, sys; print(json.load(open(sys.argv[1] + '/results.json'))[sys.argv[2]][sys.argv[3]][sys.argv[4]]['mean'])" "$tmp/$1" "$2" "$3" "$4"; }
# highest per-bin value of a timeseries.csv column: peak DIR COLUMN
peak() { python3 -c "import csv, sys; print(max(float(r[sys.argv[2]]) for r in csv.DictReader(open(sys.argv[1] + '/timeseries.csv'))))" "$tmp/$1" "$2"; }

"$RELSIM" run "$here/scenarios/jitter.json" -q --no-plots -o "$tmp/jit" >/dev/null
expect "jitter: lockstep retries make an attempt spike (peak attempts/s, sync vs 3 x jittered)" \
    "$(peak jit client.sync.attempts)" ">" "3 * $(peak jit client.jittered.attempts)"
expect "jitter: the lockstep batch loses requests (success, sync)" "$(stat jit clients sync request_success)" "<" 0.997
expect "jitter: the jittered batch is absorbed (success, jittered)" "$(stat jit clients jittered request_success)" ">" 0.9995
expect "jitter: longer tail without jitter (p99, sync vs 1.3 x jittered)" \
    "$(stat jit clients sync latency_p99)" ">" "1.3 * $(stat jit clients jittered latency_p99)"

"$RELSIM" run "$here/scenarios/hedging-tail.json" -q --no-plots -o "$tmp/ht" >/dev/null
expect "hedging-tail: hedging at ~p95 cuts p99 (hedged vs 0.6 x plain)" \
    "$(stat ht clients hedged latency_p99)" "<" "0.6 * $(stat ht clients plain latency_p99)"
expect "hedging-tail: ... and p999 (hedged vs 0.4 x plain)" \
    "$(stat ht clients hedged latency_p999)" "<" "0.4 * $(stat ht clients plain latency_p999)"
expect "hedging-tail: for a few percent more attempts" "$(stat ht clients hedged attempts_per_request)" "<" 1.1

"$RELSIM" run "$here/scenarios/p2c-vs-random.json" -q --no-plots -o "$tmp/p2c" >/dev/null
expect "p2c-vs-random: random is M/M/1 per server (|requests in system per server - 9|)" \
    "abs(($(stat p2c pools a queue_length) + $(stat p2c pools a busy_servers)) / 50 - 9)" "<" 1.5
expect "p2c-vs-random: p2c near Mitzenmacher's limit 2.35 (per server)" \
    "($(stat p2c pools b queue_length) + $(stat p2c pools b busy_servers)) / 50" "<" 2.8
expect "p2c-vs-random: p2c queues are much shorter (p2c vs random / 3)" \
    "$(stat p2c pools b queue_length)" "<" "$(stat p2c pools a queue_length) / 3"
expect "p2c-vs-random: p99 latency much lower (p2c vs random / 3)" \
    "$(stat p2c clients p2c latency_p99)" "<" "$(stat p2c clients random latency_p99) / 3"

"$RELSIM" run "$here/scenarios/breaker-cascade.json" -q --no-plots -o "$tmp/bc" >/dev/null
"$RELSIM" run "$here/scenarios/breaker-cascade.json" -q --no-plots -o "$tmp/bc0" --set clients.web.breaker=null >/dev/null
expect "breaker-cascade: breakers collapse a healthy pool (success)" "$(stat bc clients web request_success)" "<" 0.5
expect "breaker-cascade: the collapse lasts (success, t >= 30)" "$(after bc 30)" "<" 0.5
expect "breaker-cascade: most breakers OPEN" "$(stat bc clients web breaker_open_fraction)" ">" 0.6
expect "breaker-cascade: without the breakers the same load is fine (success)" "$(stat bc0 clients web request_success)" ">" 0.95

# rare-outage: the simulation sees no outage; the run points to the exact nines
"$RELSIM" run "$here/scenarios/rare-outage.json" --no-plots -o "$tmp/ro" >"$tmp/ro.txt"
expect "rare-outage: quorum never lost in the runs" "$(stat ro pools db system_availability)" "==" 1
expect "rare-outage: the table says 0 outages and gives the exact nines" \
    "$(grep -c '0 outages seen; exact unavailability 2.9992e-08 (7.52 nines)' "$tmp/ro.txt")" "==" 1
"$RELSIM" solve "$here/scenarios/rare-outage.json" --json -o "$tmp/ro" >"$tmp/ro.json"
expect "rare-outage: relsim solve gives 3 p^2 (1-p) + p^3 = 2.99920015e-08" \
    "abs($(python3 -c "import json; print(json.load(open('$tmp/ro.json'))['pools']['db']['system_unavailability'])") - 2.99920015e-08)" "<" 1e-15

exit $fail
