#!/bin/sh
# sweep_variant.sh - `relsim sweep` with named variants (--variant,
# --variants FILE): the retry-storm remedies ranked in one sweep (every
# remedy recovers after the trigger, its paired CI against the plain storm
# excludes 0), the remedies file agrees with the lesson files, variants get
# the same common random numbers as --vary points, the variant axis crossed
# with --vary and picked by --baseline, and bad input (exit 2, the place and
# what is wrong, nothing written).  A few seconds in all.
set -eu
. "$(dirname "$0")/../lib.sh"
here=$(cd "$(dirname "$0")/../.." && pwd)
STORM=$here/scenarios/retry-storm.json
REMEDIES=$here/scenarios/sweeps/retry-storm-remedies.json

py() { python3 - "$@"; }

# ---- the retry-storm remedies, ranked in one run --------------------------------
# The files' 5 replications and seed 3; --set warmup=100 judges the 200 s after
# the trigger (x3 load for 20 s at t = 60).  The plain storm never recovers
# (success ~0 after it), every remedy does (>= 0.998 measured): wide margins.
# Ranked on three objectives at once: success after the trigger, p99 latency
# and extra load (attempts per request).
relsim sweep "$STORM" --variants "$REMEDIES" --set warmup=100 --no-plots -j 2 -o "$tmp/rem" \
    --objective request_success --objective latency_p99,attempts_per_request
cp "$tmp/out" "$tmp/rem.txt"
if rc_is 0 && py "$tmp/rem/sweep.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
names = [p["values"]["variant"] for p in d["points"]]
want = ["none", "shedding", "lifo", "adaptive-limit", "throttle", "pushback", "budget", "breaker"]
ok = names == want and d["vary"] == ["variant"] and d["baseline"] == 0 and d["complete"]
ok = ok and [v["name"] for v in d["variants"]] == want
for p in d["points"]:
    s = p["clients"]["web"]["request_success"]
    df = p["diff"]["clients"]["web"]["request_success"]
    v = p["values"]["variant"]
    print("      %-15s success after the trigger %.6f  diff %+.6f [%+.6f, %+.6f]  n=%d" % (
        v, s["mean"], df["mean"], df["ci95"][0], df["ci95"][1], s["n"]))
    if v == "none":
        ok = ok and s["mean"] < 0.1 and df["mean"] == 0
    else:
        ok = ok and s["mean"] > 0.9 and df["mean"] > 0 and df["ci95"][0] > 0 and s["n"] == 5
sys.exit(0 if ok else 1)
EOF
then pass "remedies: the plain storm < 0.1 after the trigger, every remedy > 0.9, paired CI vs none > 0"
else fail "remedies ranking"; show; fi

# Every remedy makes fewer attempts per request than the plain storm's 4
# with confidence; the plain storm has no successful request after the
# trigger, so its p99 is undefined and it ranks last there (no paired
# difference against it exists).
if rc_is 0 && py "$tmp/rem/sweep.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
objs = d["objectives"]
ok = [(o["metric"], o["goal"]) for o in objs] == [
    ("request_success", "max"), ("latency_p99", "min"), ("attempts_per_request", "min")]
ok = ok and d["objective"]["metric"] == "request_success" and d["ranking"] == objs[0]["ranking"]
for o in objs:
    for p in o["points"]:
        want = "baseline" if p["index"] == 0 else ("better" if o["metric"] != "latency_p99" else None)
        if p["vs_baseline"] != want:
            print("      %s %s: vs_baseline %s, expected %s" % (o["metric"], p["dir"], p["vs_baseline"], want))
            ok = False
lat = objs[1]
ok = ok and lat["ranking"][-1] == 0 and lat["points"][-1]["mean"] is None
ok = ok and sorted(lat["points"][-1]["beaten_by"]) == list(range(1, 8))
sys.exit(0 if ok else 1)
EOF
then pass "three objectives: each remedy better than the plain storm on success and attempts (paired CI)"
else fail "three objectives"; show; fi
check "three objectives: a block per objective, the confident ranks in the table and the report" \
    eval 'grep -q "^objective 3 of 3: clients.web.attempts_per_request (lower is better)" "$tmp/rem.txt" &&
          grep -q "^confident ranks on the 3 objectives" "$tmp/rem.txt" &&
          grep -qE "^p000 +none +8 = +8 = +8 = *$" "$tmp/rem.txt" &&
          grep -qF "| p000 | none | 8 = | 8 = | 8 = |  |" "$tmp/rem/report.md"'

