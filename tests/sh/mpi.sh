#!/bin/sh
# mpi.sh - the MPI back end (app/par_mpi.c) gives the same outputs as a
# serial run: `relsim run` and `relsim sweep` under mpirun -np 2 and -np 3
# (uneven shares, --precision extensions that start mid-range) against the
# same binary without mpirun; results.json and sweep.json compared without
# their perf/wall-time fields, every CSV byte for byte; only rank 0 prints.
# Needs mpirun and build/mpi/relsim (make MPI=1 BUILD=build/mpi; or set
# RELSIM_MPI_BIN); without them prints "SKIP: no MPI ..." and exits 77, which
# tests/run.sh reports as SKIP (not as passed).
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
MPIBIN=${RELSIM_MPI_BIN:-$here/build/mpi/relsim}

if ! command -v mpirun >/dev/null 2>&1; then
    echo "SKIP: no MPI (mpirun not found; apt-get install openmpi-bin libopenmpi-dev)"
    exit 77
fi
if [ ! -x "$MPIBIN" ]; then
    echo "SKIP: no MPI build ($MPIBIN missing; make MPI=1 BUILD=build/mpi)"
    exit 77
fi
# Open MPI refuses root without these; MPICH has no such flags.
flags=
if mpirun --version 2>&1 | grep -q "Open MPI"; then
    flags="--allow-run-as-root --oversubscribe"
fi

RELSIM=${RELSIM:-$MPIBIN}
. "$here/tests/lib.sh"

# mpi NP ARGS...: relsim ARGS under mpirun -np NP; keeps rc, stdout, stderr.
mpi() {
    np=$1
    shift
    set +e
    # shellcheck disable=SC2086
    mpirun $flags -np "$np" "$MPIBIN" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    set -e
}

# serial ARGS...: the same binary, not under mpirun (one rank).
serial() {
    set +e
    "$MPIBIN" "$@" >"$tmp/sout" 2>"$tmp/serr"
    rc=$?
    set -e
}


# same_dir A B: every results.json / sweep.json equal without perf and wall
# fields, every CSV identical.
same_dir() {
    python3 - "$1" "$2" <<'EOF'
import filecmp, json, os, sys
a, b = sys.argv[1:3]
def strip(x):
    if isinstance(x, dict):
        return {k: strip(v) for k, v in x.items() if k not in ("perf", "wall_seconds")}
    if isinstance(x, list):
        return [strip(v) for v in x]
    return x
bad, n = [], 0
for root, _, files in os.walk(a):
    for f in files:
        pa = os.path.join(root, f)
        rel = os.path.relpath(pa, a)
        pb = os.path.join(b, rel)
        if f in ("results.json", "sweep.json"):
            n += 1
            if not os.path.exists(pb) or strip(json.load(open(pa))) != strip(json.load(open(pb))):
                bad.append(rel)
        elif f.endswith(".csv") or f in ("scenario.json", "scenario.resolved.json"):
            n += 1
            if not os.path.exists(pb) or not filecmp.cmp(pa, pb, shallow=False):
                bad.append(rel)
if bad or n == 0:
    print("      differ:", bad[:8], "compared", n)
    sys.exit(1)
print("      %d files compared" % n)
EOF
}

cat >"$tmp/s.json" <<'EOF'
{
  "name": "mpi-test",
  "seed": 2385,
  "horizon": 150,
  "replications": 7,
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
     "retry": {"max_attempts": 2,
               "backoff": {"kind": "exponential", "base": 0.01, "multiplier": 2, "cap": 1.0, "jitter": "full"}},
     "breaker": {"scope": "per_server", "kind": "consecutive", "failure_threshold": 3,
                 "open_for": 1.0, "half_open_probes": 1}}
  ]
}
EOF
S=$tmp/s.json

# ---- run ----------------------------------------------------------------------------
serial run "$S" -o "$tmp/run_s" -q --no-plots -j 2
mpi 2 run "$S" -o "$tmp/run_m" --no-plots -j 1
if [ "$rc" -eq 0 ] && same_dir "$tmp/run_s" "$tmp/run_m"; then
    pass "run -np 2: results.json (perf aside) and every CSV identical to the serial run"
else fail "run -np 2 differs from serial"; show; fi
n=$(grep -c "^pool api" "$tmp/out" || true)
if [ "$n" = 1 ]; then pass "run -np 2: the table is printed once (rank 0 only)"
else fail "run -np 2: table printed $n times"; show; fi

