#!/bin/sh
# sweep_interleave.sh - interleaved sweeps (issue 14): a sweep's (point,
# replication) pairs run in batches that mix points, each point folded in
# replication order, the baseline first.  Many points with few replications
# (the case where points one after another left threads idle) must give
# byte-identical sweep.json (perf aside), sweep.csv and point folders at
# -j 1, -j 2 and -j 3; every point must equal the point run alone; and the
# folded paired differences and --outcome counts must equal the ones computed
# directly from the points' replications.csv.  Uses $RELSIM and python3.
# Short horizons: a few seconds in total.
set -eu
. "$(dirname "$0")/../lib.sh"

cat >"$tmp/s.json" <<'EOF'
{
  "name": "interleave-test",
  "seed": 2385,
  "horizon": 40,
  "replications": 3,
  "pools": [
    {"name": "api", "servers": 3, "workers": 1,
     "service": {"dist": "exponential", "rate": 100},
     "failure": {"dist": "exponential", "rate": 0.05},
     "repair": {"dist": "exponential", "rate": 0.5},
     "failure_mode": "fail_fast"}
  ],
  "clients": [
    {"name": "web", "target": "api", "arrival": {"process": "poisson", "rate": 120},
     "timeout": 0.2,
     "retry": {"max_attempts": 2,
               "backoff": {"kind": "exponential", "base": 0.01, "multiplier": 2, "cap": 1.0, "jitter": "full"}}}
  ]
}
EOF
S=$tmp/s.json
# 3 x 9 = 27 points of 3 replications; the baseline (p013) in the middle, so
# it runs first and the others pair against it across batches.
V="--vary pools.api.servers=2,3,4 --vary clients.web.timeout=0.02:0.1:0.01"
O="--baseline 13 --outcome clients.web.request_success<0.97 -q --no-plots"

for j in 1 2 3; do
    # shellcheck disable=SC2086
    relsim sweep "$S" -o "$tmp/j$j" -j $j $V $O
    check "27-point sweep at -j $j: exit 0" rc_is 0
done

# same_dir A B: sweep.json / results.json equal without perf, every CSV and
# scenario file byte for byte.
same_dir() {
    python3 - "$1" "$2" <<'EOF'
import filecmp, json, os, sys
a, b = sys.argv[1:3]
def strip(x):
    if isinstance(x, dict):
        return {k: strip(v) for k, v in x.items() if k != "perf"}
    return [strip(v) for v in x] if isinstance(x, list) else x
bad, n = [], 0
for root, _, files in os.walk(a):
    for f in files:
        pa = os.path.join(root, f)
        pb = os.path.join(b, os.path.relpath(pa, a))
        if f.endswith(".json"):
            same = os.path.exists(pb) and strip(json.load(open(pa))) == strip(json.load(open(pb)))
        elif f.endswith(".csv"):
            same = os.path.exists(pb) and filecmp.cmp(pa, pb, shallow=False)
        else:
            continue
        n += 1
        if not same:
            bad.append(os.path.relpath(pa, a))
print("      %d files compared%s" % (n, ", differ: %s" % bad[:6] if bad else ""))
sys.exit(1 if bad or n < 27 * 5 else 0)
EOF
}
check "-j 1 and -j 2: sweep.json (perf aside), sweep.csv, every point folder identical" same_dir "$tmp/j1" "$tmp/j2"
check "-j 1 and -j 3: identical" same_dir "$tmp/j1" "$tmp/j3"

# The raw sweep.json bytes too (it is streamed point by point): equal once
# the perf object is cut out.
check "sweep.json bytes identical at -j 1 and -j 2 but for perf" python3 - "$tmp/j1/sweep.json" "$tmp/j2/sweep.json" <<'EOF'
import re, sys
t = [re.sub(r'"perf":\t\{[^}]*\}', "", open(f).read()) for f in sys.argv[1:3]]
sys.exit(0 if t[0] == t[1] and t[0].endswith("}\n") else 1)
EOF

# The report is made from sweep.json read point by point (plots/sweep_read.h):
# the same at -j 1 and -j 3, the same when `relsim report` makes it again from
# the folder alone, and its request_success grid holds every point's mean as
# sweep.csv has it (to the decimals the report prints).
check "report.md identical at -j 1 and -j 3 (but for the folder's name)" \
    eval 'sed "s|$tmp/j1|DIR|g" "$tmp/j1/report.md" >"$tmp/r1" && sed "s|$tmp/j3|DIR|g" "$tmp/j3/report.md" >"$tmp/r3" && cmp -s "$tmp/r1" "$tmp/r3"'

cp "$tmp/j2/report.md" "$tmp/j2_report.md"
relsim report "$tmp/j2" --no-plots
check "relsim report on the sweep folder: exit 0, report.md byte-identical to the sweep's" \
    eval 'rc_is 0 && cmp -s "$tmp/j2/report.md" "$tmp/j2_report.md"'
check "report.md's request_success grid: every point's mean as in sweep.csv" python3 - "$tmp/j2" <<'EOF'
import csv, os, sys
d = sys.argv[1]
rows = {r["pools.api.servers"] + "/" + r["clients.web.timeout"]: r
        for r in csv.DictReader(open(os.path.join(d, "sweep.csv")))}
