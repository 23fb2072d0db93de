#!/bin/sh
# workest.sh - the work estimate (app/workest.h): `relsim check` prints one
# line with entities, expected events and the wall time at the benchmark's
# speed, close to what a run then does; run and sweep refuse a scenario whose
# expected events per replication exceed limits.max_events (a typo such as
# an arrival rate of 4294967297/s) with the estimate, before running, and
# write nothing.  Uses $RELSIM, $TESTS_DIR.
set -eu
. "$TESTS_DIR/lib.sh"
D="$TESTS_DIR/../scenarios/default.json"

relsim check "$D" --set replications=2
check "check: one line with pools, servers, clients, events and wall time" \
    eval 'rc_is 0 && [ "$(wc -l <"$tmp/out")" -eq 1 ] && has "$tmp/out" "1 pool (8 servers), 1 client" && grep -q "events per replication" "$tmp/out" && grep -q "on one core at the benchmark" "$tmp/out"'
est=$(sed -n 's/.*about \([0-9.e+]*\) events per replication.*/\1/p' "$tmp/out")
relsim run "$D" -r 2 -j 2 -q --no-plots -o "$tmp/d"
check "the estimate ($est per replication) is within a factor 1.5 of the events simulated" \
    python3 -c 'import json,sys; ev=json.load(open(sys.argv[1]))["perf"]["events"]/2; e=float(sys.argv[2]); print("      simulated %.3g per replication" % ev); sys.exit(0 if e/1.5 < ev < e*1.5 else 1)' "$tmp/d/results.json" "$est"

T="--set clients.web.arrival.rate=4294967297"
# shellcheck disable=SC2086
relsim run "$D" $T -q --no-plots -o "$tmp/typo"
check "run with a rate typo: exit 2 at once, the estimate and the rate named, nothing written" \
    eval 'rc_is 2 && has "$tmp/err" "above limits.max_events = 1e+10" && has "$tmp/err" "arrival rate 4294967297/s" && has "$tmp/err" "days per replication" && [ ! -e "$tmp/typo" ]'
# shellcheck disable=SC2086
relsim sweep "$D" $T --vary clients.web.retry.max_attempts=1,2 -q --no-plots -o "$tmp/typo2"
check "sweep with a rate typo: exit 2, the estimate, nothing written" \
    eval 'rc_is 2 && has "$tmp/err" "above limits.max_events" && [ ! -e "$tmp/typo2" ]'
relsim sweep "$D" --vary clients.web.arrival.rate=400,4294967297 -q --no-plots -o "$tmp/typo3"
check "sweep whose one point is too big: exit 2 before running any" \
    eval 'rc_is 2 && has "$tmp/err" "above limits.max_events" && [ ! -e "$tmp/typo3/p000/results.json" ]'
# shellcheck disable=SC2086
relsim check "$D" $T --set limits.max_events=0
check "limits.max_events = 0 lifts the limit (check passes)" rc_is 0
finish
