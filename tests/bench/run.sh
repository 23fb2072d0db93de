#!/bin/sh
# tests/bench/run.sh - relsim's benchmarks; `make bench` runs it on a release
# build.  Usage:
#     sh tests/bench/run.sh [RELSIM [OUT.json]]
# RELSIM defaults to build/release/relsim, OUT to build/bench.json; the
# microbenchmark binaries are taken from $BENCH_DIR (default: RELSIM's
# directory/bench).  Set BENCH_QUICK=1 for a fast smoke run (fewer repeats,
# shorter horizons; the figures are then not the quoted ones).
#
#   a. reference workload (reference.json next to this script): 5 runs at -j 1; medians of simulated requests/s,
#      events/s, ns per event (wall, from results.json "perf", and CPU time),
#      peak RSS; every run must give the same results (perf fields excepted);
#   b. hold model on the engine's event list (hold.c) at 16, 10^2, 10^4, 10^6
#      pending events, beside a bare binary heap;
#   c. M/M/1 (scenario written here: one server, Poisson arrivals at 0.9/s,
#      Exp(1) service, no failures): customers per second through relsim,
#      and through the engine alone (mm1.c);
#   d. -j scaling: 4 replications at -j 1 and -j 2 (same results required);
#   e. memory against horizon: peak RSS at horizon H and 10 H;
#   f. fleet (fleet.json next to this script): 10 000 servers, 10^6
#      requests/s, per-server breakers, once per balancer at -j 1; simulated
#      requests/s (wall and per CPU second) and the ratio to (a) measured in
#      the same run (target >= 4 M requests/s);
#   g. memory against replications: peak RSS of short.json (a 1-second
#      scenario) at 10^3, 10^5 and 10^6 replications, -j 1 (flat = records
#      are folded, not kept);
#   h. interleaved sweep (sweep.json next to this script): 1000 points x 2
#      replications, 3 pairs of runs with -j 1 and -j 2 alternating (same
#      results required of all six); the speed-up of the whole command and
#      of running the points (sweep.json perf), each the median of the
#      pairs' speed-ups (-j 1 wall / -j 2 wall of the same pair, each pair's
#      printed too); medians of the cores obtained (CPU / wall) and of system
#      seconds (target speed-up >= 1.8).
# Medians are quoted because the machines are noisy.  Beside the wall-clock
# figures come rates per CPU second (user + sys of the process, start-up and
# writing included), which move much less when other work shares the cores.
set -eu
RELSIM=${1:-build/release/relsim}
OUT=${2:-build/bench.json}
BENCH_DIR=${BENCH_DIR:-$(dirname "$RELSIM")/bench}
here=$(cd "$(dirname "$0")" && pwd)
REF="$here/reference.json"
for f in "$RELSIM" "$BENCH_DIR/hold" "$BENCH_DIR/mm1"; do
    [ -x "$f" ] || { echo "bench: $f is missing; run 'make bench'" >&2; exit 2; }
done
command -v python3 >/dev/null || { echo "bench: python3 is needed" >&2; exit 2; }
exec python3 - "$RELSIM" "$OUT" "$BENCH_DIR" "$REF" "$here/fleet.json" "$here/short.json" "$here/sweep.json" <<'PYEOF'
import atexit, json, os, platform, shutil, statistics, subprocess, sys, tempfile, time, types

relsim, out_path, bench_dir, ref_path, fleet_path, short_path, sweep_path = sys.argv[1:8]
quick = os.environ.get("BENCH_QUICK") == "1"
REPS = 3 if quick else 5
tmp = tempfile.mkdtemp(prefix="relsim-bench-")
atexit.register(shutil.rmtree, tmp, True)
t_start = time.monotonic()

def run(cmd):
    """Run CMD to completion; return (stdout, wall s, CPU s, peak RSS MiB)."""
    out, wall, ru = run_ru(cmd)
    return out, wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0  # Linux: KiB

# Peak RSS.  Linux counts the memory a child had before its exec in its
# ru_maxrss, and a child of this script starts as (or shares, by vfork) a
# copy of this Python process (~14 MiB, more after it reads big files): os.wait4
# alone would report max(this script, relsim), e.g. 14 MiB for /bin/true and
# for a relsim run that peaks at 5.  So the peak comes from GNU time (Debian
# package `time`), whose own small process is the one that forks relsim;
# without it the figures are marked as floored by this script's size.
GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None

