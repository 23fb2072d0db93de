#!/bin/sh
# report_content.sh - what the run report says matches what is there: the
# contents link to Notes only when a Notes section exists, every metric row
# has a label (cause_* included), the traffic caption names shading only when
# an event is shaded, and the servers-UP axis does not start at 0 when that
# squeezes the band where servers come and go.  Uses $RELSIM, $TESTS_DIR.
set -eu
. "$TESTS_DIR/lib.sh"
SC="$TESTS_DIR/../scenarios"

relsim run "$SC/default.json" -r 3 --horizon 300 -j 1 -q --no-plots -o "$tmp/d"
H="$tmp/d/report.html"
check "default run: exit 0" rc_is 0
if grep -q 'id="notes"' "$H"; then
    check "a Notes section exists and the contents link to it" has "$H" 'href="#notes"'
else
    check "no Notes section, so no #notes link in the contents" eval '! has "$H" "href=\"#notes\""'
fi
check "every internal link has its target" python3 - "$H" <<'PY'
import re, sys
h = open(sys.argv[1]).read()
ids = set(re.findall(r'id="([^"]+)"', h))
bad = [t for t in re.findall(r'href="#([^"]+)"', h) if t not in ids]
print("      missing targets:", bad) if bad else None
sys.exit(1 if bad else 0)
PY
check "cause_* rows carry a label (not the bare key)" \
    eval 'has "$H" "OPEN breaker, per ended request (cause_breaker)" && ! grep -q "<td>cause_[a-z_]*</td>" "$H"'
check "traffic caption: no shading claimed when there is no event" \
    eval '! grep -qi "shaded fault" "$H" && ! grep -o "Top: the request success rate[^<]*" "$H" | grep -q "Shaded in colour"'
check "traffic caption names the colours of the lines drawn" \
    eval 'grep -q "offered requests/s (blue), attempts sent/s (orange)" "$H" && grep -q "FIG\|0072B2" "$tmp/d/plots/traffic_web.gp"'
lo=$(sed -n 's/^set yrange \[\([0-9.]*\):.*/\1/p' "$tmp/d/plots/up_api.gp" | head -n 1)
check "servers-UP axis of 8 servers, quorum 6 starts above 0 (got $lo)" eval '[ "${lo:-0}" != 0 ]'

# a scenario with an injected fault: the caption mentions the shading
cat >"$tmp/ev.json" <<'J'
{"name": "ev", "horizon": 200, "replications": 2,
 "pools": [{"name": "api", "servers": 4, "service": {"dist": "exponential", "rate": 100}}],
 "clients": [{"name": "web", "target": "api", "arrival": {"process": "poisson", "rate": 100}}],
 "events": [{"at": 50, "kind": "fail", "pool": "api", "servers": 2, "duration": 30}]}
J
relsim run "$tmp/ev.json" -q --no-plots -j 1 -o "$tmp/e"
check "with an injected event the traffic caption mentions the shading" \
    eval 'rc_is 0 && grep -o "Top: the request success rate[^<]*" "$tmp/e/report.html" | grep -q "Shaded in colour"'
finish
