#!/bin/sh
# sweep.sh - CLI tests of `relsim sweep`: grid expansion and order, range
# parsing (hi included within tolerance), bad --vary (exit 2 naming the path,
# nothing written), common random numbers (pool availability identical when
# only a client setting varies), paired CI narrower than unpaired, identical
# sweep.json for -j 1 and -j 2, --precision per point, --baseline, --json,
# and an interrupt (exit 130, "complete": false).  Uses $RELSIM (set by
# tests/run.sh) and python3 to read JSON.  One line per check; exits non-zero
# if any check failed.  Short horizons: a few seconds in total.
set -eu
. "$(dirname "$0")/../lib.sh"

# sweep ARGS...: runs `relsim sweep ARGS`, keeps rc, stdout and stderr.
sweep() { relsim sweep "$@"; }

# py EXPR-SCRIPT ARGS...: run a python3 check; its stdout is the verdict text.
py() { python3 - "$@"; }

# A pool that fails often (availability about 0.9), a client that retries.
cat >"$tmp/s.json" <<'EOF'
{
  "name": "sweep-test",
  "seed": 2385,
  "horizon": 150,
  "replications": 6,
  "pools": [
    {"name": "api", "servers": 4, "workers": 1,
     "service": {"dist": "exponential", "rate": 100},
     "failure": {"dist": "exponential", "rate": 0.01},
     "repair": {"dist": "exponential", "rate": 0.1},
     "failure_mode": "fail_fast"}
  ],
  "clients": [
    {"name": "web", "target": "api", "arrival": {"process": "poisson", "rate": 80},
     "timeout": 0.2,
     "retry": {"max_attempts": 1,
               "backoff": {"kind": "exponential", "base": 0.01, "multiplier": 2, "cap": 1.0, "jitter": "full"}}}
  ]
}
EOF
S=$tmp/s.json
MA=clients.web.retry.max_attempts
TO=clients.web.timeout

# ---- grid expansion: first --vary slowest, ranges include hi -----------------
sweep "$S" -o "$tmp/g" -q --no-plots -j 2 --vary "$MA=1,3" --vary "$TO=0.1:0.3:0.1"
if [ "$rc" -eq 0 ] && py "$tmp/g" <<'EOF'
import json, os, sys
d = json.load(open(os.path.join(sys.argv[1], "sweep.json")))
got = [(p["values"]["clients.web.retry.max_attempts"], p["values"]["clients.web.timeout"]) for p in d["points"]]
want = [(1, 0.1), (1, 0.2), (1, 0.3), (3, 0.1), (3, 0.2), (3, 0.3)]
dirs = [p["dir"] for p in d["points"]]
ok = got == want and dirs == ["p%03d" % i for i in range(6)] and d["complete"] is True
ok = ok and d["vary"] == ["clients.web.retry.max_attempts", "clients.web.timeout"]
ok = ok and all(os.path.isfile(os.path.join(sys.argv[1], x, "results.json")) for x in dirs)
rows = open(os.path.join(sys.argv[1], "sweep.csv")).read().splitlines()
ok = ok and len(rows) == 7 and rows[0].startswith("clients.web.retry.max_attempts,clients.web.timeout,")
ok = ok and "client.web.request_success.diff_mean" in rows[0] and rows[4].startswith("3,0.1,")
if not ok:
    print("expected", want, "got", got, dirs, rows[:2])
sys.exit(0 if ok else 1)
EOF
then pass "grid 2x3: order, dirs p000..p005, sweep.csv rows and columns"; else fail "grid 2x3"; show; fi