def run_ru(cmd):
    """Run CMD to completion; return (stdout, wall s, the child's rusage,
    its ru_maxrss that of CMD alone when GNU time is there)."""
    rss_file = os.path.join(tmp, "rss")
    if GNU_TIME:
        cmd = [GNU_TIME, "-f", "%M", "-o", rss_file] + list(cmd)
    with tempfile.TemporaryFile() as fo, tempfile.TemporaryFile() as fe:
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdout=fo, stderr=fe)
        _, status, ru = os.wait4(p.pid, 0)
        if GNU_TIME and os.waitstatus_to_exitcode(status) == 0:
            with open(rss_file) as fh:
                ru = types.SimpleNamespace(ru_utime=ru.ru_utime, ru_stime=ru.ru_stime,
                                           ru_maxrss=int(fh.read().split()[-1]))
        wall = time.monotonic() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        fo.seek(0)
        fe.seek(0)
        out, err = fo.read().decode(), fe.read().decode()
    if p.returncode != 0:
        sys.stderr.write("bench: command failed (%d): %s\n%s" % (p.returncode, " ".join(cmd), err))
        sys.exit(1)
    return out, wall, ru

def med(xs):
    return statistics.median(xs) if xs else None

def strip_perf(d):
    d = dict(d)
    d.pop("perf", None)
    return json.dumps(d, sort_keys=True)

def relsim_run(scenario, name, extra=()):
    """One `relsim run`; returns (results dict, wall s, CPU s, peak RSS MiB, command)."""
    odir = os.path.join(tmp, name)
    shutil.rmtree(odir, ignore_errors=True)
    cmd = [relsim, "run", scenario, "-q", "--no-plots", "-o", odir] + list(extra)
    _, wall, cpu, rss = run(cmd)
    with open(os.path.join(odir, "results.json")) as fh:
        res = json.load(fh)
    return res, wall, cpu, rss, cmd

def say(msg):
    print(msg, flush=True)

report = {
    "machine": {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
                "load_average_at_start": os.getloadavg()},
    "relsim": relsim, "quick": quick,
    "command": "make bench   (or: sh tests/bench/run.sh build/release/relsim build/bench.json)",
}
say("relsim benchmarks (%s, %d cores, load %.2f)%s" % (report["machine"]["cpu"], os.cpu_count(),
    os.getloadavg()[0], "  [BENCH_QUICK: smoke run]" if quick else ""))
if not GNU_TIME:
    say("   (no /usr/bin/time, apt-get install time: every peak RSS below is at least this script's own size)")
report["peak_rss_by"] = "GNU time" if GNU_TIME else "wait4 (floored by the bench script's size)"

# ---- a. reference workload --------------------------------------------------------
ref_extra = ["-j", "1"] + (["--horizon", "2000"] if quick else [])
rows, outputs = [], set()
for i in range(REPS):
    res, wall, cpu, rss, cmd = relsim_run(ref_path, "ref%d" % i, ref_extra)
    p = res["perf"]
    rows.append({"wall_seconds": p["wall_seconds"], "process_wall_seconds": wall, "cpu_seconds": cpu,
                 "peak_rss_mib": rss,
                 "events": p["events"], "requests": p["requests"],
                 "requests_per_second": p["requests_per_second"], "events_per_second": p["events_per_second"],
                 "requests_per_cpu_second": p["requests"] / cpu})
    outputs.add(strip_perf(res))
rss = med([r["peak_rss_mib"] for r in rows])
ev = rows[0]["events"]
a = {
    "scenario": ref_path, "runs": REPS, "command": " ".join(cmd[:3] + ["-j", "1", "-q", "--no-plots", "-o", "DIR"]),
    "events": ev, "requests": rows[0]["requests"],
    "requests_per_second": med([r["requests_per_second"] for r in rows]),
    "events_per_second": med([r["events_per_second"] for r in rows]),
    "ns_per_event": 1e9 / med([r["events_per_second"] for r in rows]),
    "requests_per_cpu_second": med([r["requests_per_cpu_second"] for r in rows]),
    "ns_per_event_cpu": 1e9 * med([r["cpu_seconds"] for r in rows]) / ev,
    "peak_rss_mib": rss,
    "identical_results": len(outputs) == 1,
    "runs_detail": rows,
    "target_requests_per_second": 8e6, "floor_requests_per_second": 5e6,
    "simpy_requests_per_second": 81000,
}
a["x_simpy"] = a["requests_per_second"] / 81000
report["reference"] = a
say("a. reference workload, -j 1, median of %d:" % REPS)
say("   %.2f M simulated requests/s (wall; %.2f M per CPU second), %.1f M events/s, %.1f ns/event "
    "(%.1f ns of CPU), peak RSS %s MiB, %.0fx SimPy, results identical across runs: %s"
    % (a["requests_per_second"] / 1e6, a["requests_per_cpu_second"] / 1e6, a["events_per_second"] / 1e6,
       a["ns_per_event"], a["ns_per_event_cpu"], "%.1f" % rss, a["x_simpy"],
       a["identical_results"]))