# The confident ranks recomputed independently from the points'
# replications.csv: J beats I on a metric when the paired Student-t 95% CI of
# J - I over the replications (t(0.975, 4) = 2.7764451051977987 for the 5
# replications) is on the good side of 0, or I's metric is undefined in every
# replication and J's is not; confident rank = 1 + the number of points that
# beat it; the front: points no other beats on one objective and loses to on none.
if py "$tmp/rem" <<'EOF'
import csv, json, math, os, sys
root = sys.argv[1]
d = json.load(open(os.path.join(root, "sweep.json")))
T = 2.7764451051977987
def column(dir, metric):
    rows = list(csv.DictReader(open(os.path.join(root, dir, "replications.csv"))))
    assert len(rows) == 5
    return [float(r["client.web." + metric]) if r["client.web." + metric] not in ("", "nan") else None for r in rows]
dirs = ["p%03d" % i for i in range(8)]
ok = True
beats = {}
for o in d["objectives"]:
    m, mx = o["metric"], o["goal"] == "max"
    x = {i: column(dirs[i], m) for i in range(8)}
    def beat(j, i):
        fi = [v for v in x[i] if v is not None]; fj = [v for v in x[j] if v is not None]
        if not fi or not fj:
            return bool(fj) and not fi
        dd = [b - a for a, b in zip(x[i], x[j]) if a is not None and b is not None]
        n = len(dd); mean = sum(dd) / n
        sd = math.sqrt(sum((v - mean) ** 2 for v in dd) / (n - 1))
        h = T * sd / math.sqrt(n)
        return mean - h > 0 if mx else mean + h < 0
    for p in o["points"]:
        i = p["index"]
        by = [j for j in range(8) if j != i and beat(j, i)]
        beats[(m, i)] = by
        if by != p["beaten_by"] or p["confident_rank"] != 1 + len(by):
            print("      %s %s: beaten_by %s (expected %s), confident_rank %s" % (m, p["dir"], p["beaten_by"], by, p["confident_rank"]))
            ok = False
ms = [o["metric"] for o in d["objectives"]]
front = [i for i in range(8) if not any(
    any(j in beats[(m, i)] for m in ms) and not any(i in beats[(m, j)] for m in ms) for j in range(8) if j != i)]
print("      front %s (sweep.json %s)" % (front, d["front"]))
sys.exit(0 if ok and front == d["front"] else 1)
EOF
then pass "confident ranks and the front agree with paired t intervals recomputed from replications.csv"
else fail "confident ranks"; fi

# relsim check validates every variant of the file without running.
relsim check "$STORM" --variants "$REMEDIES"
check "relsim check SCENARIO --variants FILE: exit 0, one line per variant" \
    eval 'rc_is 0 && [ "$(grep -c "^variant [a-z-]*: retry-storm: 1 pool" "$tmp/out")" -eq 8 ]'
relsim check "$STORM" --variant 'x:pools.api.servers=0' --variant 'y:pools.api.sevrers=1' --variant z
check "relsim check with bad variants: exit 2, every bad variant named, the good one checked" \
    eval 'rc_is 2 && has "$tmp/err" "--variant x: pools.api.servers=0: pools.api.servers: must be" &&
          has "$tmp/err" "--variant y: pools.api.sevrers=1: pools.api.sevrers: unknown key" && has "$tmp/out" "variant z: "'

# Each variant is exactly its lesson file scenarios/retry-storm-NAME.json
# (name and description apart): the resolved scenarios are equal.
if py "$RELSIM" "$STORM" "$REMEDIES" "$here/scenarios" <<'EOF'
import json, subprocess, sys
relsim, storm, remedies, dir = sys.argv[1:5]
def resolved(f, sets):
    args = [relsim, "check", f, "--resolved"]
    for k, v in sets.items():
        args += ["--set", k + "=" + json.dumps(v)]
    d = json.loads(subprocess.run(args, capture_output=True, text=True, check=True).stdout)
    d.pop("name"); d.pop("description", None)
    return d
ok = True
for v in json.load(open(remedies))["variants"]:
    if v["name"] == "none":
        ok = ok and "set" not in v
        continue
    same = resolved(storm, v["set"]) == resolved("%s/retry-storm-%s.json" % (dir, v["name"]), {})
    if not same:
        print("      variant %s differs from retry-storm-%s.json" % (v["name"], v["name"]))
    ok = ok and same