# range forms: hi included despite 0.1 steps in binary; off-grid hi excluded; a single value
for spec in "0.1:0.3:0.1=0.1 0.2 0.3" "0.1:0.35:0.1=0.1 0.2 0.3" "0.25:0.25:1=0.25" "0.05:0.2:0.05=0.05 0.1 0.15 0.2"; do
    range=${spec%%=*} want=${spec#*=}
    sweep "$S" -o "$tmp/r" -q --no-plots -r 2 --horizon 20 --vary "$TO=$range"
    got=$(python3 -c 'import json,sys; print(" ".join("%g" % p["values"]["clients.web.timeout"] for p in json.load(open(sys.argv[1]))["points"]))' "$tmp/r/sweep.json" 2>/dev/null || true)
    if [ "$rc" -eq 0 ] && [ "$got" = "$want" ]; then pass "range $range -> $want"
    else fail "range $range: expected '$want', got '$got'"; show; fi
done

# ---- bad --vary: exit 2, the key path on stderr, nothing written -------------
bad() {
    desc=$1 needle=$2
    shift 2
    rm -rf "$tmp/bad"
    sweep "$S" -o "$tmp/bad" -q --no-plots "$@"
    if [ "$rc" -eq 2 ] && grep -qF -- "$needle" "$tmp/err" && [ ! -s "$tmp/out" ] && [ ! -e "$tmp/bad" ]; then
        pass "$desc: exit 2 naming $needle"
    else
        fail "$desc: expected exit 2 and '$needle' on stderr, nothing written"; show
    fi
}
bad "unknown path" "clients.web.retry.max_atempts" --vary "clients.web.retry.max_atempts=1,2"
bad "unknown pool" "pools.nope" --vary "pools.nope.servers=1,2"
bad "empty list" "$MA" --vary "$MA="
bad "empty list item" "$MA" --vary "$MA=1,,3"
bad "step 0" "$TO" --vary "$TO=0.1:0.3:0"
bad "negative step" "$TO" --vary "$TO=0.1:0.3:-0.1"
bad "lo > hi" "$TO" --vary "$TO=0.3:0.1:0.1"
bad "range without step" "$TO" --vary "$TO=0.1:0.3"
bad "type mismatch (string for a number)" "$MA" --vary "$MA=1,three"
bad "out of range value" "pools.api.servers" --vary "pools.api.servers=2,0"
bad "same path twice" "$MA" --vary "$MA=1,2" --vary "$MA=3"
bad "more than 10000 points" "pools.api.servers" --vary "pools.api.servers=1:20000:1"
bad "grid over 10000 points" "$TO" --vary "pools.api.servers=1:200:1" --vary "$TO=0.01:1:0.01"
bad "baseline out of range" "--baseline" --vary "$MA=1,2" --baseline 5
bad "unknown objective" "--objective" --vary "$MA=1,2" --objective nosuch_metric

# ---- common random numbers and paired vs unpaired CI ----------------------------
sweep "$S" -o "$tmp/crn" -q --no-plots -r 10 --vary "$MA=1,3"
if [ "$rc" -eq 0 ] && py "$tmp/crn/sweep.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
a, b = (p["pools"]["api"]["server_availability"] for p in d["points"])
ok = a == b and a["stddev"] > 0 and a["n"] == 10
if not ok:
    print("server_availability differs across points:", a, b)
sys.exit(0 if ok else 1)
EOF
then pass "CRN: pools.api.server_availability identical (mean, ci95, stddev) when only max_attempts varies"
else fail "CRN: server availability"; show; fi

if [ "$rc" -eq 0 ] && py "$tmp/crn/sweep.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
p = d["points"][1]
pd = p["diff"]["clients"]["web"]["request_success"]
ud = p["diff_unpaired_ci95"]["clients"]["web"]["request_success"]
paired = (pd["ci95"][1] - pd["ci95"][0]) / 2
unpaired = ud["half_width"]
print("      paired half-width %.6g, unpaired %.6g, diff %.6g" % (paired, unpaired, pd["mean"]))
base = d["points"][0]["diff"]["clients"]["web"]["request_success"]
ok = 0 < paired < unpaired and pd["mean"] > 0 and pd["ci95"][0] > 0 and base["mean"] == 0
ok = ok and abs(pd["mean"] - ud["mean"]) < 1e-15 and d["baseline"] == 0
sys.exit(0 if ok else 1)
EOF
then pass "paired 95% CI of request_success (3 vs 1 attempts) narrower than unpaired, excludes 0"
else fail "paired vs unpaired CI"; show; fi

# ---- -j 1 and -j 2 give the same sweep.json (but for perf) ------------------------
sweep "$S" -o "$tmp/j1" -q --no-plots -j 1 --vary "$MA=1,2" --vary "pools.api.servers=3,5"
rc1=$rc
sweep "$S" -o "$tmp/j2" -q --no-plots -j 2 --vary "$MA=1,2" --vary "pools.api.servers=3,5"
if [ "$rc1" -eq 0 ] && [ "$rc" -eq 0 ] && py "$tmp/j1/sweep.json" "$tmp/j2/sweep.json" <<'EOF'
import json, sys
def strip(x):
    if isinstance(x, dict):
        return {k: strip(v) for k, v in x.items() if k not in ("perf", "wall_seconds")}
    if isinstance(x, list):
        return [strip(v) for v in x]
    return x
a, b = (strip(json.load(open(f))) for f in sys.argv[1:3])
sys.exit(0 if a == b and len(a["points"]) == 4 else 1)
EOF
then pass "-j 1 and -j 2: identical sweep.json (perf aside)"; else fail "-j 1 vs -j 2 sweep.json differ"; show; fi
if cmp -s "$tmp/j1/sweep.csv" "$tmp/j2/sweep.csv"; then pass "-j 1 and -j 2: identical sweep.csv"
else fail "-j 1 vs -j 2 sweep.csv differ"; fi

# ---- a sweep point is the same run as the point alone (issue 14) ----------------------
# Point p003 of the j2 grid is max_attempts=2, servers=5: `relsim run` with
# those two --set must give its results.json (perf and file name aside) and
# every CSV, replications.csv included, byte for byte.
relsim run "$S" -o "$tmp/alone" -q --no-plots -j 2 --set "$MA=2" --set pools.api.servers=5
if [ "$rc" -eq 0 ] && py "$tmp/j2/p003" "$tmp/alone" <<'EOF'
import json, os, sys
a, b = sys.argv[1:3]
def load(d):
    x = json.load(open(os.path.join(d, "results.json")))
    for k in ("perf", "scenario"):
        x.pop(k, None)
    return x
ok = load(a) == load(b)
if not ok:
    print("results.json differs")
for f in ("summary.csv", "timeseries.csv", "replications.csv", "data/latency.csv", "data/updown.csv"):
    same = open(os.path.join(a, f)).read() == open(os.path.join(b, f)).read()
    if not same:
        print("differs:", f)
    ok = ok and same
sys.exit(0 if ok else 1)
EOF
then pass "sweep point p003 = relsim run of that point alone (results.json, CSVs, replications.csv)"
else fail "sweep point vs the point run alone"; show; fi

# ---- --precision per point ---------------------------------------------------------
sweep "$S" -o "$tmp/prec" -q --no-plots -r 3 --horizon 100 --precision 0.03 --vary "$MA=1,3"
if [ "$rc" -eq 0 ] && py "$tmp/prec" <<'EOF'
import json, os, sys
d = json.load(open(os.path.join(sys.argv[1], "sweep.json")))
ok = len(d["points"]) == 2 and d["precision"] == 0.03
for p in d["points"]:
    r = json.load(open(os.path.join(sys.argv[1], p["dir"], "results.json")))
    stats = [r["pools"]["api"]["server_availability"], r["clients"]["web"]["request_success"],
             r["clients"]["web"]["latency_mean"]]
    hw = [(s["ci95"][1] - s["mean"]) / abs(s["mean"]) for s in stats]
    print("      %s: %d replications, relative half-widths %s" % (p["dir"], r["replications"], ["%.4f" % h for h in hw]))
    ok = ok and r["replications"] > 3 and p["replications"] == r["replications"]
    ok = ok and all(h <= 0.03 for h in hw) and r["complete"] and r["precision"] == 0.03
sys.exit(0 if ok else 1)
EOF
then pass "--precision 0.03: each point adds replications until every headline half-width <= 3%"
else fail "--precision"; show; fi

# ---- --baseline, --objective, --json, the table ---------------------------------------
sweep "$S" -o "$tmp/b" --no-plots -r 4 --vary "$MA=1,2,3" --baseline 2 --objective latency_p99 --json
if [ "$rc" -eq 0 ] && py "$tmp/out" "$tmp/b/sweep.json" <<'EOF'
import json, sys
out = json.load(open(sys.argv[1]))
f = json.load(open(sys.argv[2]))
ok = out["baseline"] == 2 and f["baseline"] == 2 and out["points"] == f["points"]
ok = ok and out["points"][2]["diff"]["clients"]["web"]["request_success"]["mean"] == 0
ok = ok and out["objective"] == {"entity": "clients.web", "metric": "latency_p99", "goal": "min"}
m = [p["clients"]["web"]["latency_p99"]["mean"] for p in out["points"]]
ok = ok and [m[i] for i in out["ranking"]] == sorted(m)
sys.exit(0 if ok else 1)
EOF
then pass "--baseline 2 --objective latency_p99 --json: stdout is sweep.json, ranked ascending"
else fail "--baseline/--objective/--json"; show; fi

sweep "$S" -o "$tmp/t" --no-plots -r 4 --vary "$MA=1,3" --baseline "$MA=3"
if [ "$rc" -eq 0 ] && grep -q "baseline p001" "$tmp/out" && grep -q "(baseline)" "$tmp/out" &&
   grep -q "paired 95% CI" "$tmp/out" && grep -q '^   1  p001' "$tmp/out"; then
    pass "table: --baseline PATH=VALUE picks p001, ranks it first by request_success"
else fail "the table"; show; fi

# ---- a runaway point: reported, the others still run, exit 1 --------------------------
sweep "$S" -o "$tmp/ov" -q --no-plots -r 2 --horizon 60 --set limits.max_in_flight=2000 \
    --set pools.api.failure=null --vary "clients.web.arrival.rate=50,2000,100"
if [ "$rc" -eq 1 ] && grep -q "p001.*runaway" "$tmp/err" &&
    grep -q "not complete.*some points failed" "$tmp/ov/report.md" && py "$tmp/ov" <<'EOF'
import json, os, sys
d = json.load(open(os.path.join(sys.argv[1], "sweep.json")))
f = d["failed_points"]
r = json.load(open(os.path.join(sys.argv[1], "p001", "results.json")))
ok = d["complete"] is False and [p["dir"] for p in d["points"]] == ["p000", "p002"]
ok = ok and len(f) == 1 and f[0]["dir"] == "p001" and "runaway" in f[0]["stop_reason"]
ok = ok and r["complete"] is False and "runaway" in r["stop_reason"]
sys.exit(0 if ok else 1)
EOF
then pass "runaway point p001: exit 1, listed in failed_points, p000 and p002 still compared; the report says points failed (not interrupted)"
else fail "runaway point"; show; fi

# ---- interrupt: finished points written, complete false, exit 130 ----------------------
set +e
"$RELSIM" sweep "$S" -o "$tmp/int" -q --no-plots -j 1 -r 4 --horizon 3000 --vary "pools.api.servers=1:40:1" \
    >"$tmp/out" 2>"$tmp/err" &
pid=$!
i=0
while [ ! -e "$tmp/int/p001/results.json" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
kill -INT $pid
wait $pid
rc=$?
set -e
if [ "$rc" -eq 130 ] && py "$tmp/int/sweep.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
ok = d["complete"] is False and 2 <= len(d["points"]) < 40 and d["points_total"] == 40
sys.exit(0 if ok else 1)
EOF
then pass "SIGINT: exit 130, finished points in sweep.json, \"complete\": false"
else fail "SIGINT"; show; fi

# ---- an output that cannot be written: the sweep says so and starts no more points ----
# p003's folder cannot be made (a file is in the way).  The points before it
# are written; p003 and the points running with it are failed points (no
# folder, not even a replications.csv), or written whole if they ended
# first (which ones depends on timing); sweep.json is "complete": false.
mkdir -p "$tmp/wf"
: >"$tmp/wf/p003"
sweep "$tmp/s.json" -o "$tmp/wf" --no-plots -j 2 -r 3 --horizon 60 \
    --vary clients.web.retry.max_attempts=1,2,3,4 --vary pools.api.servers=4,5
if rc_is 1 && grep -q "p003: Not a directory" "$tmp/err" && grep -q "(incomplete: an output could not be written)" "$tmp/out" &&
    grep -q "could not be written.*the points listed are the ones written" "$tmp/wf/report.md" &&
    grep -q "of the 8 grid points have results" "$tmp/wf/report.md" && py "$tmp/wf" <<'EOF'
import json, os, sys
out = sys.argv[1]
d = json.load(open(os.path.join(out, "sweep.json")))
done = [p["dir"] for p in d["points"]]
failed = [p["dir"] for p in d["failed_points"]]
folders = sorted(f for f in os.listdir(out) if f.startswith("p0") and os.path.isdir(os.path.join(out, f)))
ok = (d["complete"] is False and "could not be written" in d["stop_reason"]
      and done[:3] == ["p000", "p001", "p002"] and "p003" in failed and "p003" not in done
      and all("could not be written" in p["stop_reason"] for p in d["failed_points"])
      and folders == sorted(done)
      and all(os.path.exists(os.path.join(out, f, "results.json")) for f in folders)
      and set(d["ranking"]) == {p["index"] for p in d["points"]})
sys.exit(0 if ok else 1)
EOF
then pass "a folder that cannot be written: exit 1, \"complete\": false, p003 a failed point, no half-written folder; the table and report say why"
else fail "a folder that cannot be written"; show; fi

# ... and with more points than the sweep runs at once (300 of one short
# replication), it starts no more points once the failure is known.
mkdir -p "$tmp/wf2"
: >"$tmp/wf2/p003"
sweep "$tmp/s.json" -o "$tmp/wf2" --no-plots -j 2 -r 1 --horizon 20 --vary clients.web.timeout=0.01:3:0.01
if rc_is 1 && py "$tmp/wf2/sweep.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
started = len(d["points"]) + len(d["failed_points"])
sys.exit(0 if d["points_total"] == 300 and 4 <= started < 300 else 1)
EOF
then pass "a folder that cannot be written, 300 points: no point is started once the failure is known"
else fail "a folder that cannot be written, 300 points"; show; fi

# ---- the table prints estimates at their resolution; help ends with a sweep example ------
# Retries 2 vs 3 on the default scenario differ by a few 1e-6 in success: the
# table must not print that as exponent noise (+2.616e-06, +-3.94e-05).
sweep "$TESTS_DIR/../scenarios/default.json" -o "$tmp/res" --no-plots -j 1 -r 4 --horizon 300 \
    --vary clients.web.retry.max_attempts=2,3
check "sweep table: no exponent notation (digits at the CI's resolution)" \
    eval 'rc_is 0 && grep -q "^ *1  p00" "$tmp/out" && ! grep -E "^ *[0-9]+  p0" "$tmp/out" | grep -qE "[0-9]e[-+][0-9]"'
"$RELSIM" sweep --help >"$tmp/help" 2>&1
check "relsim sweep --help ends with a sweep example" eval 'tail -n 1 "$tmp/help" | grep -q "relsim sweep "'
check "relsim sweep --help says SLOs make it recommend a setting" eval 'grep -q "slos" "$tmp/help" && grep -q "recommends" "$tmp/help"'
"$RELSIM" run --help >"$tmp/help" 2>&1
check "relsim run --help says the output opens with Findings and SLO verdicts" eval 'grep -q "Findings" "$tmp/help" && grep -q "slos" "$tmp/help"'

finish
