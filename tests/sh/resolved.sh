#!/bin/sh
# resolved.sh - scenario.resolved.json (issue 16): every run folder and every
# sweep point gets the configuration the run used with every default filled
# in; the report's words come from it (objects left empty are described with
# their defaults, not as "no retries" or "nan"); `relsim report` on an older
# folder without it still describes the defaults; and running the resolved
# file gives the same results as the original.  Short horizons: seconds.
set -eu
. "$(dirname "$0")/../lib.sh"

py() { python3 - "$@"; }

# The issue's client: retry, breaker and outlier objects left (mostly) empty.
cat >"$tmp/s.json" <<'JSON'
{"name": "resolved-test", "seed": 7, "horizon": 60, "replications": 2,
 "pools": [{"name": "api", "servers": 4, "service": {"rate": 100},
            "failure": {"rate": 0.01}, "repair": {"rate": 0.1}}],
 "clients": [{"name": "web", "arrival": {"rate": 100}, "timeout": 0.1,
              "retry": {}, "breaker": {"failure_threshold": 3}, "outlier": {}}]}
JSON

relsim run "$tmp/s.json" -o "$tmp/r" --no-plots -q
check "run: exit 0" rc_is 0
check "run: scenario.resolved.json written" test -s "$tmp/r/scenario.resolved.json"
check "resolved: defaults filled in (retry 3 attempts, Envoy outlier, breaker open_for 5 s)" py "$tmp/r/scenario.resolved.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["clients"][0]
ok = (c["retry"]["max_attempts"] == 3 and c["breaker"]["kind"] == "consecutive"
      and c["breaker"]["failure_threshold"] == 3 and c["breaker"]["open_for"] == 5
      and c["outlier"] == {"consecutive_errors": 5, "base_ejection": 30, "max_ejection_percent": 10}
      and c["retry"]["backoff"]["kind"] == "none" and "hedge" not in c)
sys.exit(0 if ok else 1)
PY

relsim check "$tmp/s.json" --resolved
check "check --resolved: exit 0, prints what the run wrote" eval 'rc_is 0 && cmp -s "$tmp/out" "$tmp/r/scenario.resolved.json"'

words() { grep -F "Client web:" "$1/report.md"; }
describes_defaults() {
    w=$(words "$1") &&
    echo "$w" | grep -qF "up to 3 attempts" &&
    echo "$w" | grep -qF "opens after 3 consecutive failed attempts, stays OPEN 5 s" &&
    echo "$w" | grep -qF "ejects a server after 5 consecutive errors for 30 s" &&
    ! echo "$w" | grep -qiE "no retries|no circuit breaker|nan"
}
check "report words: defaults described from the resolved configuration" describes_defaults "$tmp/r"

# An older folder has only scenario.json: `relsim report` resolves it.
cp -r "$tmp/r" "$tmp/old"
rm "$tmp/old/scenario.resolved.json" "$tmp/old/report.md" "$tmp/old/report.html"
relsim report "$tmp/old" --no-plots
check "report of an older folder: exit 0" rc_is 0
check "report of an older folder: defaults described too" describes_defaults "$tmp/old"

# The resolved file is a scenario: running it gives the same results.
relsim run "$tmp/r/scenario.resolved.json" -o "$tmp/again" --no-plots -q
check "rerun of scenario.resolved.json: exit 0" rc_is 0
same_results() {
    py "$1/results.json" "$2/results.json" <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
for r in (a, b):
    r.pop("perf"); r["scenario"].pop("file")
sys.exit(0 if a == b else 1)
PY
}
check "rerun of scenario.resolved.json: identical results.json" same_results "$tmp/r" "$tmp/again"
check "rerun: the resolved file resolves to itself" cmp "$tmp/r/scenario.resolved.json" "$tmp/again/scenario.resolved.json"

# The same for every lesson scenario (short runs): a key the writer forgot
# would change the results of the one that uses it.
here=$(dirname "$0")/../..
for f in "$here"/scenarios/*.json; do
    s=$(basename "$f" .json)
    relsim run "$f" -o "$tmp/$s" --no-plots -q -r 2 --horizon 100 --set warmup=10 -j 1
    relsim run "$tmp/$s/scenario.resolved.json" -o "$tmp/$s-again" --no-plots -q -j 1
    check "$s: rerun of scenario.resolved.json gives identical results" same_results "$tmp/$s" "$tmp/$s-again"
done

# Every sweep point folder has its own.
relsim sweep "$tmp/s.json" --vary clients.web.retry.max_attempts=1,2 -o "$tmp/sw" --no-plots -q
check "sweep: exit 0" rc_is 0
check "sweep: each point has scenario.resolved.json with its value" py "$tmp/sw" <<'PY'
import json, sys, os
ok = all(json.load(open(os.path.join(sys.argv[1], "p%03d" % i, "scenario.resolved.json")))
         ["clients"][0]["retry"]["max_attempts"] == v for i, v in enumerate([1, 2]))
sys.exit(0 if ok else 1)
PY

finish