# ---- b. hold model -----------------------------------------------------------------
out = run([os.path.join(bench_dir, "hold")] + (["0.2"] if quick else []))[0]
hold = json.loads(out)
report["hold"] = hold
say("b. hold model (pop + push + Exp draw, ns of CPU per hold, median of 5):")
for s in hold["sizes"]:
    say("   %8d pending: evq %7.1f ns   bare binary heap %7.1f ns   draw alone %5.1f ns   evq/bare %.2f"
        % (s["pending"], s["evq_ns"], s["bare_binary_heap_ns"], s["rng_only_ns"], s["evq_over_bare"]))
# The reference workload keeps ~15 events pending; README quotes the bare
# heap at 10^2-10^3.  Compare with both.
bare = {s["pending"]: s["bare_binary_heap_ns"] for s in hold["sizes"]}
a["ns_per_event_over_bare_heap_hold_16"] = a["ns_per_event_cpu"] / bare[16]
a["ns_per_event_over_bare_heap_hold_100"] = a["ns_per_event_cpu"] / bare[100]
say("   reference workload: %.1f ns of CPU per event = %.2fx the bare heap hold loop at 16 pending, "
    "%.2fx at 100 (target <= 2x)" % (a["ns_per_event_cpu"], a["ns_per_event_over_bare_heap_hold_16"],
                                     a["ns_per_event_over_bare_heap_hold_100"]))

# ---- c. M/M/1 ------------------------------------------------------------------------
lam, mu = 0.9, 1.0
horizon = 400000 if quick else 4000000
mm1 = {"name": "bench-mm1", "description": "M/M/1: Poisson arrivals 0.9/s, one server, Exp(1) service, no failures",
       "horizon": horizon, "warmup": 0, "replications": 1, "seed": 11,
       "pools": [{"name": "server", "servers": 1, "workers": 1, "service": {"dist": "exponential", "rate": mu}}],
       "clients": [{"name": "customers", "target": "server", "arrival": {"process": "poisson", "rate": lam}}]}
mm1_path = os.path.join(tmp, "mm1.json")
with open(mm1_path, "w") as fh:
    json.dump(mm1, fh, indent=2)
rows = []
for i in range(3):
    res, wall, cpu, _, _ = relsim_run(mm1_path, "mm1_%d" % i, ["-j", "1"])
    p = res["perf"]
    rows.append((p["requests_per_second"], p["requests"] / cpu, p["events_per_second"],
                 res["clients"]["customers"]["latency_mean"]["mean"]))
out = run([os.path.join(bench_dir, "mm1")] + (["500000"] if quick else []))[0]
engine = json.loads(out)
c = {"scenario": mm1, "customers": int(res["perf"]["requests"]),
     "customers_per_second": med([r[0] for r in rows]), "customers_per_cpu_second": med([r[1] for r in rows]),
     "events_per_second": med([r[2] for r in rows]),
     "mean_response_time": rows[0][3], "analytic_mean_response_time": 1 / (mu - lam),
     "engine_only": engine}
report["mm1"] = c
say("c. M/M/1 through relsim (median of 3): %.2f M customers/s (%.2f M per CPU second), %.1f M events/s; "
    "W = %.3f s (analytic %.3f)" % (c["customers_per_second"] / 1e6, c["customers_per_cpu_second"] / 1e6,
                                   c["events_per_second"] / 1e6, c["mean_response_time"], 1 / (mu - lam)))
say("   M/M/1 on the engine alone (mm1.c): %.2f M customers/s, %.1f ns of CPU per event (cimba quotes 33.6 M events/s)"
    % (engine["customers_per_second"] / 1e6, engine["ns_per_event"]))

