#!/bin/sh
# The detector and failover lesson scenarios (scenarios/health-check-tuning,
# liveness-cascade, panic-threshold, standby-failover) still show their
# lessons, with margin; each runs in well under a second or a few seconds.
set -eu
. "$TESTS_DIR/lib.sh"
here=$(cd "$TESTS_DIR/.." && pwd)

# after DIR CLIENT T: success pooled over the bins starting at or after T
after() {
    python3 - "$tmp/$1/timeseries.csv" "$2" "$3" <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if float(r['t_start']) >= float(sys.argv[3])]
vals = [float(r['client.%s.success' % sys.argv[2]]) for r in rows if r['client.%s.success' % sys.argv[2]]]
print(sum(vals) / len(vals))
PY
}
# between DIR CLIENT T0 T1: success pooled over the bins inside [T0, T1)
between() {
    python3 - "$tmp/$1/timeseries.csv" "$2" "$3" "$4" <<'PY'
import csv, sys
c, t0, t1 = sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
rows = [r for r in csv.DictReader(open(sys.argv[1])) if float(r['t_start']) >= t0 and float(r['t_end']) <= t1]
vals = [float(r['client.%s.success' % c]) for r in rows if r['client.%s.success' % c]]
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
run() { "$RELSIM" run "$here/scenarios/$1.json" -q --no-plots -o "$tmp/$1" >/dev/null; }

# health-check-tuning: Kubernetes' 10 s x 3 detects a crash in about 25 s
run health-check-tuning
expect "health-check-tuning: k8s detection delay near 25 s" "$(val health-check-tuning clients.k8s.detection_delay)" ">" 22
expect "health-check-tuning: ... and below 28 s" "$(val health-check-tuning clients.k8s.detection_delay)" "<" 28
expect "health-check-tuning: 1 s x 2 detects in under 2 s" "$(val health-check-tuning clients.fast.detection_delay)" "<" 2
expect "health-check-tuning: fast checks lose far fewer requests than k8s" \
    "1 - $(val health-check-tuning clients.fast.request_success)" "<" "(1 - $(val health-check-tuning clients.k8s.request_success)) / 4"
expect "health-check-tuning: k8s loses far fewer than no checks" \
    "1 - $(val health-check-tuning clients.k8s.request_success)" "<" "(1 - $(val health-check-tuning clients.none.request_success)) / 4"
expect "health-check-tuning: fast checks cost 10x the probes" \
    "$(val health-check-tuning clients.fast.probe_rate)" "==" "10 * $(val health-check-tuning clients.k8s.probe_rate)"

# liveness-cascade: queued probes keep restarting after the spike
run liveness-cascade
expect "liveness-cascade: queued probes restart servers" "$(val liveness-cascade pools.queued.restarts)" ">" 3
expect "liveness-cascade: direct probes restart none" "$(val liveness-cascade pools.direct.restarts)" "==" 0
expect "liveness-cascade: a 10 s timeout restarts none" "$(val liveness-cascade pools.patient.restarts)" "==" 0
expect "liveness-cascade: queued pool stays degraded after the spike (success, t >= 150)" "$(after liveness-cascade web 150)" "<" 0.9
expect "liveness-cascade: direct pool recovers (success, t >= 150)" "$(after liveness-cascade web_direct 150)" ">" 0.97
expect "liveness-cascade: patient pool recovers (success, t >= 150)" "$(after liveness-cascade web_patient 150)" ">" 0.97

# panic-threshold: panic hurts in a real outage, helps against false ejection
run panic-threshold
expect "panic-threshold: real outage with panic routes to the dead (success 60-180 s)" \
    "$(between panic-threshold outage_panic 62 180)" "<" 0.4
expect "panic-threshold: real outage without panic keeps serving" \
    "$(between panic-threshold outage_no_panic 62 180)" ">" 0.98
expect "panic-threshold: false ejection with panic keeps serving" "$(val panic-threshold clients.busy_panic.request_success)" ">" 0.93
expect "panic-threshold: false ejection without panic overloads the trusted few" \
    "$(val panic-threshold clients.busy_no_panic.request_success)" "<" "$(val panic-threshold clients.busy_panic.request_success) - 0.05"

# standby-failover: the standby chain, and switchover time
run standby-failover
for p in cold warm hot none; do
    v=$(python3 -c "import json; d = json.load(open('$tmp/standby-failover/results.json')); print([i['verdict'] for i in d['model_check'] if i['quantity'] == 'pools.$p.system_availability'][0])")
    expect "standby-failover: $p system_availability agrees with the chain" "'$v'" "==" "'agrees'"
done
expect "standby-failover: cold beats hot" "$(val standby-failover pools.cold.system_availability)" ">" "$(val standby-failover pools.hot.system_availability) + 0.01"
expect "standby-failover: a 60 s switchover costs more than the spare's mode" \
    "$(val standby-failover pools.cold_slow.system_availability)" "<" "$(val standby-failover pools.hot.system_availability) - 0.05"
expect "standby-failover: any spare beats none" "$(val standby-failover pools.hot.system_availability)" ">" "$(val standby-failover pools.none.system_availability) + 0.2"

finish