grid = open(os.path.join(d, "report.md")).read().split("### Client web: request\\_success")[1].split("###")[0]
cells = [l.split("|")[1:-1] for l in grid.splitlines() if l.startswith("| ") and "p0" in l]
bad = 0
for c in cells:
    key = c[0].strip() + "/" + c[1].strip()
    mean, cell = float(rows[key]["client.web.request_success.mean"]), c[2].strip()
    dec = len(cell.split(".")[1]) if "." in cell else 0
    bad += abs(float(cell) - mean) > 0.5 * 10 ** -dec + 1e-12
print("      %d rows, %d differ from sweep.csv" % (len(cells), bad))
sys.exit(0 if len(cells) == 27 and not bad else 1)
EOF

# ---- every point = the point run alone ---------------------------------------------------
# p000 (servers 2, timeout 0.02), p013 (the baseline: 3, 0.06), p026 (4, 0.1).
for spec in "p000 2 0.02" "p013 3 0.06" "p026 4 0.1"; do
    set -- $spec
    relsim run "$S" -o "$tmp/alone_$1" -q --no-plots -j 2 --set pools.api.servers=$2 --set clients.web.timeout=$3
    check "$1 = relsim run of that point alone (results.json, CSVs, replications.csv; sweep.json's entry)" \
        python3 - "$tmp/j2" "$1" "$tmp/alone_$1" <<'EOF'
import json, os, sys
sw, p, alone = sys.argv[1:4]
def load(d):
    x = json.load(open(os.path.join(d, "results.json")))
    for k in ("perf", "scenario"):
        x.pop(k, None)
    return x
a, b = load(os.path.join(sw, p)), load(alone)
ok = a == b
pt = [q for q in json.load(open(os.path.join(sw, "sweep.json")))["points"] if q["dir"] == p][0]
ok = ok and pt["pools"] == b["pools"] and pt["clients"] == b["clients"]
for f in ("summary.csv", "timeseries.csv", "replications.csv", "data/latency.csv", "data/marks.csv"):
    same = open(os.path.join(sw, p, f)).read() == open(os.path.join(alone, f)).read()
    ok = ok and same
    if not same:
        print("      differs:", f)
sys.exit(0 if ok else 1)
EOF
done

# ---- the folded statistics against a direct computation -------------------------------------
# From replications.csv (full precision): the paired difference of
# request_success of p014 against the baseline p013 (mean and Student-t 95%
# half-width over d_i = x_i(p014) - x_i(p013)), and the --outcome count.
check "paired diff and --outcome folded per replication = computed from replications.csv" \
    python3 - "$tmp/j2" <<'EOF'
import csv, json, math, os, sys
sw = sys.argv[1]
def col(p, name):
    rows = list(csv.DictReader(open(os.path.join(sw, p, "replications.csv"))))
    return [float(r[name]) for r in rows]
x = col("p014", "client.web.request_success")
b = col("p013", "client.web.request_success")
d = [u - v for u, v in zip(x, b)]
n = len(d)
m = sum(d) / n
sd = math.sqrt(sum((v - m) ** 2 for v in d) / (n - 1))
t975 = {2: 12.706204736, 3: 4.302652730, 4: 3.182446305}[n]
h = t975 * sd / math.sqrt(n)
doc = json.load(open(os.path.join(sw, "sweep.json")))
pt = [q for q in doc["points"] if q["dir"] == "p014"][0]
got = pt["diff"]["clients"]["web"]["request_success"]
ok = abs(got["mean"] - m) < 1e-9 and abs((got["ci95"][1] - got["ci95"][0]) / 2 - h) < 1e-8 and got["n"] == n
oc = [q for q in doc["outcome"]["points"] if q["dir"] == "p014"][0]
ok = ok and oc["holds"] == sum(1 for v in x if v < 0.97) and oc["replications"] == n
print("      diff mean %.9g (expected %.9g), half-width %.6g (expected %.6g), outcome %d/%d"
      % (got["mean"], m, (got["ci95"][1] - got["ci95"][0]) / 2, h, oc["holds"], oc["replications"]))
sys.exit(0 if ok else 1)
EOF

# ---- a point's replications.csv past the rows a sweep keeps in memory ----------------------
# (RESULTS_REPS_MEM, 256 KiB: then the file is made on the spot and the rest goes there)
relsim sweep "$S" -o "$tmp/many" -j 2 -r 4000 --horizon 0.5 --vary clients.web.timeout=0.05,0.1 -q --no-plots
check "sweep of 4000 replications a point: exit 0" rc_is 0
relsim run "$S" -o "$tmp/many_alone" -j 2 -r 4000 --horizon 0.5 --set clients.web.timeout=0.1 -q --no-plots
check "its replications.csv (> 256 KiB) = relsim run of the point alone, no file left over" eval \
    '[ "$(wc -c <"$tmp/many/p001/replications.csv")" -gt 262144 ] &&
     cmp -s "$tmp/many/p001/replications.csv" "$tmp/many_alone/replications.csv" &&
     [ -z "$(find "$tmp/many" -name "*.tmp.*")" ]'

finish