# ---- d. -j scaling -----------------------------------------------------------------
d = {"replications": 4, "runs": 3}
scal_extra = ["-r", "4"] + (["--horizon", "1000"] if quick else ["--horizon", "5000"])
walls, cpus, outs = {1: [], 2: []}, {1: [], 2: []}, {1: set(), 2: set()}
for i in range(d["runs"]):
    for j in (1, 2):
        res, wall, cpu, _, _ = relsim_run(ref_path, "scal%d_%d" % (j, i), scal_extra + ["-j", str(j)])
        walls[j].append(res["perf"]["wall_seconds"])
        cpus[j].append(cpu)
        outs[j].add(strip_perf(res))
d.update({"horizon": float(scal_extra[-1]),
          "wall_seconds_j1": med(walls[1]), "wall_seconds_j2": med(walls[2]),
          "speedup_j2": med(walls[1]) / med(walls[2]),
          "cpu_seconds_j1": med(cpus[1]), "cpu_seconds_j2": med(cpus[2]),
          "identical_results_j1_j2": len(outs[1] | outs[2]) == 1,
          "load_average": os.getloadavg()})
# CPU j2 / CPU j1 near 1: threads add no work; CPU / wall at -j 2: how many
# cores the machine actually gave us (2 when idle; less when shared).
d["cpu_ratio_j2_over_j1"] = d["cpu_seconds_j2"] / d["cpu_seconds_j1"]
d["cores_obtained_j2"] = d["cpu_seconds_j2"] / d["wall_seconds_j2"]
report["scaling"] = d
say("d. -j scaling, 4 replications x %g s (median of 3): -j 1 %.2f s, -j 2 %.2f s: speed-up %.2f "
    "(ideal %d); CPU -j 2 / -j 1 = %.2f, cores obtained at -j 2: %.2f (load average %.1f); "
    "results identical: %s"
    % (d["horizon"], d["wall_seconds_j1"], d["wall_seconds_j2"], d["speedup_j2"], min(os.cpu_count(), 2),
       d["cpu_ratio_j2_over_j1"], d["cores_obtained_j2"], d["load_average"][0], d["identical_results_j1_j2"]))

# ---- e. memory against horizon -------------------------------------------------------
H = 1000.0 if quick else 10000.0
rss_h = relsim_run(ref_path, "memH", ["-j", "1", "--horizon", "%g" % H])[3]
rss_10h = relsim_run(ref_path, "mem10H", ["-j", "1", "--horizon", "%g" % (10 * H)])[3]
e = {"horizon": H, "peak_rss_mib_H": rss_h, "peak_rss_mib_10H": rss_10h,
     "ratio": rss_10h / rss_h}
report["memory"] = e
say("e. memory: peak RSS %.1f MiB at horizon %g s, %.1f MiB at %g s (ratio %.2f; flat = 1)"
    % (rss_h, H, rss_10h, 10 * H, e["ratio"]))

# ---- f. fleet-scale pool ---------------------------------------------------------------
f = {"scenario": fleet_path, "horizon": 0.2 if quick else 2.0, "target_requests_per_second": 4e6, "balancers": {}}
say("f. fleet: 10 000 servers, 10^6 requests/s, per-server breakers, -j 1, %g s simulated (median of %d):"
    % (f["horizon"], 1 if quick else 3))
for bal in ("random", "round_robin", "least_outstanding", "p2c"):
    rows = []
    for i in range(1 if quick else 3):
        res, wall, cpu, rss, _ = relsim_run(fleet_path, "fleet_%s_%d" % (bal, i),
                                            ["-j", "1", "--horizon", "%g" % f["horizon"],
                                             "--set", "clients.web.balancer=%s" % bal])
        p = res["perf"]
        rows.append((p["requests_per_second"], p["requests"] / cpu, rss,
                     res["clients"]["web"]["request_success"]["mean"]))
    b = {"requests_per_second": med([r[0] for r in rows]), "requests_per_cpu_second": med([r[1] for r in rows]),
         "peak_rss_mib": med([r[2] for r in rows]), "request_success": rows[0][3]}
    b["ratio_to_reference_cpu"] = b["requests_per_cpu_second"] / a["requests_per_cpu_second"]
    f["balancers"][bal] = b
    say("   %-17s %5.2f M requests/s wall, %5.2f M per CPU second (%.2fx the reference workload's), "
        "peak RSS %.1f MiB; success %.6f"
        % (bal, b["requests_per_second"] / 1e6, b["requests_per_cpu_second"] / 1e6, b["ratio_to_reference_cpu"],
           b["peak_rss_mib"], b["request_success"]))
report["fleet"] = f

