#!/bin/sh
# browser.sh - the run and sweep reports opened in a real browser (headless
# Chromium, Debian's `chromium`): fails on a broken internal link, an image
# or figure that does not load, a console error, or text overflowing its box;
# keeps a screenshot of each report in $BUILD/browser/ (CI artifact).
#
# How: a copy of report.html gets a small script (its Content-Security-Policy
# is relaxed for inline script in the copy only) that, once the page has
# loaded, checks the DOM and writes the findings into a data attribute of
# <body>; `chromium --headless --dump-dom` prints the DOM, and python reads
# the attribute.  Console messages are also captured from Chromium's log
# (--enable-logging=stderr).  Without chromium the test prints SKIP and exits
# 77 (tests/run.sh counts it as skipped, not passed).  Uses $RELSIM,
# $TESTS_DIR, $BUILD.
set -eu
. "$TESTS_DIR/lib.sh"
# RELSIM_CHROMIUM names the browser binary; set it empty to test the SKIP path
CHROME=${RELSIM_CHROMIUM-$(command -v chromium || command -v chromium-browser || true)}
[ -n "$CHROME" ] || skip_all "chromium not installed (apt-get install chromium): reports not checked in a browser"
command -v gnuplot >/dev/null 2>&1 || skip_all "gnuplot not installed: the reports would have no figures to check"
: "${BUILD:=build}"
shots="$BUILD/browser"
mkdir -p "$shots"

# chrome ARGS...: headless Chromium with a fresh profile, nothing on the network.
chrome() {
    rm -rf "$tmp/profile"
    timeout 120 "$CHROME" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --disable-extensions --user-data-dir="$tmp/profile" --window-size=1280,1000 "$@"
}

cat >"$tmp/check.js" <<'JS'
(function () {
  var errors = [];
  window.addEventListener('error', function (e) {
    var t = e.target;
    errors.push(t && t !== window ? 'resource failed: ' + (t.src || t.href || t.tagName) : String(e.message));
  }, true);
  var ce = console.error;
  console.error = function () { errors.push('console.error: ' + [].join.call(arguments, ' ')); ce.apply(console, arguments); };
  function scrolls(el) {
    for (; el && el !== document.body; el = el.parentElement) {
      var o = getComputedStyle(el).overflowX;
      if (o === 'auto' || o === 'scroll') return true;
    }
    return false;
  }
  function describe(el) {
    var s = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className : '');
    return s + ' "' + (el.textContent || '').trim().slice(0, 60) + '" (' + el.scrollWidth + ' > ' + el.clientWidth + ')';
  }
  window.addEventListener('load', function () {
    var r = {links: [], images: [], overflow: [], errors: errors, figures: 0, anchors: 0};
    [].forEach.call(document.querySelectorAll('a[href]'), function (a) {
      var h = a.getAttribute('href');
      if (h.charAt(0) === '#') {
        r.anchors++;
        if (!document.getElementById(decodeURIComponent(h.slice(1)))) r.links.push(h);
      } else if (!/^(https?:|mailto:)/.test(h)) r.links.push('not internal, not checked: ' + h);
    });
    [].forEach.call(document.images, function (i) {
      if (!(i.complete && i.naturalWidth > 0)) r.images.push(i.src.slice(0, 80));
    });
    [].forEach.call(document.querySelectorAll('figure'), function (f) {
      r.figures++;
      var g = f.querySelector('svg, img');
      if (!g || g.getBoundingClientRect().width < 50 || g.getBoundingClientRect().height < 50)
        r.images.push('figure without a drawn image: ' + (f.id || '?'));
    });
    var body = document.body.getBoundingClientRect();
    [].forEach.call(document.querySelectorAll('body *'), function (el) {
      if (el.closest('svg') || getComputedStyle(el).display === 'none') return;
      if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1 &&
          getComputedStyle(el).overflowX === 'visible' && !scrolls(el.parentElement))
        r.overflow.push(describe(el));
      var b = el.getBoundingClientRect();
      if (b.width > 0 && b.right > body.right + 1 && !scrolls(el.parentElement))
        r.overflow.push('beyond the page: ' + describe(el));
    });
    if (document.documentElement.scrollWidth > window.innerWidth + 1)
      r.overflow.push('the page scrolls sideways: ' + document.documentElement.scrollWidth + ' > ' + window.innerWidth);
    document.body.setAttribute('data-check', JSON.stringify(r));
  });
})();
JS

