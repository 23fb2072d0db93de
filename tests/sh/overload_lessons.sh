#!/bin/sh
# The overload-control lessons (issue 13): the retry-storm trigger recovered
# by each remedy in turn, while the plain retry-storm stays collapsed; each
# scenario runs in about a second.
set -eu
. "$TESTS_DIR/lib.sh"
here=$(cd "$TESTS_DIR/.." && pwd)

# after DIR T: success of client web pooled over the bins starting at or after T
after() {
    python3 - "$tmp/$1/timeseries.csv" "$2" <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if float(r['t_start']) >= float(sys.argv[2])]
vals = [float(r['client.web.success']) for r in rows if r['client.web.success']]
print(sum(vals) / len(vals))
PY
}
expect() { # description value op bound
    if python3 -c "import sys; sys.exit(0 if $2 $3 $4 else 1)"; then
        pass "$1: $2 $3 $4"
    else
        fail "$1: $2 not $3 $4"
    fi
}

for s in retry-storm retry-storm-shedding retry-storm-lifo retry-storm-adaptive-limit \
         retry-storm-throttle retry-storm-pushback; do
    relsim run "$here/scenarios/$s.json" -q --no-plots -o "$tmp/$s"
    check "$s runs" rc_is 0
done

# the trigger ends at t = 80: success over the bins from t = 100 on
expect "retry-storm stays collapsed after the trigger" "$(after retry-storm 100)" "<" 0.1
for s in shedding lifo adaptive-limit throttle pushback; do
    expect "retry-storm-$s recovers after the trigger" "$(after retry-storm-$s 100)" ">" 0.9
done

# each remedy's own signature
expect "shedding: no wasted work (served after the client gave up)" \
    "$(val retry-storm-shedding pools.api.wasted_fraction)" "<" 0.01
expect "shedding: the storm wastes most of the work without it" \
    "$(val retry-storm pools.api.wasted_fraction)" ">" 0.5
expect "shedding: attempts were shed" "$(val retry-storm-shedding pools.api.shed_fraction)" ">" 0.05
expect "lifo: nothing shed, almost nothing wasted" "$(val retry-storm-lifo pools.api.wasted_fraction)" "<" 0.05
expect "adaptive-limit: the Vegas limit settled far below its initial 20" \
    "$(val retry-storm-adaptive-limit pools.api.concurrency_limit)" "<" 18
expect "throttle: the client rejected attempts itself" \
    "$(val retry-storm-throttle clients.web.throttled_fraction)" ">" 0.02
expect "pushback: no retry at all (1 attempt per request)" \
    "$(val retry-storm-pushback clients.web.attempts_per_request)" "<" 1.001
expect "pushback: less extra load than shedding alone" \
    "$(val retry-storm-pushback clients.web.attempts_per_request)" "<" \
    "$(val retry-storm-shedding clients.web.attempts_per_request) - 0.1"
finish
