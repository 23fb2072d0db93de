#!/bin/sh
# sweep_memory.sh - a whole `relsim sweep` (running the points, sweep.json,
# sweep.csv, the report) runs in memory that does not grow with the number
# of points (issue 14): the peak RSS of the same short sweep at 60 and 1200
# points is compared.  Before issue 14's memory work a point cost about
# 185 kB (15 kB of scenario and summaries while the points ran, 170 kB of
# cJSON tree in the report; a 10 000-point sweep peaked at 1.8 GB), and
# 9 kB with the summaries spilled but every scenario built up front.  Now
# about 2-3 kB (measured 2.1-2.9 here: sweep.json's per-point head arrays
# such as "objectives", what a finished point keeps, the report's headline
# statistics); allowed: 5 kB a point (5.6 MB for the 1140 more points), so
# either regression fails.  Skipped under AddressSanitizer (its quarantine
# keeps freed memory).  Uses $RELSIM, /usr/bin/time and python3.
set -eu
. "$(dirname "$0")/../lib.sh"

[ -x /usr/bin/time ] || skip_all "no /usr/bin/time"
grep -q __asan_init "$RELSIM" 2>/dev/null && skip_all "AddressSanitizer build: its quarantine keeps freed memory"

cat >"$tmp/s.json" <<'J'
{"name": "memory-test", "seed": 77, "horizon": 0.5, "replications": 2,
 "pools": [{"name": "api", "servers": 2, "service": {"dist": "exponential", "rate": 100}}],
 "clients": [{"name": "web", "target": "api", "arrival": {"process": "poisson", "rate": 40}, "timeout": 0.5}]}
J
# 1200, not 600: the threads allocate from their own malloc arenas, whose
# fragmentation moves a peak by up to ~1 MB from run to run (bounded, but
# over 540 points that read as 2 kB a point, over 1140 as 1).
for n in 60 1200; do
    /usr/bin/time -f %M -o "$tmp/rss$n" "$RELSIM" sweep "$tmp/s.json" -q --no-plots -j 2 -o "$tmp/o$n" \
        --vary "clients.web.timeout=0.001:$(python3 -c "print($n / 1000)"):0.001" >/dev/null 2>"$tmp/err"
    check "$n-point sweep: exit 0, $n points in sweep.json" python3 -c '
import json, sys
sys.exit(0 if len(json.load(open(sys.argv[1]))["points"]) == int(sys.argv[2]) else 1)' "$tmp/o$n/sweep.json" "$n"
done
check "peak RSS grows by < 5 kB a point from 60 to 1200 points" python3 - "$tmp/rss60" "$tmp/rss1200" <<'PY'
import sys
a, b = (int(open(f).read().split()[-1]) for f in sys.argv[1:3])
per = (b - a) / 1140.0
print("      peak RSS %d kB at 60 points, %d kB at 1200: %.2f kB a point (allowed 5)" % (a, b, per))
sys.exit(0 if per < 5 else 1)
PY
finish
