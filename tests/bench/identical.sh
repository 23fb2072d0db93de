#!/bin/sh
# identical.sh RELSIM OUTDIR - the bit-identity check of a performance change:
# results.json without "perf" of every scenario in scenarios/ (-j 2), and of
# the fleet (--horizon 0.2) and health1000 (--horizon 100) benchmarks with
# each balancer, one file each in OUTDIR.  Run it with the binary before and
# after a change, then `diff -r BEFORE AFTER`: no output, no change.
set -eu
if [ $# -ne 2 ]; then
    echo "usage: $0 RELSIM OUTDIR   (then diff -r two OUTDIRs)" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")/../.." && pwd)
R=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
mkdir -p "$2"
O=$(cd "$2" && pwd)
cd "$here" # relative scenario paths: results.json names the file it ran
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
strip() {
    python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
r.pop("perf", None)
print(json.dumps(r, sort_keys=True, indent=0))' "$tmp/o/results.json" >"$O/$1.json"
    rm -rf "$tmp/o"
}
for f in scenarios/*.json; do
    "$R" run "$f" -j 2 -q --no-plots -o "$tmp/o" >/dev/null
    strip "$(basename "$f" .json)"
done
for b in random round_robin least_outstanding p2c; do
    "$R" run tests/bench/fleet.json -j 1 --horizon 0.2 --set clients.web.balancer=$b \
        -q --no-plots -o "$tmp/o" >/dev/null
    strip "fleet_$b"
    "$R" run tests/bench/health1000.json -j 1 --horizon 100 --set clients.lb.balancer=$b \
        -q --no-plots -o "$tmp/o" >/dev/null
    strip "health_$b"
done
echo "wrote $(ls "$O" | wc -l) files to $O"
