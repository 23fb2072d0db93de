#!/bin/sh
# relsim solve: the exact numbers, --at, --json, solve.json, and every bad
# input (exit 2, a message naming the key or the distribution).
set -eu
. "$TESTS_DIR/lib.sh"
here=$(cd "$TESTS_DIR/.." && pwd)

# 2-of-3, lambda 1e-3, mu 0.1, one crew: by hand (machine repair, pi_j ~
# prod (3-i+1) lambda / mu): w = 1, 0.03, 0.0006, 0.000006; U = (w2 + w3)/sum
cat >"$tmp/p.json" <<'JSON'
{"name": "p", "horizon": 1000, "warmup": 100,
 "pools": [{"name": "db", "servers": 3, "quorum": 2, "repair_crews": 1,
            "failure": {"dist": "exponential", "rate": 0.001},
            "repair": {"dist": "exponential", "rate": 0.1}},
           {"name": "q", "servers": 1, "workers": 2, "queue_limit": 2,
            "service": {"dist": "exponential", "rate": 1}}],
 "clients": [{"name": "c", "target": "q", "arrival": {"process": "poisson", "rate": 2}}]}
JSON
relsim solve "$tmp/p.json" -o "$tmp/o" --at 0,5
check "solve exits 0" rc_is 0
check "table has the system unavailability" has "$tmp/out" "system_unavailability      0.000588003563"
check "table names the solver and states" has "$tmp/out" "band LU, 4 states"
check "table shows the window" has "$tmp/out" "over [100, 1000] s from all UP"
check "table shows the queue" has "$tmp/out" "queue (M/M/2/4 per server"
check "writes solve.json" test -s "$tmp/o/solve.json"
check "no NaN or inf" no_nan "$tmp/out"
relsim solve "$tmp/p.json" -o "$tmp/o" --at 0,5 --json
check "--json is valid JSON with the values" python3 -c "
import json, sys
d = json.load(open('$tmp/out'))
db = d['pools']['db']
w = [1, 0.03, 0.0006, 0.000006]
assert abs(db['system_unavailability'] - (w[2] + w[3]) / sum(w)) < 1e-15, db
assert db['transient'][0]['system_availability'] == 1
assert db['steady_solver']['states'] == 4
# M/M/2/4 with a = 2: p ~ 1, 2, 2, 2, 2 -> blocking 2/9
assert abs(d['pools']['q']['queue']['blocking'] - 2 / 9) < 1e-14, d['pools']['q']
"
check "--json prints no NaN" no_nan "$tmp/out"

# bad input: exit 2, nothing half done, a message that names the problem
relsim solve "$here/scenarios/weibull-wearout.json" -q -o "$tmp/w"
check "non-Markovian pool exits 2" rc_is 2
check "names file:line:col, key and distribution" has "$tmp/err" "weibull-wearout.json:11:26: pools.storage.failure is weibull"
relsim solve "$tmp/p.json" --set 'pools.db.repair={"dist":"gamma","shape":2,"scale":5}' -q -o "$tmp/g"
check "gamma repair exits 2" rc_is 2
check "names the repair key" has "$tmp/err" "pools.db.repair is gamma"
for bad in "--at -1" "--at 1,,2" "--at abc" "--at 1," "--at nan" "--at inf" "--bogus" "--at"; do
    # shellcheck disable=SC2086
    relsim solve "$tmp/p.json" -q -o "$tmp/b" $bad
    check "bad option '$bad' exits 2" rc_is 2
    check "bad option '$bad' explains" has "$tmp/err" "relsim solve:"
done
relsim solve
check "missing scenario exits 2" rc_is 2
relsim solve "$tmp/missing.json"
check "missing file exits 2" rc_is 2
relsim solve "$tmp/p.json" "$tmp/p.json"
check "two scenarios exit 2" rc_is 2
relsim solve "$tmp/p.json" --set pools.db.quorum=7
check "a bad override exits 2" rc_is 2
relsim solve --help
check "--help exits 0" rc_is 0
check "--help teaches the measures" has "$tmp/out" "system_availability   P(at least \`quorum\` servers UP)"
check "--help gives examples" has "$tmp/out" "relsim solve s.json --at 10,60,3600"

# refusals: overlapping forced outages (exit 0, the reason said), a window
# too long to sum within the budget (exit 1, null, the reason said)
relsim solve "$tmp/p.json" -o "$tmp/f" --json --at 50 \
    --set 'events=[{"kind":"fail","pool":"db","at":10,"duration":100,"servers":1},{"kind":"fail","pool":"db","at":50,"duration":10,"servers":1}]'
check "overlapping forced outages: exit 0" rc_is 0
check "overlapping forced outages: the window says why" has "$tmp/out" "forced outages overlap (at 10 and 50 s)"
relsim solve "$tmp/p.json" -q -o "$tmp/big" --set pools.db.servers=99999 --set pools.db.quorum=66666 \
    --set pools.db.repair_crews=999 --set horizon=3600000
check "a window over the budget: exit 1" rc_is 1
check "a window over the budget: says so" has "$tmp/err" "window [100, 3.6e+06] s not computed: too many uniformization steps"

# every example scenario: solved (0) or named as non-Markovian (2), never NaN
for f in "$here"/scenarios/*.json; do
    relsim solve "$f" -q -o "$tmp/all"
    check "$(basename "$f"): exit 0 or 2" test "$rc" -eq 0 -o "$rc" -eq 2
done
finish
