#!/bin/sh
# readme.sh - the README's first scenario, copied verbatim from README.md
# (the first ```json block after "## A first scenario", extracted here so
# the two can never drift), runs with exit 0 and teaches what the README
# says: success near the servers' availability; with a 100 ms timeout 0.91;
# without the budget as well a retry storm that the overload guard stops with
# the reason (offered vs attempts vs capacity, the amplification and the
# mechanism), a report that says "stopped" (not "interrupted") and a time
# series up to the moment the guard fired.  Uses $RELSIM, $TESTS_DIR.
set -eu
. "$TESTS_DIR/lib.sh"
python3 - "$TESTS_DIR/../README.md" "$tmp/web-api.json" <<'PY'
import re, sys
s = open(sys.argv[1]).read()
m = re.search(r'^## A first scenario\n.*?^```json\n(.*?)^```', s, re.S | re.M)
open(sys.argv[2], "w").write(m.group(1))
# the SLOs of the README's worked example ("## SLOs"), and the model-check
# line of the Findings it prints
m = re.search(r"^## SLOs.*?--set '(slos=[^']*)'", s, re.S | re.M)
open(sys.argv[2] + ".slos", "w").write(m.group(1))
m = re.search(r"^## SLOs.*?(Model check: all \d+ applicable)", s, re.S | re.M)
open(sys.argv[2] + ".mc", "w").write(m.group(1))
PY
cd "$tmp"
# stat FILE METRIC PATH: the mean of clients.web.METRIC (PATH "clients.web")
mean() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["clients"]["web"][sys.argv[2]]["mean"])' "$1" "$2"; }
in_range() { python3 -c 'import sys; v,lo,hi=map(float,sys.argv[1:]); sys.exit(0 if lo<=v<=hi else 1)' "$@"; }

relsim check web-api.json
check "README scenario: relsim check passes" rc_is 0
# with the README's SLOs (they change no simulated number)
relsim run web-api.json -q -j 2 --no-plots -o first --set "$(cat web-api.json.slos)"  # ($tmp/out is the stdout capture)
check "README scenario: relsim run web-api.json exits 0" rc_is 0
check "README SLOs, default 10 replications: success inconclusive, p99 met, as the README says" python3 - first/results.json <<'PY'
import json, sys
v = [s["verdict"] for s in json.load(open(sys.argv[1]))["slos"]]
print("      ", v)
sys.exit(0 if v == ["inconclusive", "met"] else 1)
PY
check "the README's Findings count the model-check predictions right ($(cat web-api.json.mc))" \
    python3 - first/results.json "$(cat web-api.json.mc)" <<'PY'
import json, sys
t = [f["text"] for f in json.load(open(sys.argv[1]))["findings"] if f["kind"] == "model_check"]
print("      ", t)
sys.exit(0 if t and t[0].startswith(sys.argv[2] + " ") else 1)
PY
s=$(mean first/results.json request_success)
a=$(mean first/results.json attempts_per_request)
check "success about 0.989 as the README says (got $s)" in_range "$s" 0.984 0.994
check "about 1.001 attempts per request (got $a)" in_range "$a" 1.0 1.01

relsim run web-api.json --set clients.web.timeout=0.1 -o tight -q -j 2 --no-plots
s=$(mean tight/results.json request_success)
check "100 ms timeout: exit 0, success about 0.91 (got $s)" eval 'rc_is 0 && in_range "$s" 0.89 0.93'

# the same without the budget: a retry storm, stopped and explained
python3 - web-api.json storm.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
c = d["clients"][0]
del c["retry"]["budget"]
c["timeout"] = 0.1
d["replications"] = 2
d["limits"] = {"max_in_flight": 20000}  # the guard fires within a minute, not at t = 1856 s
json.dump(d, open(sys.argv[2], "w"))
PY
relsim run storm.json -o storm -q -j 2 --no-plots
check "no budget, 100 ms: exit 1 from the overload guard" rc_is 1
check "the message says retry storm, offered, attempts and capacity" \
    eval 'has "$tmp/err" "a retry storm, not too much traffic" && has "$tmp/err" "requests/s and sent" && has "$tmp/err" "capacity of 800/s" && has "$tmp/err" "retry budget"'
check "results.json runaway: amplification by retries, offered < capacity < attempts" python3 - storm/results.json <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["runaway"]
print("      ", r)
ok = (r["cause"] == "amplification" and r["mechanism"] == "retries" and r["pool"] == "api"
      and 550 < r["offered"] < 650 and r["capacity"] == 800 and r["attempts"] > 800
      and abs(r["amplification"] - r["attempts"] / r["offered"]) < 1e-9)
sys.exit(0 if ok else 1)
PY
check "report: 'stopped' with the reason, never 'interrupted'" \
    eval 'has storm/report.html "This run was stopped" && has storm/report.html "retry storm" && ! grep -i "interrupted" storm/report.html'
check "timeseries.csv shows the replication up to the guard, blank after" python3 - storm/results.json storm/timeseries.csv <<'PY'
import csv, json, sys
t = json.load(open(sys.argv[1]))["runaway"]["t"]
rows = list(csv.DictReader(open(sys.argv[2])))
before = [r for r in rows if float(r["t_start"]) < t]  # the last one ends at the guard
after = [r for r in rows if float(r["t_start"]) > t]
att = [float(r["client.web.attempts"]) for r in before]
ok = len(before) >= 2 and min(att) > 0 and all(r["client.web.attempts"] == "" for r in after)
ok = ok and max(float(r["client.web.attempts"]) / float(r["client.web.offered"]) for r in before) > 2
sys.exit(0 if ok else 1)
PY
check "storm report: time axes end where the guard stopped the run; no empty outcomes chart" python3 - storm/results.json storm/plots/traffic_web.gp storm/report.html <<'PY'
import json, re, sys
t = json.load(open(sys.argv[1]))["runaway"]["t"]
m = re.search(r"set xrange \[0:([0-9.e+]+)\]", open(sys.argv[2]).read())
h = open(sys.argv[3]).read()
sys.exit(0 if m and abs(float(m.group(1)) - t) < 1e-3 and 'id="fig-outcomes"' not in h else 1)
PY
finish