sys.exit(0 if ok else 1)
EOF
then pass "remedies file: each variant resolves to its lesson file retry-storm-NAME.json"
else fail "remedies file disagrees with the lesson files"; fi

# ---- common random numbers, crossing, --baseline ---------------------------------
cat >"$tmp/s.json" <<'EOF'
{"name": "variant-test", "seed": 77, "horizon": 100, "replications": 4,
 "pools": [{"name": "api", "servers": 3, "service": {"dist": "exponential", "rate": 50},
            "failure": {"dist": "exponential", "rate": 0.02}, "repair": {"dist": "exponential", "rate": 0.2}}],
 "clients": [{"name": "web", "target": "api", "arrival": {"process": "poisson", "rate": 60},
              "timeout": 0.2, "retry": {"max_attempts": 2}}]}
EOF
S=$tmp/s.json
# The same change as a variant and as a --vary value gives the same numbers;
# a variant that changes only client keys leaves the pool's failures alone.
relsim sweep "$S" -q --no-plots -o "$tmp/v" --variant plain \
    --variant 'more:clients.web.retry.max_attempts=4;clients.web.timeout=0.3'
rc1=$rc
relsim sweep "$S" -q --no-plots -o "$tmp/g" --vary clients.web.retry.max_attempts=2,4 --set clients.web.timeout=0.3
if [ "$rc1" -eq 0 ] && rc_is 0 && py "$tmp/v/sweep.json" "$tmp/g/sweep.json" <<'EOF'
import json, sys
v, g = (json.load(open(f)) for f in sys.argv[1:3])
a, b = v["points"][1], g["points"][1]
ok = a["clients"] == b["clients"] and a["pools"] == b["pools"]
ok = ok and v["points"][0]["pools"]["api"]["server_availability"] == a["pools"]["api"]["server_availability"]
ok = ok and a["values"] == {"variant": "more"} and v["variants"][1]["set"] == {
    "clients.web.retry.max_attempts": 4, "clients.web.timeout": 0.3}
sys.exit(0 if ok else 1)
EOF
then pass "CRN: a variant gets the numbers of the same --vary point; pool failures identical across variants"
else fail "CRN of variants"; show; fi

# Variants are the slowest axis; --baseline by name or variant=NAME,PATH=VALUE.
relsim sweep "$S" -q --no-plots -r 2 --horizon 20 -o "$tmp/x" --variant a --variant 'b:pools.api.servers=4' \
    --vary clients.web.timeout=0.1,0.2 --baseline 'variant=b,clients.web.timeout=0.2'
rc1=$rc
relsim sweep "$S" -q --no-plots -r 2 --horizon 20 -o "$tmp/y" --variant a --variant 'b:pools.api.servers=4' --baseline b
if [ "$rc1" -eq 0 ] && rc_is 0 && py "$tmp/x/sweep.json" "$tmp/y/sweep.json" <<'EOF'
import json, sys
x, y = (json.load(open(f)) for f in sys.argv[1:3])
got = [(p["values"]["variant"], p["values"]["clients.web.timeout"]) for p in x["points"]]
ok = got == [("a", 0.1), ("a", 0.2), ("b", 0.1), ("b", 0.2)] and x["baseline"] == 3
ok = ok and x["vary"] == ["variant", "clients.web.timeout"] and y["baseline"] == 1
rows = open(sys.argv[1].replace("sweep.json", "sweep.csv")).read().splitlines()
ok = ok and rows[0].startswith("variant,clients.web.timeout,") and rows[3].startswith("b,0.1,")
sys.exit(0 if ok else 1)
EOF
then pass "variants x --vary: variants slowest, --baseline NAME and variant=NAME,PATH=VALUE, sweep.csv column"
else fail "variants crossed with --vary"; show; fi

# The file's baseline is the default; --baseline overrides it.
printf '{"baseline": "b", "variants": [{"name": "a"}, {"name": "b", "set": {"pools.api.servers": 4}}]}\n' >"$tmp/vb.json"
relsim sweep "$S" -q --no-plots -r 2 --horizon 20 -o "$tmp/fb" --variants "$tmp/vb.json" --variant 'c:pools.api.servers=5'
if rc_is 0 && py "$tmp/fb/sweep.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
ok = d["baseline"] == 1 and [p["values"]["variant"] for p in d["points"]] == ["a", "b", "c"]
sys.exit(0 if ok else 1)
EOF
then pass "variants file's baseline is the default; --variant adds to the file's variants"
else fail "file baseline"; show; fi