# ---- g. memory against replications ------------------------------------------------------
g = {"scenario": short_path, "runs": []}
for n in ((1000, 10000, 100000) if quick else (1000, 100000, 1000000)):
    res, wall, cpu, rss, _ = relsim_run(short_path, "short%d" % n, ["-j", "1", "-r", str(n)])
    g["runs"].append({"replications": n, "peak_rss_mib": rss, "cpu_seconds": cpu, "wall_seconds": wall,
                      "replications_per_cpu_second": n / cpu})
g["ratio_largest_to_smallest"] = g["runs"][-1]["peak_rss_mib"] / g["runs"][0]["peak_rss_mib"]
report["replications_memory"] = g
say("g. memory against replications (1-second scenario, -j 1): "
    + ", ".join("%d: %.1f MiB (%.1f s CPU)" % (r["replications"], r["peak_rss_mib"], r["cpu_seconds"])
                for r in g["runs"])
    + "; ratio %.2f (flat = 1)" % g["ratio_largest_to_smallest"])

# ---- h. interleaved sweep ------------------------------------------------------------------
# Three pairs of runs, -j 1 and -j 2 alternating (1 2, 2 1, 1 2: a drift of the machine's load
# falls on both), medians.  Every run writes a new folder (13 files a point, 13 000 in all) and
# none is deleted before the benchmark ends: ext4 without a journal (this machine's /tmp) will
# not reuse an inode freed less than 60 s ago (360 s while its inode table block is not yet
# written back) and checks them one by one (recently_deleted() under ext4_create), so a sweep
# run just after an `rm -rf` of a sweep folder spent up to 12 s in the kernel instead of 0.7.
# Deletions by anything else on the machine (or a previous `make bench` cleaning its folders
# within those minutes) do the same: every run's system seconds are reported, and a run with
# more than twice the smallest (and 1 s more) is named as slowed by the file system.
npts = 200 if quick else 1000
pairs = 1 if quick else 3
h = {"scenario": sweep_path, "points": npts, "replications": 2, "target_speedup_j2": 1.8,
     "pairs": pairs, "load_average_before": os.getloadavg()}
vary = "clients.web.timeout=0.01:%g:0.01" % (npts / 100.0)
outs = set()
runs = {1: [], 2: []}

def sweep_digest(path):
    """What part h needs of a sweep.json (a hash of it without perf, the
    points' wall time and count), read by a separate python: parsing the
    28 MB file here would grow this process by ~200 MB, and Linux counts a
    child's pre-exec memory (this process's, shared by vfork) in the child's
    ru_maxrss, so every later peak RSS would read as this script's."""
    out = subprocess.run([sys.executable, "-c", """if 1:
        import hashlib, json, sys
        with open(sys.argv[1]) as fh:
            sw = json.load(fh)
        perf = sw.pop("perf")
        print(json.dumps({"digest": hashlib.sha256(json.dumps(sw, sort_keys=True).encode()).hexdigest(),
                          "wall_seconds": perf["wall_seconds"], "points": len(sw["points"])}))
        """, path], check=True, capture_output=True, text=True).stdout
    return json.loads(out)

for p in range(pairs):
    for j in ((1, 2) if p % 2 == 0 else (2, 1)):
        odir = os.path.join(tmp, "sweep_j%d_%d" % (j, p))  # a new name, never one deleted
        cmd = [relsim, "sweep", sweep_path, "-q", "--no-plots", "-j", str(j), "-o", odir, "--vary", vary]
        _, wall, ru = run_ru(cmd)
        sw = sweep_digest(os.path.join(odir, "sweep.json"))
        outs.add(sw["digest"])
        cpu = ru.ru_utime + ru.ru_stime
        runs[j].append({"pair": p, "wall_seconds": wall, "cpu_seconds": cpu, "sys_seconds": ru.ru_stime,
                        "peak_rss_mib": ru.ru_maxrss / 1024.0,
                        "points_wall_seconds": sw["wall_seconds"], "points_run": sw["points"],
                        "cores_obtained": cpu / wall, "load_average": os.getloadavg()[0]})
for j in (1, 2):
    rs = runs[j]
    h["j%d" % j] = {k: med([r[k] for r in rs]) for k in ("wall_seconds", "cpu_seconds", "sys_seconds",
                                                          "peak_rss_mib", "points_wall_seconds",
                                                          "cores_obtained")}
    h["j%d" % j]["points_run"] = min(r["points_run"] for r in rs)
    h["j%d" % j]["replications_per_cpu_second"] = npts * 2 / h["j%d" % j]["cpu_seconds"]
    h["j%d" % j]["runs"] = rs
