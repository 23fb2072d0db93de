#!/bin/sh
# fleet_ab.sh N BIN [BIN ...] - interleaved A/B timing of the fleet benchmark
# (fleet.json, -j 1, --horizon 2 = 2.0 M requests) with each balancer: N
# rounds, every binary once per round and balancer, alternating, so that a
# machine whose speed drifts from minute to minute treats them alike.  Prints
# the median, third quartile and best of the simulated requests per CPU
# second (user + system of the process, as make bench part f computes them).
set -eu
if [ $# -lt 2 ]; then
    echo "usage: $0 ROUNDS RELSIM [RELSIM ...]" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
exec python3 - "$here/fleet.json" "$@" <<'PYEOF'
import json, os, resource, statistics, subprocess, sys, tempfile
fleet, n, bins = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
bals = ("random", "round_robin", "least_outstanding", "p2c")
rates = {}
with tempfile.TemporaryDirectory() as d:
    for k in range(n):
        for b in bals:
            for i, exe in enumerate(bins):
                o = os.path.join(d, "%s_%d_%d" % (b, i, k))
                r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
                subprocess.run([exe, "run", fleet, "-j", "1", "--horizon", "2", "--set",
                                "clients.web.balancer=" + b, "-q", "--no-plots", "-o", o],
                               check=True, stdout=subprocess.DEVNULL)
                r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu = r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime
                with open(os.path.join(o, "results.json")) as fh:
                    req = json.load(fh)["perf"]["requests"]
                rates.setdefault((b, i), []).append(req / cpu / 1e6)
for b in bals:
    print("%-17s" % b, "   ".join(
        "bin%d median %.2f q75 %.2f best %.2f M/CPU s" % (
            i, statistics.median(rates[(b, i)]),
            statistics.quantiles(rates[(b, i)], n=4)[2] if n > 1 else rates[(b, i)][0],
            max(rates[(b, i)])) for i in range(len(bins))))
print("load average", " ".join("%.1f" % x for x in os.getloadavg()))
PYEOF