# ---- bad input: exit 2, where and what, nothing written -------------------------
bad() { # description needle args...
    desc=$1 needle=$2
    shift 2
    rm -rf "$tmp/bad"
    relsim sweep "$S" -q --no-plots -o "$tmp/bad" "$@"
    if rc_is 2 && has "$tmp/err" "$needle" && [ ! -s "$tmp/out" ] && [ ! -e "$tmp/bad" ]; then
        pass "$desc: exit 2, '$needle'"
    else
        fail "$desc: expected exit 2 and '$needle' on stderr, nothing written"; show
    fi
}
badfile() { # description needle json
    printf '%s\n' "$3" >"$tmp/bad.json"
    bad "$1" "$2" --variants "$tmp/bad.json"
}
bad "unknown variant path" "--variant a: pools.api.admision={}: pools.api.admision: unknown key, did you mean 'admission'?" \
    --variant 'a:pools.api.admision={}'
bad "duplicate variant name" "--variant a:pools.api.servers=2: two variants are called a" \
    --variant a --variant 'a:pools.api.servers=2'
bad "bad JSON value" "--variant a: pools.api.admission={codel: the value is not valid JSON" \
    --variant 'a:pools.api.admission={codel'
bad "value out of range" "--variant a: pools.api.servers=0: pools.api.servers: must be an integer" \
    --variant 'a:pools.api.servers=0'
bad "unknown baseline name" "--baseline c: no variant is called c; the variants are: a, b" \
    --variant a --variant b --baseline c
bad "change without =" "expected PATH=VALUE, got pools.api.servers" --variant 'a:pools.api.servers'
bad "bad variant name" "NAME of 1 to 63 letters" --variant 'a b:pools.api.servers=2'
bad "--vary overwriting a variant" "it would overwrite pools.api.admission={\"codel\":{}}, set by variant a" \
    --variant 'a:pools.api.admission={"codel":{}}' --vary 'pools.api.admission=null'
badfile "file: unknown path" "bad.json:1:58: variant a: pools.api.sevrers=3: pools.api.sevrers: unknown key" \
    '{"variants": [{"name": "a", "set": {"pools.api.sevrers": 3}}]}'
badfile "file: duplicate name" "bad.json:1:39: variants[1].name: two variants are called a (the other is at" \
    '{"variants": [{"name": "a"}, {"name": "a"}]}'
badfile "file: bad JSON value" "bad.json:1:43: syntax error" \
    '{"variants": [{"name": "a", "set": {"x": {codel}}}]}'
badfile "file: value of the wrong type" "bad.json:1:58: variant a: pools.api.servers=\"two\": pools.api.servers: must be an integer" \
    '{"variants": [{"name": "a", "set": {"pools.api.servers": "two"}}]}'
badfile "file: unknown baseline" "bad.json:1:43: baseline: no variant is called \"b\"" \
    '{"variants": [{"name": "a"}], "baseline": "b"}'
badfile "file: unknown key" "bad.json:1:29: variants[0].sett: unknown key; expected one of: name, description, set" \
    '{"variants": [{"name": "a", "sett": {}}]}'
badfile "file: missing name" "bad.json:1:15: variants[0]: missing \"name\"" '{"variants": [{"set": {}}]}'
badfile "file: no variants" "bad.json:1:14: variants: must be a non-empty list" '{"variants": []}'
badfile "file: not an object" "bad.json:1:1: the variants file must be a JSON object" '[]'
bad "file: missing" "cannot read" --variants "$tmp/nonexistent.json"
bad "objective named twice" "--objective latency_p99,request_success: clients.web.request_success is named twice" \
    --variant a --objective request_success --objective latency_p99,request_success
bad "unknown objective in a list" "--objective latency_p99,nosuch: expected METRIC[:max|min]" \
    --variant a --objective latency_p99,nosuch
printf '{"variants": [{"name": "a", "sett": {}}]}\n' >"$tmp/bad.json"
relsim sweep "$S" -q --no-plots -o "$tmp/bad" --variants "$tmp/bad.json"
check "file errors show the line and a caret under the spot" grep -qF '   |                             ^' "$tmp/err"

finish
