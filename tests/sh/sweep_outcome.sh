#!/bin/sh
# relsim sweep --outcome: the share of replications where a boolean outcome
# holds, with a Clopper-Pearson 95% interval (issue 13): the probability of a
# metastable collapse of scenarios/retry-storm.json as the trigger grows.
set -eu
. "$TESTS_DIR/lib.sh"
here=$(cd "$TESTS_DIR/.." && pwd)

# share DIR I: "k n lo hi" of point I in DIR/sweep.json
share() {
    python3 - "$tmp/$1/sweep.json" "$2" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))['outcome']['points'][int(sys.argv[2])]
print(p['holds'], p['replications'], p['lo'], p['hi'])
PY
}
expect() { # description value op bound
    if python3 -c "import sys; sys.exit(0 if $2 $3 $4 else 1)"; then
        pass "$1: $2 $3 $4"
    else
        fail "$1: $2 not $3 $4"
    fi
}

# success over the last minute (warmup 240 of 300 s) below 50%: collapsed
relsim sweep "$here/scenarios/retry-storm.json" --vary 'events[0].duration=0.2,1' \
    --set warmup=240 -r 12 --outcome 'clients.web.request_success<0.5' --no-plots -o "$tmp/sw"
check "sweep with --outcome runs" rc_is 0
check "the table names the outcome" has "$tmp/out" "outcome clients.web.request_success < 0.5"
set -- $(share sw 0)
expect "a 0.2 s trigger never collapses (k)" "$1" "==" 0
expect "... out of 12 replications" "$2" "==" 12
# Clopper-Pearson upper bound for 0 of 12: 1 - 0.025^(1/12)
expect "... upper bound 1 - 0.025^(1/12)" "abs($4 - (1 - 0.025 ** (1 / 12)))" "<" 1e-9
set -- $(share sw 1)
expect "a 1 s trigger always collapses (k)" "$1" "==" 12
expect "... lower bound 0.025^(1/12)" "abs($3 - 0.025 ** (1 / 12))" "<" 1e-9

relsim sweep "$here/scenarios/retry-storm.json" --vary 'events[0].duration=1' -r 2 \
    --outcome 'clients.web.request_success~0.5' --no-plots -o "$tmp/bad"
check "a bad --outcome exits 2" rc_is 2
check "... and says what it expects" has "$tmp/err" "expected METRIC OP NUMBER"
relsim sweep "$here/scenarios/retry-storm.json" --vary 'events[0].duration=1' -r 2 \
    --outcome 'clients.nobody.request_success<0.5' --no-plots -o "$tmp/bad2"
check "an unknown entity exits 2" rc_is 2
finish