h["command"] = " ".join(cmd[:2] + ["sweep.json", "-q", "--no-plots", "-j", "J", "-o", "DIR", "--vary", vary])
sys_min = min(r["sys_seconds"] for j in (1, 2) for r in runs[j])
h["fs_slowed_runs"] = ["-j %d pair %d (%.1f s system)" % (j, r["pair"], r["sys_seconds"]) for j in (1, 2)
                       for r in runs[j] if r["sys_seconds"] > max(2 * sys_min, sys_min + 1)]
pair_sp = [a["wall_seconds"] / b["wall_seconds"] for a, b in zip(runs[1], runs[2])]
h["speedup_j2_pairs"] = pair_sp
h["speedup_j2"] = med(pair_sp)  # the median of the pairs' speed-ups (a pair's runs are back to back)
h["speedup_points_j2_pairs"] = [a["points_wall_seconds"] / b["points_wall_seconds"] for a, b in zip(runs[1], runs[2])]
h["speedup_points_j2"] = med(h["speedup_points_j2_pairs"])
h["cores_obtained_j2"] = h["j2"]["cores_obtained"]
h["cores_obtained_j1"] = h["j1"]["cores_obtained"]
h["cpu_ratio_j2_over_j1"] = h["j2"]["cpu_seconds"] / h["j1"]["cpu_seconds"]
# what 2 whole cores would give: the -j 1 CPU over the -j 2 CPU shared by 2, i.e. 2 / cpu_ratio
h["speedup_j2_if_2_cores"] = 2 / h["cpu_ratio_j2_over_j1"]
h["identical_results_j1_j2"] = len(outs) == 1 and h["j1"]["points_run"] == npts and h["j2"]["points_run"] == npts
h["load_average"] = os.getloadavg()
report["sweep"] = h
say("h. interleaved sweep, %d points x 2 replications, %d pair%s of runs (medians): -j 1 %.2f s, -j 2 %.2f s: "
    "speed-up %.2f (median of the pairs: %s; running the points: %.2f; target >= 1.8); cores obtained (CPU/wall) %.2f at -j 2, "
    "%.2f at -j 1; CPU -j 2 / -j 1 = %.3f (so at most %.2f on 2 whole cores); system CPU %.2f s / %.2f s; "
    "%.0f replications per CPU second; peak RSS %.1f MiB; results identical: %s (load average %.1f before, %.1f after)"
    % (npts, pairs, "" if pairs == 1 else "s", h["j1"]["wall_seconds"], h["j2"]["wall_seconds"], h["speedup_j2"],
       " ".join("%.2f" % x for x in pair_sp), h["speedup_points_j2"],
       h["cores_obtained_j2"], h["cores_obtained_j1"], h["cpu_ratio_j2_over_j1"], h["speedup_j2_if_2_cores"],
       h["j1"]["sys_seconds"], h["j2"]["sys_seconds"],
       h["j2"]["replications_per_cpu_second"], h["j2"]["peak_rss_mib"], h["identical_results_j1_j2"],
       h["load_average_before"][0], h["load_average"][0]))
if h["fs_slowed_runs"]:
    say("   slowed by the file system (inodes freed in the last minutes, see the comment above): %s; "
        "trust the CPU figures less" % ", ".join(h["fs_slowed_runs"]))

report["seconds"] = time.monotonic() - t_start
ok = a["requests_per_second"] >= 8e6
report["target_met"] = None if quick else ok
busy = max(os.getloadavg()[0], report["machine"]["load_average_at_start"][0]) > (os.cpu_count() or 1) - 0.5
report["machine_busy"] = busy
if quick:
    say("targets not judged on a BENCH_QUICK run (short horizons)")
else:
    say("target >= 8 M requests/s at -j 1: %s (wall median %.2f M, per CPU second %.2f M); floor 5 M: %s%s"
        % ("met" if ok else "NOT met", a["requests_per_second"] / 1e6, a["requests_per_cpu_second"] / 1e6,
           "kept" if a["requests_per_second"] >= 5e6 else "BROKEN",
           "\n   (the machine was busy: load %.1f on %d cores; wall figures are low, trust the CPU ones)"
           % (os.getloadavg()[0], os.cpu_count()) if busy else ""))
os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
with open(out_path, "w") as fh:
    json.dump(report, fh, indent=2)
    fh.write("\n")
say("wrote %s in %.0f s" % (out_path, report["seconds"]))
PYEOF