# ---- sweep ------------------------------------------------------------------------------
V="--vary clients.web.retry.max_attempts=1,3 --vary pools.api.servers=3,5"
# shellcheck disable=SC2086
serial sweep "$S" -o "$tmp/sw_s" -q --no-plots -j 2 $V
# shellcheck disable=SC2086
mpi 2 sweep "$S" -o "$tmp/sw_m" -q --no-plots -j 1 $V
if [ "$rc" -eq 0 ] && same_dir "$tmp/sw_s" "$tmp/sw_m"; then
    pass "sweep -np 2: sweep.json, sweep.csv and every point's folder identical to serial"
else fail "sweep -np 2 differs from serial"; show; fi

# --precision grows each point from 3 replications in steps that start mid-range
# shellcheck disable=SC2086
serial sweep "$S" -o "$tmp/pr_s" -q --no-plots -j 1 -r 3 --precision 0.03 $V
# shellcheck disable=SC2086
mpi 3 sweep "$S" -o "$tmp/pr_m" -q --no-plots -j 1 -r 3 --precision 0.03 $V
if [ "$rc" -eq 0 ] && same_dir "$tmp/pr_s" "$tmp/pr_m" &&
   python3 -c 'import json,sys; sys.exit(0 if any(p["replications"] > 5 for p in json.load(open(sys.argv[1]))["points"]) else 1)' "$tmp/pr_m/sweep.json"; then
    pass "sweep --precision -np 3: same replication counts and results as serial"
else fail "sweep --precision -np 3 differs from serial"; show; fi

# many points, few replications: batches mix points, the baseline (p007) runs
# first; each point's replication 0 (the timelines) on rank 0
VI="--vary pools.api.servers=3,4 --vary clients.web.timeout=0.05:0.4:0.05 --baseline 7"
# shellcheck disable=SC2086
serial sweep "$S" -o "$tmp/il_s" -q --no-plots -j 2 -r 2 --horizon 40 $VI
# shellcheck disable=SC2086
mpi 3 sweep "$S" -o "$tmp/il_m" -q --no-plots -j 1 -r 2 --horizon 40 $VI
if [ "$rc" -eq 0 ] && same_dir "$tmp/il_s" "$tmp/il_m"; then
    pass "interleaved 16-point x 2-replication sweep -np 3: identical to serial"
else fail "interleaved sweep -np 3 differs from serial"; show; fi

# The raw sweep.json bytes (each point's entry printed when it ends, rank 0)
# and the report made from it, the folder's name aside.
if python3 - "$tmp/il_s" "$tmp/il_m" <<'EOF'
import re, sys
a, b = sys.argv[1:3]
j = [re.sub(r'"perf":\t\{[^}]*\}', "", open(d + "/sweep.json").read()) for d in (a, b)]
r = [open(d + "/report.md").read().replace(d.replace("_", "\\_"), "DIR") for d in (a, b)]  # as Markdown escapes it
sys.exit(0 if j[0] == j[1] and r[0] == r[1] else 1)
EOF
then pass "interleaved sweep -np 3: sweep.json bytes (perf aside) and report.md identical to serial"
else fail "interleaved sweep -np 3: sweep.json bytes or report.md differ from serial"; fi

# ---- a run the overload guard stops: the same runaway record and findings -----------------
# A retry storm from t = 0 (600 requests/s, 100 ms timeout, 3 attempts, no
# budget); rank 1 runs replication 1, whose record must still reach rank 0.
cat >"$tmp/storm.json" <<'EOF'
{"name": "storm", "horizon": 600, "replications": 3, "seed": 5, "limits": {"max_in_flight": 20000},
 "pools": [{"name": "api", "servers": 8, "service": {"dist": "exponential", "rate": 100}}],
 "clients": [{"name": "web", "target": "api", "arrival": {"process": "poisson", "rate": 600},
              "timeout": 0.1, "retry": {"max_attempts": 3}}]}
EOF
serial run "$tmp/storm.json" -o "$tmp/st_s" -q --no-plots -j 1
mpi 2 run "$tmp/storm.json" -o "$tmp/st_m" -q --no-plots -j 1
if [ "$rc" -eq 1 ] && same_dir "$tmp/st_s" "$tmp/st_m" && grep -q '"runaway"' "$tmp/st_m/results.json"; then
    pass "runaway under mpirun -np 2: results.json (runaway, findings) and timeseries.csv as serial"
else fail "runaway under mpirun differs from serial"; show; fi

# ---- bad input: exit 2 from rank 0, the message once ------------------------------------
mpi 2 sweep "$S" -o "$tmp/bad" -q --no-plots --vary clients.web.retry.max_atempts=1,2
n=$(grep -c "max_atempts: unknown key" "$tmp/err" || true)
if [ "$rc" -ne 0 ] && [ "$n" = 1 ] && [ ! -e "$tmp/bad" ]; then
    pass "bad --vary under mpirun: non-zero exit, the message once, nothing written"
else fail "bad --vary under mpirun (message printed $n times)"; show; fi

finish