# probe NAME PAGE: a copy of PAGE with the checks above loaded in Chromium;
# leaves $tmp/NAME.dom (the DOM with the findings) and $tmp/NAME.log.
probe() {
    python3 - "$2" "$tmp/$1.html" "$tmp/check.js" <<'PY'
import sys
h = open(sys.argv[1]).read()
h = h.replace("default-src 'none';", "default-src 'none'; script-src 'unsafe-inline';", 1)
js = open(sys.argv[3]).read()
i = h.rfind("</body>")
h = h[:i] + "<script>" + js + "</script>" + h[i:]
open(sys.argv[2], "w").write(h)
PY
    chrome --enable-logging=stderr --v=0 --virtual-time-budget=5000 --dump-dom "file://$tmp/$1.html" \
        >"$tmp/$1.dom" 2>"$tmp/$1.log" || true
}

# findings NAME [EXPECT...]: with no EXPECT, succeeds when the page loaded
# and nothing was found; else succeeds when every EXPECTed kind (links,
# images, overflow, errors, console) was found.
findings() {
    python3 - "$tmp/$1.dom" "$tmp/$1.log" "$@" <<'PY'
import html, json, re, sys
dom = open(sys.argv[1]).read()
m = re.search(r'data-check="([^"]*)"', dom)
if not m:
    print("      no result from the page (did it load?)"); sys.exit(1)
r = json.loads(html.unescape(m.group(1)))
r["console"] = [l.strip()[:160] for l in open(sys.argv[2], errors="replace") if "CONSOLE" in l]
kinds = ("links", "images", "overflow", "errors", "console")
found = {k: r[k] for k in kinds if r[k]}
expect = sys.argv[4:]
print("      %d internal links, %d figures" % (r["anchors"], r["figures"]))
for k, v in found.items():
    print("      %s: %s" % (k, v[:6]))
if expect:
    sys.exit(0 if all(k in found for k in expect) else 1)
sys.exit(1 if found or r["figures"] == 0 or r["anchors"] == 0 else 0)
PY
}

# inspect NAME REPORT: the checks on REPORT, then a screenshot of it.
inspect() {
    probe "$1" "$2"
    check "$1 report: loads in Chromium, no broken internal link, every figure drawn, no console error, nothing overflows" \
        findings "$1"
    rm -f "$shots/$1.png"
    chrome --hide-scrollbars --window-size=1280,5000 --screenshot="$shots/$1.png" \
        "file://$(cd "$(dirname "$2")" && pwd)/$(basename "$2")" >/dev/null 2>&1 || true
    check "$1 report: screenshot kept in $shots/$1.png" test -s "$shots/$1.png"
}

# The checks can fail: a page with one defect of each kind is caught.
cat >"$tmp/control_src.html" <<'HTML'
<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
</head><body><h1 id="top">control</h1><a href="#top">ok</a> <a href="#nowhere">broken</a>
<figure id="f"><img src="data:image/png;base64,AAAA" alt="broken"></figure>
<p style="width:120px;white-space:nowrap">a line of text far too long for its box</p>
<script>console.error("control: an error")</script></body></html>
HTML
probe control "$tmp/control_src.html"
check "control page: a broken link, a broken image, an overflow and a console error are all caught" \
    findings control links images overflow console

D="$TESTS_DIR/../scenarios/default.json"
SLO='slos=[{"client":"web","success":0.999,"latency":{"p99":0.2}}]'  # Findings, burn and Pareto figures
relsim run "$D" -r 3 --horizon 600 -j 2 -q -o "$tmp/run" --set "$SLO"
check "a run with figures and SLO findings" eval 'rc_is 0 && [ -s "$tmp/run/report.html" ] && has "$tmp/run/report.html" "id=\"findings\"" && [ -s "$tmp/run/plots/slo_burn_0.svg" ]'
inspect run "$tmp/run/report.html"
relsim sweep "$D" -r 2 --horizon 300 -j 2 -q -o "$tmp/sweep" --vary clients.web.retry.max_attempts=1,3 --set "$SLO"
check "a sweep with figures and the Pareto figure" eval 'rc_is 0 && [ -s "$tmp/sweep/report.html" ] && [ -s "$tmp/sweep/plots/pareto.svg" ]'
inspect sweep "$tmp/sweep/report.html"
# a run stopped by the overload guard: the README's retry storm (no budget, 100 ms)
python3 - "$TESTS_DIR/../README.md" "$tmp/storm.json" <<'PY'
import json, re, sys
s = open(sys.argv[1]).read()
d = json.loads(re.search(r'^## A first scenario\n.*?^```json\n(.*?)^```', s, re.S | re.M).group(1))
c = d["clients"][0]
del c["retry"]["budget"]
c["timeout"] = 0.1
d.update(replications=2, limits={"max_in_flight": 20000})
json.dump(d, open(sys.argv[2], "w"))
PY
relsim run "$tmp/storm.json" -j 2 -q -o "$tmp/storm"
check "a run stopped by the overload guard (exit 1) still has a report" eval 'rc_is 1 && [ -s "$tmp/storm/report.html" ]'
inspect storm "$tmp/storm/report.html"
finish
